"""One Keras layer config as one spec layer: the arguments the catalogue knows, by their Keras names.

Arguments that cannot change a shape or a count (initialisers, dtype, seeds, regularisers, …) are dropped, with a
note when they were set to something that matters for training. Anything else the catalogue does not know is
dropped with a note saying shapes or counts may differ. Arguments equal to the catalogue's default are left out,
so the model reads as a person would write it. Operations written as Python arithmetic between tensors
(``x + y``, ``x * 0.5`` in MobileNetV3 and ConvNeXt) become the merge layer or ``Rescaling`` that computes the same.
"""

from __future__ import annotations

from typing import Any

from app.core.layers import lookup, suggest
from app.core.layers.base import LayerKind
from app.core.params import Param, ParamError
from app.core.readers.base import ImportRefused, Notes
from app.core.readers.keras.graph import INPUT, Graph, GraphLayer
from app.core.readers.keras.nodes import Tensor
from app.core.text import Text, clip, josa, quoted

# Never change a shape or a parameter count, whatever their value.
QUIET = {"trainable", "dtype", "autocast", "seed", "noise_shape", "batch_input_shape", "batch_shape", "input_shape",
         "batch_size", "input_dim", "input_length", "sparse", "ragged", "optional", "synchronized", "fused",
         "renorm_clipping", "renorm_momentum", "virtual_batch_size", "adjustment", "lora_alpha"}
RENAMED = {("LeakyReLU", "alpha"): "negative_slope"}  # Keras 2's name; Keras 3 still accepts it
ELEMENTWISE = ("Add", "Subtract", "Multiply", "Maximum", "Minimum")
SCALINGS = ("Add", "Subtract", "Multiply", "Divide", "TrueDivide")  # with a number: scale·x + offset

TRAINING_ONLY = Text("regularizers and constraints are not kept: they change training, not shapes or counts",
                     "규제(regularizer)와 제약(constraint)은 뺐습니다: 학습을 바꿀 뿐 형태나 개수는 바꾸지 않습니다")


def spec_layers(graph: Graph, notes: Notes) -> list[dict]:
    """The spec's layers in the graph's order; ``inputs`` only where a layer does not take the one before it."""
    out, previous = [], INPUT
    for layer in graph.layers:
        spec, inputs = _operation(layer, notes) if layer.is_operation else (_layer(layer, notes), layer.inputs)
        if inputs != [previous]:
            spec = {"type": spec["type"], "name": spec["name"], "inputs": inputs,
                    **{k: v for k, v in spec.items() if k not in ("type", "name")}}
        out.append(spec)
        previous = layer.name
    return out


def _layer(layer: GraphLayer, notes: Notes) -> dict:
    kind = lookup(layer.class_name)
    if kind is None:
        raise _unknown_class(layer)
    config = layer.config if isinstance(layer.config, dict) else {}
    arguments: dict[str, Any] = {}
    for key, value in config.items():
        if key == "name":
            continue
        param = kind.param(RENAMED.get((kind.type, key), key))
        if param is None:
            _drop(kind, key, value, layer, notes)
            continue
        value = _normalised(kind, param, value, layer)
        if param.required or not _is_default(param, value):
            arguments[param.name] = value
    _translate(kind, config, arguments, layer, notes)
    if any(value is not None and not isinstance(value, (Tensor, list)) for value in layer.args):
        notes.add(Text("called with values besides its inputs; they are not kept",
                       "입력 말고 다른 값과 함께 호출되었습니다; 그 값은 뺐습니다"), layer.name)
    frozen = {"trainable": False} if layer.frozen else {}  # saved frozen itself, or inside a frozen model
    return {"type": kind.type, "name": layer.name, **arguments, **frozen}


def _normalised(kind: LayerKind, param: Param, value: Any, layer: GraphLayer) -> Any:
    if param.name == "activation" and isinstance(value, dict):
        inner = value.get("config")
        if isinstance(inner, str):  # Keras 3 may serialise a built-in activation as an object naming it
            return inner
        raise _refused(f"layer {quoted(layer.name)} uses a custom activation; only Keras's named activations "
                       "(relu, gelu, …) can be read", f"레이어 {josa(quoted(layer.name), '이/가')} 직접 만든 활성화 함수를 "
                       "씁니다; Keras의 이름 있는 활성화 함수(relu, gelu, …)만 읽을 수 있습니다", layer, "activation")
    if kind.type == "BatchNormalization" and param.name == "axis" and isinstance(value, list) and len(value) == 1:
        return value[0]  # tf.keras wrote [3] for axis=3
    return value


def _is_default(param: Param, value: Any) -> bool:
    try:
        parsed = param.parse(value)
    except ParamError:  # kept as given: the model's validation names the layer and what is allowed
        return False
    default = param.default_value
    # None stands for what it becomes: a linear activation, Keras's default image_data_format "channels_last".
    implied = {"activation": "linear", "data_format": "channels_last"}.get(param.name)
    return parsed == default or (default is None and parsed is not None and parsed == implied)


def _drop(kind: LayerKind, key: str, value: Any, layer: GraphLayer, notes: Notes) -> None:
    if key in QUIET or key.endswith("_initializer"):
        if key == "dtype" and _dtype_name(value) not in (None, "float32"):
            notes.add(Text(f"computed in {_dtype_name(value)} by Keras; shapes and counts are the same",
                           f"Keras에서는 {_dtype_name(value)}로 계산합니다; 형태와 개수는 같습니다"), layer.name)
        return
    if key.endswith(("_regularizer", "_constraint")):
        if value is not None:
            notes.add(TRAINING_ONLY, layer.name)
        return
    if value is None or value is False or value == 0 or key == "rms_scaling":
        return  # off: e.g. renorm=False, lora_rank=None, quantization_config=None (rms_scaling: _translate)
    if key in ("renorm", "lora_rank", "quantization_config"):
        notes.add(Text(f"{key}={clip(repr(value), 40)} is not kept: Keras adds weights for it, so its parameter "
                       "count is higher than shown here", f"{key}={clip(repr(value), 40)}는 뺐습니다: Keras는 이것 때문에 "
                       "가중치를 더 만들므로 파라미터 수가 여기 보이는 것보다 많습니다"), layer.name)
        return
    notes.add(Text(f"{kind.type} argument {key}={clip(repr(value), 40)} is not kept: the catalogue does not know it, "
                   "so shapes or counts may differ from Keras's", f"{kind.type} 인자 {key}={clip(repr(value), 40)}는 "
                   "뺐습니다: 카탈로그에 없는 인자라서 형태나 개수가 Keras와 다를 수 있습니다"), layer.name)


def _translate(kind: LayerKind, config: dict, arguments: dict, layer: GraphLayer, notes: Notes) -> None:
    """Arguments the catalogue says differently."""
    if kind.type == "LayerNormalization" and config.get("rms_scaling") is True:
        # Keras makes γ and no β for RMS scaling: the same weights as scale=True, center=False.
        arguments["center"], arguments["scale"] = False, True
        notes.add(Text("rms_scaling=True is read as center=False, scale=True: the same shapes and weights "
                       "(Keras divides by the root mean square instead of the standard deviation)",
                       "rms_scaling=True는 center=False, scale=True로 읽었습니다: 형태와 가중치가 같습니다 "
                       "(Keras는 표준편차 대신 제곱평균제곱근으로 나눕니다)"), layer.name)


def _dtype_name(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        inner = value.get("config")
        if isinstance(inner, dict) and isinstance(inner.get("name"), str):
            return inner["name"]
    return None


# ---- operations: arithmetic written in Python between Keras tensors


def _operation(layer: GraphLayer, notes: Notes) -> tuple[dict, list[str]]:
    op = layer.class_name
    args = layer.args[0] if len(layer.args) == 1 and isinstance(layer.args[0], list) else layer.args  # ([a, b])
    tensors = [value for value in args if isinstance(value, Tensor)]
    constants = [value for value in args if not isinstance(value, Tensor)]
    if op in ELEMENTWISE and len(tensors) == 2 and not constants:
        notes.add(Text(f"arithmetic between two tensors in Python (keras.ops) is read as an {op} layer: the same "
                       "shapes, no weights", f"파이썬에서 두 텐서를 계산한 것(keras.ops)을 {op} 레이어로 읽었습니다: "
                       "형태가 같고 가중치가 없습니다"), layer.name)
        return {"type": op, "name": layer.name}, [tensor.name for tensor in tensors]
    if op in SCALINGS and len(tensors) == 1 and len(constants) == 1 and _is_number(constants[0]):
        scale_offset = _scale_offset(op, float(constants[0]), isinstance(args[0], Tensor))
        if scale_offset is not None:
            scale, offset = scale_offset
            notes.add(Text("arithmetic with a number in Python (keras.ops, e.g. x + 3.0) is read as a Rescaling "
                           "layer (scale·x + offset): the same arithmetic, no weights",
                           "파이썬에서 숫자와 계산한 것(keras.ops, 예: x + 3.0)을 Rescaling 레이어(scale·x + offset)로 "
                           "읽었습니다: 계산이 같고 가중치가 없습니다"), layer.name)
            spec = {"type": "Rescaling", "name": layer.name, "scale": scale}
            if offset:
                spec["offset"] = offset
            return spec, [tensors[0].name]
    raise _refused(f"layer {quoted(layer.name)} is the operation keras.ops {op} written in Python code "
                   f"({len(tensors)} tensor(s), {len(constants)} other value(s)), which has no layer in the catalogue; "
                   "use a layer for it (e.g. Add, Multiply, Rescaling)",
                   f"레이어 {josa(quoted(layer.name), '은/는')} 파이썬 코드로 쓴 keras.ops 연산 {op}이고 (텐서 {len(tensors)}개, "
                   f"다른 값 {len(constants)}개), 카탈로그에 맞는 레이어가 없습니다; 레이어(예: Add, Multiply, "
                   "Rescaling)로 바꾸세요", layer, "class_name")


def _scale_offset(op: str, number: float, tensor_first: bool) -> tuple[float, float] | None:
    if op == "Add":
        return 1.0, number
    if op == "Subtract":
        return (1.0, -number) if tensor_first else (-1.0, number)
    if op == "Multiply":
        return number, 0.0
    if tensor_first and number != 0:  # x / c; c / x is not a scaling
        return 1.0 / number, 0.0
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unknown_class(layer: GraphLayer) -> ImportRefused:
    hint = suggest(layer.class_name)
    shown = quoted(clip(layer.class_name, 60))
    return _refused(
        f"layer {quoted(layer.name)} is a {shown}, which the catalogue does not know"
        + (f"; did you mean {hint!r}?" if hint else "") + " Only Keras's built-in layers listed at GET /api/layers "
        "can be read; replace it with those and save again",
        f"레이어 {josa(quoted(layer.name), '은/는')} 카탈로그에 없는 {shown}입니다"
        + (f"; {josa(repr(hint), '을/를')} 뜻했나요?" if hint else "") + " GET /api/layers에 있는 Keras 기본 레이어만 "
        "읽을 수 있습니다; 그것들로 바꿔 다시 저장하세요", layer, "class_name")


def _refused(en: str, ko: str, layer: GraphLayer, field: str) -> ImportRefused:
    return ImportRefused(Text(en, ko), layer=layer.index, name=layer.name, loc=(*layer.loc, field),
                         kind="unknown_type" if field == "class_name" else "refused")
