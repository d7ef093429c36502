"""A layer constructor call in the code (``Conv2D(32, (3, 3), activation='relu')``) as a catalogue layer.

Positional arguments take Keras's constructor order; Keras 1 and 2 spellings (``nb_filter``, ``border_mode``,
``Convolution2D(32, 5, 5)``, ``output_dim``, ``dim_ordering``, ``alpha`` of LeakyReLU, …) become Keras 3's, each
change written in the layer's notes. Only the arguments the catalogue knows (and the input shape) are evaluated;
initialisers, regularisers and the like are dropped unread, so whatever expression they hold is never looked at.
"""

from __future__ import annotations

import ast
from typing import Any, Protocol

from app.core.layers import lookup, suggest
from app.core.layers.base import LayerKind
from app.core.params import ParamError, jsonable
from app.core.readers.code.names import LEGACY_CLASSES, LEGACY_MERGE_MODES, meaning
from app.core.readers.code.values import CodeRefused, Identity, InputObject, LayerObject, Ref, Where
from app.core.readers.keras.layers import QUIET, TRAINING_ONLY
from app.core.text import Text, clip, josa

# Keras's constructor order where the catalogue lists its arguments differently, or where more of them than the
# catalogue keeps are worth mapping (tests/keras/test_code_import.py checks each against the real signature).
POSITIONAL = {
    "Conv2DTranspose": ("filters", "kernel_size", "strides", "padding", "output_padding", "data_format",
                        "dilation_rate", "activation", "use_bias"),
    "DepthwiseConv2D": ("kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate",
                        "activation", "use_bias"),
    "Dropout": ("rate", "noise_shape", "seed"),
    "SpatialDropout2D": ("rate", "data_format", "seed"),
}
# Keras 1 and 2 argument names and what Keras 3 calls them (only where the layer has the new one).
RENAMED = {"nb_filter": "filters", "filter_length": "kernel_size", "subsample": "strides", "subsample_length": "strides",
           "border_mode": "padding", "output_dim": "units", "pool_length": "pool_size", "stride": "strides",
           "bias": "use_bias", "atrous_rate": "dilation_rate", "dim_ordering": "data_format", "p": "rate",
           "concat_axis": "axis"}
RENAMED_FOR = {("LeakyReLU", "alpha"): "negative_slope"}
LEGACY_ARGUMENTS = {"nb_filter", "nb_row", "nb_col", "border_mode", "subsample", "init", "dim_ordering",
                    "W_regularizer", "b_regularizer", "W_constraint", "b_constraint", "bias", "output_dim"}
KERNEL_PAIR = ("Conv2D", "SeparableConv2D", "Conv2DTranspose")
INPUT_ARGUMENTS = {"input_shape", "input_dim", "input_length", "batch_input_shape", "batch_shape", "shape"}
DIM_ORDERING = {"tf": "channels_last", "th": "channels_first"}
UNKEPT_KERAS1 = {"weights": "initial weights", "mode": "Keras 1's mode"}


class Context(Protocol):
    def value(self, node: ast.expr) -> Any: ...
    def where(self, node: ast.AST) -> Where: ...
    def source(self, node: ast.AST) -> str: ...
    def refuse(self, node: ast.AST | None, en: str, ko: str, *, status: int = 422,
               kind: str = "refused") -> CodeRefused: ...


def construct(ctx: Context, written: str, call: ast.Call) -> LayerObject | Identity | InputObject:
    """The layer a constructor call makes; ``written`` is the class name as the code spells it."""
    _no_unpacking(ctx, call)
    found = meaning(f"keras.layers.{written}")
    if found is not None and found.what == "identity":
        return Identity(written, ctx.where(call), _input_shape(ctx, _keywords(call)))
    kind = lookup(LEGACY_CLASSES.get(written, written))
    if kind is None:
        raise unknown_layer(ctx, call, written)
    layer = LayerObject(kind, {}, None, ctx.where(call))
    if written in LEGACY_CLASSES:
        layer.notes.append(Text(f"{written} (Keras 1) is {kind.type} in Keras 3",
                                f"{josa(written + '(Keras 1)', '은/는')} Keras 3의 {kind.type}입니다"))
    keywords = _keywords(call)
    positional = _kernel_pair(ctx, layer, written, list(call.args), keywords)
    arguments = _by_name(ctx, layer, positional, keywords)
    layer.input_shape = _input_shape(ctx, arguments)
    for name, node in arguments.items():
        _argument(ctx, layer, name, node)
    return layer


def input_layer(ctx: Context, call: ast.Call) -> InputObject:
    """``InputLayer(input_shape=…)`` (or ``shape=``, ``batch_input_shape=``, or its first argument)."""
    _no_unpacking(ctx, call)
    keywords = _keywords(call)
    if call.args and "input_shape" not in keywords and "shape" not in keywords:
        keywords["shape"] = call.args[0]
    shape = _input_shape(ctx, keywords, with_shape=True)
    if shape is None:
        raise ctx.refuse(call, "InputLayer gives no shape; write InputLayer(shape=(28, 28, 1))",
                         "InputLayer에 형태가 없습니다; InputLayer(shape=(28, 28, 1))처럼 쓰세요")
    return InputObject(shape, ctx.where(call))


def input_shape_of(ctx: Context, node: ast.expr, batch: bool = False) -> list:
    """A shape as the spec writes it: a list of whole numbers ≥ 1 or None; ``batch`` drops the first axis."""
    value = ctx.value(node)
    if isinstance(value, int) and not isinstance(value, bool) and not batch:
        value = (value,)
    if not isinstance(value, (tuple, list)) or (batch and not value):
        raise ctx.refuse(node, f"a shape must be a tuple of whole numbers, like (28, 28, 1); got {clip(repr(value), 40)}",
                         f"형태는 (28, 28, 1)처럼 정수의 튜플이어야 하는데 {clip(repr(value), 40)}입니다")
    dims = list(value[1:] if batch else value)
    if not dims:
        raise ctx.refuse(node, "a shape needs at least one axis (besides the batch axis)",
                         "형태에는 (배치 축 말고) 축이 하나 이상 있어야 합니다")
    for dim in dims:
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int) or dim < 1):
            raise ctx.refuse(node, f"a shape's sizes must be whole numbers ≥ 1 or None; got {clip(repr(dim), 40)}",
                             f"형태의 크기는 1 이상의 정수나 None이어야 하는데 {clip(repr(dim), 40)}입니다")
    return dims


def unknown_layer(ctx: Context, node: ast.AST, written: str) -> CodeRefused:
    hint = suggest(written)
    return ctx.refuse(
        node, f"{written} is not a layer the catalogue knows" + (f" (did you mean {hint}?)" if hint else "")
        + "; GET /api/layers lists those that can be read: remove it or use one of them",
        f"{josa(written, '은/는')} 카탈로그에 없는 레이어입니다" + (f" ({josa(hint, '을/를')} 뜻했나요?)" if hint else "")
        + "; 읽을 수 있는 레이어는 GET /api/layers에 있습니다: 빼거나 그중 하나로 바꾸세요", kind="unknown_type")


def _no_unpacking(ctx: Context, call: ast.Call) -> None:
    for node in [*call.args, *call.keywords]:
        if isinstance(node, ast.Starred) or (isinstance(node, ast.keyword) and node.arg is None):
            raise ctx.refuse(node, "arguments unpacked with * or ** can only be known by running the code; write "
                             "them out", "*나 **로 펼친 인자는 코드를 실행해야 알 수 있습니다; 하나하나 쓰세요")


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg is not None}


def _kernel_pair(ctx: Context, layer: LayerObject, written: str, positional: list, keywords: dict) -> list:
    """Keras 1's ``Convolution2D(32, 5, 5)`` (and ``nb_row=``/``nb_col=``): the kernel as two numbers."""
    kind = layer.kind.type
    if kind not in KERNEL_PAIR:
        return positional
    if "nb_row" in keywords or "nb_col" in keywords:
        rows, cols = keywords.pop("nb_row", None), keywords.pop("nb_col", None)
        if len(positional) > 1 and rows is None:
            rows = positional.pop(1)
        if rows is None or cols is None:
            raise ctx.refuse(rows or cols, "nb_row and nb_col (Keras 1) go together; write kernel_size=(rows, cols)",
                             "nb_row와 nb_col(Keras 1)은 함께 씁니다; kernel_size=(행, 열)로 쓰세요")
        keywords["kernel_size"] = ast.Tuple([rows, cols], ast.Load(), **_position(rows))
        layer.notes.append(Text("nb_row and nb_col (Keras 1) are kernel_size=(nb_row, nb_col) in Keras 3",
                                "nb_row와 nb_col(Keras 1)은 Keras 3의 kernel_size=(nb_row, nb_col)입니다"))
        return positional
    if len(positional) != 3 or "kernel_size" in keywords:
        return positional
    legacy = written.startswith(("Convolution", "SeparableConvolution", "Atrous")) or LEGACY_ARGUMENTS & set(keywords)
    if legacy:
        keywords["kernel_size"] = ast.Tuple(positional[1:], ast.Load(), **_position(positional[1]))
        layer.notes.append(Text(f"{written}(filters, rows, cols) (Keras 1) gives the kernel as two numbers: read as "
                                "kernel_size=(rows, cols)", f"{written}(filters, rows, cols)(Keras 1)은 커널을 숫자 두 "
                                "개로 씁니다: kernel_size=(rows, cols)로 읽었습니다"))
        return positional[:1]
    shown = clip(ctx.source(positional[2]), 20)
    layer.notes.append(Text(f"{written}'s third number is strides in Keras 3 (strides={shown}); Keras 1 and 2 read "
                            f"it as the kernel's width: write kernel_size=(rows, cols) if that is what you meant",
                            f"Keras 3에서 {written}의 세 번째 숫자는 strides입니다 (strides={shown}); Keras 1과 2는 "
                            "커널의 너비로 읽었습니다: 그런 뜻이라면 kernel_size=(행, 열)로 쓰세요"))
    return positional


def _position(node: ast.AST) -> dict:
    return {"lineno": node.lineno, "col_offset": node.col_offset, "end_lineno": node.end_lineno,
            "end_col_offset": node.end_col_offset}


def _by_name(ctx: Context, layer: LayerObject, positional: list, keywords: dict) -> dict[str, ast.expr]:
    """Every argument by its Keras 3 name: positional ones in Keras's order, old names renamed (with a note)."""
    kind = layer.kind
    order = POSITIONAL.get(kind.type) or tuple(param.name for param in kind.params)
    if len(positional) > len(order):
        named = ", ".join(order) or "none"
        raise ctx.refuse(positional[len(order)], f"{kind.type} takes at most {len(order)} arguments by position here "
                         f"({named}); give this one by its keyword, e.g. name=value",
                         f"{kind.type}에는 위치로 인자를 {len(order)}개까지만 줄 수 있습니다 ({named}); 이 인자는 "
                         "이름=값으로 주세요")
    arguments = dict(zip(order, positional))
    for name, node in keywords.items():
        new = RENAMED_FOR.get((kind.type, name)) or RENAMED.get(name)
        if new is not None and kind.param(new) is not None and new not in keywords:
            if name != "dim_ordering":  # its note says the value too (_argument)
                layer.notes.append(_renamed(name, new))
            name = new
        if name in arguments:
            raise ctx.refuse(node, f"{kind.type} is given {name} twice (by position and by keyword)",
                             f"{kind.type}에 {josa(name, '이/가')} 두 번 주어졌습니다 (위치와 이름으로)")
        arguments[name] = node
    return arguments


def _renamed(old: str, new: str) -> Text:
    if old == "alpha":
        return Text("LeakyReLU's alpha (Keras 2) is negative_slope in Keras 3", "LeakyReLU의 alpha(Keras 2)는 Keras 3의 "
                    "negative_slope입니다")
    return Text(f"{old}= (Keras 1) is {new}= in Keras 3", f"{old}=(Keras 1)은 Keras 3의 {new}=입니다")


def _input_shape(ctx: Context, arguments: dict, with_shape: bool = False) -> list | None:
    """The input shape a layer gives: input_shape=, batch_input_shape=/batch_shape=, or input_dim= (and
    Keras 1's input_length=); ``shape=`` too for an InputLayer. Taken out of ``arguments``."""
    shape, dim, length = (arguments.pop(key, None) for key in ("input_shape", "input_dim", "input_length"))
    batch = arguments.pop("batch_input_shape", None) or arguments.pop("batch_shape", None)
    if with_shape and shape is None:
        shape = arguments.pop("shape", None)
    if shape is not None:
        return input_shape_of(ctx, shape)
    if batch is not None:
        return input_shape_of(ctx, batch, batch=True)
    if dim is not None:
        dims = input_shape_of(ctx, dim)
        return ([*input_shape_of(ctx, length), *dims]) if length is not None else dims
    return None


def _argument(ctx: Context, layer: LayerObject, name: str, node: ast.expr) -> None:
    kind = layer.kind
    if name == "name":
        value = ctx.value(node)
        if not isinstance(value, str) or not value:
            raise ctx.refuse(node, "a layer's name must be a string", "레이어 이름은 문자열이어야 합니다")
        layer.name = value
        return
    if name == "trainable" and kind.takes_trainable:
        _trainable_argument(ctx, layer, node)
        return
    param = kind.param(name)
    if param is None:
        _dropped(ctx, layer, name, node)
        return
    value = ctx.value(node)
    if name == "activation":
        value = _activation(ctx, layer, node, value)
        if value is _SPLIT:
            return
    elif name == "data_format" and isinstance(value, str) and value.lower() in ("tf", "th", "default"):
        layer.notes.append(Text(f"dim_ordering={value!r} (Keras 1) is data_format={DIM_ORDERING.get(value.lower())!r}",
                                f"dim_ordering={value!r}(Keras 1)은 data_format={DIM_ORDERING.get(value.lower())!r}입니다"))
        value = DIM_ORDERING.get(value.lower())
        if value is None:
            return
    value = jsonable(value)
    try:
        param.parse(value)
    except ParamError as error:
        allowed = error.allowed or param.allowed()
        raise ctx.refuse(node, f"{kind.type} {name}: {error.problem.en}; allowed: {allowed.en}",
                         f"{kind.type} {name}: {error.problem.ko}; 쓸 수 있는 값: {allowed.ko}")
    layer.arguments[name] = value


_SPLIT = object()


def _activation(ctx: Context, layer: LayerObject, node: ast.expr, value: Any) -> Any:
    """A name ('relu'), a function (tf.nn.relu, keras.activations.relu) or a layer (LeakyReLU(0.1))."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Ref):
        found = meaning(value.path)
        if found is not None and found.what == "activation":
            return found.name
    if isinstance(value, LayerObject) and value.kind.category == "activation" and value.placed is None:
        value.placed = ctx.where(node)
        layer.then = value
        layer.notes.append(Text(f"activation={value.kind.type}(…) is its own {value.kind.type} layer after this one: the "
                                "same shapes and counts (Keras shows it inside this layer's row)",
                                f"activation={value.kind.type}(…)은 이 레이어 뒤의 {value.kind.type} 레이어로 읽었습니다: "
                                "형태와 개수가 같습니다 (Keras는 이 레이어의 행 안에 보여 줍니다)"))
        return _SPLIT
    raise ctx.refuse(node, "an activation must be a name such as 'relu', a function such as keras.activations.relu or "
                     "tf.nn.relu, or an activation layer", "활성화 함수는 'relu' 같은 이름, keras.activations.relu나 "
                     "tf.nn.relu 같은 함수, 또는 활성화 레이어여야 합니다")


def _trainable_argument(ctx: Context, layer: LayerObject, node: ast.expr) -> None:
    """``trainable=False`` where the layer is made: a bool, as Keras's constructor insists; a value only running
    the code gives (``trainable=args.freeze``) leaves the layer trainable, with a note."""
    try:
        value = ctx.value(node)
    except CodeRefused as error:
        if error.fatal:
            raise
        layer.notes.append(trainable_unread(node.lineno, f"trainable={clip(ctx.source(node), 40)}"))
        return
    layer.trainable = trainable_flag(ctx, node, value)


def trainable_flag(ctx: Context, node: ast.AST, value: Any) -> bool:
    """A constructor's trainable=…: Keras's checks it is a bool."""
    if not isinstance(value, bool):
        raise ctx.refuse(node, "trainable must be True or False", "trainable은 True나 False여야 합니다")
    return value


def trainable_unread(line: int, written: str) -> Text:
    return Text(f"line {line}: {written} is not read, so those layers keep the trainable flag the rest of the "
                "code gives them; set trainable=False where a layer is made, or on a whole model",
                f"{line}행: {josa(written, '은/는')} 읽지 않았으므로 그 레이어는 나머지 코드가 정한 trainable 값을 "
                "그대로 씁니다; 레이어를 만들 때 trainable=False를 쓰거나 모델 전체에 설정하세요")


def _dropped(ctx: Context, layer: LayerObject, name: str, node: ast.expr) -> None:
    """An argument the catalogue does not keep: never evaluated; a note when it may matter."""
    is_none = isinstance(node, ast.Constant) and node.value is None
    if name == "init" or name.endswith("_init"):
        layer.notes.append(Text(f"{name}= (Keras 1, the starting weights) is not kept: it changes training, not shapes "
                                "or counts", f"{name}=(Keras 1, 처음 가중치)는 뺐습니다: 학습을 바꿀 뿐 형태나 개수는 "
                                "바꾸지 않습니다"))
    elif name in QUIET or name.endswith("_initializer") or name == "batch_size":
        pass
    elif name.endswith(("_regularizer", "_constraint")):
        if not is_none:
            layer.notes.append(TRAINING_ONLY)
    elif name in UNKEPT_KERAS1:
        layer.notes.append(Text(f"{name}= ({UNKEPT_KERAS1[name]}) is not kept", f"{josa(f'{name}=({UNKEPT_KERAS1[name]})', '은/는')} "
                                "뺐습니다"))
    elif not is_none:
        shown = clip(ctx.source(node), 40)
        layer.notes.append(Text(f"{layer.kind.type} argument {name}={shown} is not kept: the catalogue does not know "
                                "it, so shapes or counts may differ from Keras's", f"{layer.kind.type} 인자 "
                                f"{josa(f'{name}={shown}', '은/는')} 뺐습니다: 카탈로그에 없는 인자라서 형태나 개수가 Keras와 다를 수 "
                                "있습니다"))


def merge_layer(ctx: Context, call: ast.Call, written: str, type_name: str | None) -> tuple[LayerObject, ast.expr]:
    """``layers.concatenate([a, b], axis=1)``, or Keras 1's ``merge([a, b], mode='concat')`` (``type_name`` None):
    the layer and the node of the list it is called on."""
    _no_unpacking(ctx, call)
    keywords = _keywords(call)
    tensors = call.args[0] if call.args else keywords.pop("inputs", None)
    if tensors is None or len(call.args) > 1:
        raise ctx.refuse(call, f"{written} takes the list of tensors to merge, e.g. ([a, b])",
                         f"{written}에는 합칠 텐서의 목록을 줍니다, 예: ([a, b])")
    if type_name is None:
        mode_node = keywords.pop("mode", None)
        mode = ctx.value(mode_node) if mode_node is not None else "sum"
        type_name = LEGACY_MERGE_MODES.get(mode) if isinstance(mode, str) else None
        if type_name is None:
            raise ctx.refuse(mode_node or call, f"merge mode {clip(repr(mode), 30)} (Keras 1) has no layer here; use "
                             f"one of {', '.join(LEGACY_MERGE_MODES)}", f"merge의 mode {clip(repr(mode), 30)}(Keras 1)에 "
                             f"맞는 레이어가 없습니다; {', '.join(LEGACY_MERGE_MODES)} 중 하나를 쓰세요")
    kind: LayerKind = lookup(type_name)
    layer = LayerObject(kind, {}, None, ctx.where(call))
    if written == "merge":
        layer.notes.append(Text(f"merge(mode=…) (Keras 1) is the {kind.type} layer in Keras 3",
                                f"merge(mode=…)(Keras 1)은 Keras 3의 {kind.type} 레이어입니다"))
    for name, node in _by_name(ctx, layer, [], keywords).items():
        _argument(ctx, layer, name, node)
    return layer, tensors
