"""Runs a validated model through the catalogue: every layer's shape, parameters, cost and explanation.

A model Keras could not build is a result, not an exception: the first layer
that fails carries the reason, the layers after it have no shape, and the
model is marked invalid. It fails at the same layer Keras does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from app.config import get_settings
from app.core.explain import Step, n
from app.core.graph import keras_order, leads_to_output
from app.core.layers.base import Inference, LayerError, LayerKind
from app.core.memo import MAX_KEY_BYTES, Memo
from app.core.params import jsonable
from app.core.shapes import Shape, format_shape, product
from app.core.spec import INPUT, ValidLayer, ValidModel
from app.core.summary import FLOAT32_BYTES, summary_text
from app.core.text import Text, josa

INPUT_LAYER = "input_layer"  # the name keras.Input takes in a fresh session


@dataclass(frozen=True)
class Worked:
    """A layer worked out on its input shapes: what the memo keeps, shared by every layer and request alike."""

    inference: Inference
    row: dict[str, Any]  # the part of the layer's answer that follows from its type, arguments and input shapes

    @classmethod
    def of(cls, layer: ValidLayer, input_shapes: list[Shape]) -> Worked:
        inference = infer_node(layer, input_shapes)
        if not layer.trainable:
            inference = frozen(inference)
        elements = product(inference.output_shape[1:])
        return cls(inference, {
            "config": jsonable(layer.params),
            "trainable": layer.trainable,
            "output_shape": list(inference.output_shape),
            "params": inference.trainable + inference.non_trainable,
            "trainable_params": inference.trainable,
            "non_trainable_params": inference.non_trainable,
            "activation": {"elements": elements, "bytes": None if elements is None else elements * FLOAT32_BYTES},
            "macs": inference.macs,
            "explain": _explain_json(layer.kind, inference),
        })


def frozen(inference: Inference) -> Inference:
    """As Keras's ``layer.trainable = False``: every weight is non-trainable, BatchNormalization's gamma and beta
    included; the count itself does not change."""
    weights = inference.trainable + inference.non_trainable
    if not inference.trainable:  # nothing moves (no weights, or Normalization's, non-trainable already)
        return inference
    step = Step(Text("frozen (trainable=False): Keras counts every weight as non-trainable",
                     "고정 (trainable=False): Keras는 모든 가중치를 학습 불가로 셉니다"),
                f"non-trainable = {n(inference.non_trainable)} + {n(inference.trainable)} = {n(weights)}")
    return replace(inference, trainable=0, non_trainable=weights, param_steps=[*inference.param_steps, step])


def _failed_row(layer: ValidLayer) -> dict[str, Any]:
    return {"config": jsonable(layer.params), "trainable": layer.trainable, "output_shape": None, "params": None, "trainable_params": None,
            "non_trainable_params": None, "activation": {"elements": None, "bytes": None}, "macs": None,
            "explain": None}


@dataclass
class LayerResult:
    layer: ValidLayer
    worked: Worked | None = None
    error: Text | None = None
    input_shapes: list[Shape] | None = None
    used: bool = True  # leads to the output; Keras leaves the other layers out of the model

    @property
    def inference(self) -> Inference | None:
        return self.worked.inference if self.worked else None

    @property
    def counted(self) -> bool:
        return self.used and self.worked is not None

    def warning(self) -> Text | None:
        if self.inference and self.inference.run_error:
            return self.inference.run_error
        if not self.used:
            params = self.inference.trainable + self.inference.non_trainable if self.inference else 0
            return Text(f"does not lead to the output (the last layer), so Keras leaves it out of the model and its "
                        f"{params:,} parameters are not counted; connect it or remove it",
                        f"출력(마지막 레이어)으로 이어지지 않아 Keras가 모델에서 뺍니다; 파라미터 {params:,}개도 "
                        "세지 않습니다; 연결하거나 지우세요")
        return None

    @property
    def output_shape(self) -> Shape | None:
        return self.inference.output_shape if self.inference else None

    def to_json(self) -> dict[str, Any]:
        """The layer's row. Its middle part is the memo's, shared with other rows and answers: never mutate it."""
        layer, warning = self.layer, self.warning()
        return {
            "index": layer.index,
            "name": layer.name,
            "type": layer.kind.type,
            "inputs": list(layer.inputs),
            "input_shapes": None if self.input_shapes is None else [list(s) for s in self.input_shapes],
            "used": self.used,
            **(self.worked.row if self.worked else _failed_row(layer)),
            "error": self.error.to_json() if self.error else None,
            "warning": warning.to_json() if warning else None,
        }


@dataclass
class ModelResult:
    model: ValidModel
    layers: list[LayerResult]

    @property
    def failed(self) -> LayerResult | None:
        return next((r for r in self.layers if r.error), None)

    @property
    def fails_when_run(self) -> LayerResult | None:
        """The first layer Keras builds but cannot run data through (e.g. Softmax over a missing axis)."""
        return next((r for r in self.layers if r.inference and r.inference.run_error), None)

    @property
    def valid(self) -> bool:
        return self.failed is None

    def totals(self) -> tuple[int, int]:
        done = [r.inference for r in self.layers if r.counted]
        return sum(i.trainable for i in done), sum(i.non_trainable for i in done)

    def summary(self) -> str | None:
        if not self.valid:
            return None
        if self.model.functional:
            return self._functional_summary()
        rows = [(r.layer.name, r.layer.kind.type, r.output_shape, r.inference.trainable + r.inference.non_trainable)
                for r in self.layers]
        return summary_text(rows, *self.totals(), int64_weights=self._int64_weights())

    def _weight_bytes(self, trainable: int, non_trainable: int) -> dict[str, int]:
        """As Keras's summary sizes them: float32, and 8 bytes for an int64 (Normalization's count)."""
        wide = self._int64_weights() * FLOAT32_BYTES
        return {"total": (trainable + non_trainable) * FLOAT32_BYTES + wide,
                "trainable": trainable * FLOAT32_BYTES, "non_trainable": non_trainable * FLOAT32_BYTES + wide}

    def _int64_weights(self) -> int:
        return sum(r.inference.int64_weights for r in self.layers if r.counted)

    def _functional_summary(self) -> str:
        """As ``keras.Model(inputs, outputs).summary()``: an InputLayer row, Keras's order, and "Connected to"
        unless the graph is a plain chain."""
        by_name = {r.layer.name: r for r in self.layers}
        order, chain = keras_order(self.model)
        rows = []
        for name in order:
            if name == INPUT:
                row = (INPUT_LAYER, "InputLayer", self.model.input_shape, 0, "-")
            else:
                r = by_name[name]
                sources = ", ".join(f"{INPUT_LAYER if s == INPUT else s}[0][0]" for s in r.layer.inputs)
                row = (name, r.layer.kind.type, r.output_shape, r.inference.trainable + r.inference.non_trainable,
                       sources)
            rows.append(row[:4] if chain else row)
        return summary_text(rows, *self.totals(), model_name="functional", int64_weights=self._int64_weights())

    def to_json(self) -> dict[str, Any]:
        trainable, non_trainable = self.totals()
        failed = self.failed
        output = self.layers[-1].output_shape if self.layers else self.model.input_shape
        macs = [r.inference.macs for r in self.layers if r.counted]
        return {
            "valid": failed is None,
            "functional": self.model.functional,
            "input_shape": list(self.model.input_shape),
            "output_shape": list(output) if output is not None else None,
            "layers": [r.to_json() for r in self.layers],
            "total_params": trainable + non_trainable,
            "trainable_params": trainable,
            "non_trainable_params": non_trainable,
            "weight_bytes": self._weight_bytes(trainable, non_trainable),
            "total_macs": None if None in macs else sum(macs),
            "summary": self.summary(),
            "error": None if failed is None else {
                "layer": failed.layer.index,
                "name": failed.layer.name,
                "type": failed.layer.kind.type,
                "message": failed.error.to_json(),
            },
        }


def infer_model(model: ValidModel) -> ModelResult:
    """Every layer in order; after the first that Keras refuses, the rest have no shape (Keras stops there)."""
    shapes: dict[str, Shape] = {INPUT: model.input_shape}
    used = leads_to_output(model)
    results, failed = [], False
    for layer in model.layers:
        result = LayerResult(layer, used=layer.name in used)
        results.append(result)
        if failed:
            continue
        result.input_shapes = [shapes[name] for name in layer.inputs]
        try:
            result.worked = _worked(layer, result.input_shapes)
        except LayerError as error:
            result.error, failed = error.text, True
            continue
        shapes[layer.name] = result.worked.inference.output_shape
    return ModelResult(model, results)


# Layers worked out, by type and arguments (ValidLayer.key), input shapes, and for a merge its inputs' names, which
# its messages quote. A layer Keras refuses raises and is not kept.
_WORKED = Memo(get_settings().layer_memo_entries)


def _worked(layer: ValidLayer, input_shapes: list[Shape]) -> Worked:
    names = layer.inputs if layer.kind.merge else None
    if layer.key is None or (names and sum(map(len, names)) > MAX_KEY_BYTES):  # a 64-way merge of long names
        key = None
    else:
        key = (layer.key, tuple(input_shapes), layer.listed, names, layer.trainable)
    return _WORKED.get(key, lambda: Worked.of(layer, input_shapes))


def infer_node(layer: ValidLayer, input_shapes: list[Shape]) -> Inference:
    """One layer on the shapes of its inputs: a merge gets them all, named; any other layer its one input."""
    if not layer.kind.merge:
        return infer_layer(layer.kind, input_shapes[0], layer.params)
    if not layer.listed and layer.kind.single is not None:
        return layer.kind.single(input_shapes[0], layer.params)
    if not layer.listed:
        raise LayerError(
            f"{layer.kind.type} joins a list of inputs; name them in inputs, e.g. [\"{layer.inputs[0]}\", \"input\"]",
            f"{josa(layer.kind.type, '은/는')} 여러 입력을 합칩니다; inputs에 이름을 적으세요, "
            f"예: [\"{layer.inputs[0]}\", \"input\"]")
    return layer.kind.infer(list(zip(layer.inputs, input_shapes)), layer.params)


RANK_EXAMPLES = {
    2: "(None, features)",
    3: "(None, steps, channels)",
    4: "(None, height, width, channels)",
}


def infer_layer(kind: LayerKind, shape: Shape, params: dict[str, Any]) -> Inference:
    _check_rank(kind, shape)
    return kind.infer(shape, params)


def _check_rank(kind: LayerKind, shape: Shape) -> None:
    """Keras's InputSpec: the number of axes a layer accepts, checked before anything else."""
    expected = kind.rank or kind.min_rank
    if expected is None or len(shape) == expected or (kind.rank is None and len(shape) >= expected):
        return
    example = RANK_EXAMPLES.get(expected, f"{expected} axes")
    fix_en = "add Reshape before it" if len(shape) < expected else "add Flatten or a global pooling before it"
    fix_ko = "앞에 Reshape를 넣으세요" if len(shape) < expected else "앞에 Flatten이나 전역 풀링을 넣으세요"
    raise LayerError(
        f"expects {expected}-D input {example} but receives {format_shape(shape)}, which is {len(shape)}-D; "
        + fix_en,
        f"{expected}차원 입력 {josa(example, '이/가')} 필요하지만 {format_shape(shape)} ({len(shape)}차원)을 받았습니다; " + fix_ko,
    )


def _explain_json(kind: LayerKind, inference: Inference) -> dict[str, Any]:
    return {
        "text": kind.description.to_json(),
        "shape": [s.to_json() for s in inference.shape_steps],
        "params": [s.to_json() for s in inference.param_steps],
    }


__all__ = ["LayerResult", "ModelResult", "infer_layer", "infer_model", "infer_node"]
