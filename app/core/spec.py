"""The request language: a model is an input shape and a list of layers.

Pydantic checks the outline (types of ``input_shape``, that each layer has a
``type``); ``validate_model`` then checks every layer's arguments against the
catalogue and collects every problem at once, each naming the layer and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from app.config import Settings, get_settings
from app.core.layers import KINDS, lookup, suggest
from app.core.layers.base import ArgumentError, LayerKind
from app.core.memo import Memo, layer_key
from app.core.params import ParamError, field_list
from app.core.shapes import Shape
from app.core.text import Text, clip, josa, quoted

CIFAR_EXAMPLE = {
    "input_shape": [32, 32, 3],
    "layers": [
        {"type": "Conv2D", "filters": 32, "kernel_size": [3, 3], "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Flatten"},
        {"type": "Dense", "units": 10},
    ],
}


class LayerSpec(BaseModel):
    """One layer: its Keras class name, an optional name, and its arguments beside them."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"example": CIFAR_EXAMPLE["layers"][0]})

    type: StrictStr = Field(max_length=100, description="Keras class name or alias, e.g. Conv2D, MaxPool2D")
    name: StrictStr | None = Field(default=None, min_length=1, max_length=100,
                                   description="layer name; Keras's automatic name if omitted")
    inputs: list[StrictStr] | None = Field(default=None, description=(
        "names of earlier layers (or \"input\", the model's input) whose outputs this layer takes; "
        "absent: the previous layer. Merge layers (Add, Concatenate, …) take several."))
    trainable: StrictBool = Field(default=True, description=(
        "false freezes the layer, as Keras's trainable=False: all its weights count as non-trainable and training "
        "leaves them as they are"))

    def arguments(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


DIM_SCHEMA = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]}
MAX_ISSUES = 50  # a 2 MB body can hold 400,000 mistakes: listing each took seconds and tens of MB
MAX_NAMED = 5  # unknown names listed in one message


class ModelSpec(BaseModel):
    """The body of POST /api/shapes.

    Checked by :func:`validate_model` rather than by pydantic field by field, and only up to the limits: validating
    a 2 MB list of 77,000 layers up front took 170 ms of the event loop before the layer limit could refuse it, and
    400,000 bad input dimensions made an 86 MB answer. The schema still documents the full shape."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [CIFAR_EXAMPLE]})

    input_shape: list[Any] = Field(min_length=1, json_schema_extra={"items": DIM_SCHEMA},
                                   description="input shape without the batch axis; null = unknown")
    layers: list[Any] = Field(default_factory=list, json_schema_extra={"items": LayerSpec.model_json_schema()},
                              description="the layers in order, each a LayerSpec")


@dataclass(frozen=True)
class Issue:
    """One problem with a request, located like pydantic's errors: ("body", "layers", 2, "filters")."""

    loc: tuple
    msg: Text
    type: str = "value_error"
    allowed: Text | None = None

    def to_json(self) -> dict:
        out = {"loc": list(self.loc), "msg": self.msg.en, "msg_ko": self.msg.ko, "type": self.type}
        if self.allowed is not None:
            out["allowed"], out["allowed_ko"] = self.allowed.en, self.allowed.ko
        return out


def _at(where: str, text: Text) -> Text:
    """A message prefixed with where it applies, e.g. 'layers[2] (Conv2D): …'."""
    return Text(f"{where}: {text.en}", f"{where}: {text.ko}")


class SpecError(ValueError):
    """A malformed model: the request itself is wrong (HTTP 422), as opposed to a model Keras cannot build."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(i.msg.en for i in issues))
        self.issues = issues


INPUT = "input"  # how ``inputs`` names the model's input


@dataclass(frozen=True)
class ValidLayer:
    index: int
    kind: LayerKind
    name: str
    params: dict[str, Any]
    given_name: bool
    inputs: tuple[str, ...] = ()  # names of the layers it takes (INPUT for the model's input)
    listed: bool = False  # ``inputs`` was given: Keras is called with a list, as ``Add()([a, b])``
    # Its type and arguments as given, hashable: layers with equal keys have equal kinds and params (the memos'
    # key); None when the arguments are too large to be worth keeping.
    key: Any = None
    trainable: bool = True  # False: frozen, every weight non-trainable (Keras's layer.trainable = False)


@dataclass(frozen=True)
class ValidModel:
    input_shape: Shape  # with the batch axis
    layers: tuple[ValidLayer, ...]

    @property
    def functional(self) -> bool:
        """Built with Keras's functional API (any layer names its inputs), not as a Sequential stack."""
        return any(layer.listed for layer in self.layers)


def validate_model(spec: ModelSpec, limits: Settings) -> ValidModel:
    issues = _unknown_fields(spec) + _input_issues(spec.input_shape, limits)
    if len(spec.layers) > limits.max_layers:
        issues.append(Issue(("body", "layers"), Text(
            f"{len(spec.layers)} layers is more than the limit of {limits.max_layers} (setting CNN_MAX_LAYERS)",
            f"레이어 {len(spec.layers)}개는 한도 {limits.max_layers}개를 넘습니다 (설정 CNN_MAX_LAYERS)"), "too_long"))
    specs, parsed = [], []
    for index, raw in enumerate(spec.layers[: limits.max_layers]):
        if len(issues) >= MAX_ISSUES:
            break
        layer, layer_issues = _layer_spec(index, raw)
        if layer is not None:
            key, (kind, params, layer_issues) = _parsed(index, layer, limits)
        issues += layer_issues
        specs.append(layer)
        parsed.append((kind, params, key) if not layer_issues else None)
    if issues:
        raise SpecError(_capped(issues))
    names = _name_layers(specs, parsed)
    sources = _connect(names, specs, parsed, limits)
    layers = tuple(ValidLayer(index, kind, name, params, given_name=layer.name is not None, inputs=takes,
                              listed=layer.inputs is not None, key=key, trainable=layer.trainable)
                   for index, (layer, (kind, params, key), name, takes)
                   in enumerate(zip(specs, parsed, names, sources)))
    return ValidModel((None, *spec.input_shape), layers)


def _layer_spec(index: int, raw: Any) -> tuple[LayerSpec | None, list[Issue]]:
    try:
        return LayerSpec.model_validate(raw), []
    except ValidationError as error:
        return None, [pydantic_issue({**e, "loc": ("body", "layers", index, *e["loc"])}) for e in error.errors()]


def pydantic_issue(error: dict) -> Issue:
    """A pydantic error made readable: say which field; drop the echoed input and internals."""
    loc = tuple(error.get("loc", ()))
    msg = clip(error.get("msg", "invalid value"), 200)
    # pydantic speaks English only; the Korean line says the same with its words quoted.
    return Issue(loc, Text(f"{where(loc)}: {msg}", f"{where(loc)}: 올바르지 않은 값입니다 ({msg})"),
                 error.get("type", "value_error"))


def where(loc: tuple) -> str:
    """A location as a person writes it.

    >>> where(("body", "layers", 2, "filters"))
    'layers[2].filters'
    >>> where(("body",))
    'body'
    """
    text = ""
    for part in loc[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "body"


def _capped(issues: list[Issue]) -> list[Issue]:
    if len(issues) <= MAX_ISSUES:
        return issues
    more = Text(f"more problems were found and not listed; fix these {MAX_ISSUES} first",
                f"문제가 더 있지만 싣지 않았습니다; 이 {MAX_ISSUES}개를 먼저 고치세요")
    return [*issues[:MAX_ISSUES], Issue(("body",), more, "too_many_issues")]


def _unknown_fields(spec: ModelSpec) -> list[Issue]:
    names = list(spec.model_extra or {})
    if not names:
        return []
    listed = ", ".join(quoted(name) for name in names[:MAX_NAMED]) + (", …" if len(names) > MAX_NAMED else "")
    return [Issue(("body", names[0]), Text(f"unknown field {listed} ({len(names):,} in all); a model has only "
                                           "input_shape and layers",
                                           f"모르는 필드 {listed} (모두 {len(names):,}개); 모델에는 input_shape와 "
                                           "layers만 있습니다"), "extra_forbidden")]


def _input_issues(shape: list, limits: Settings) -> list[Issue]:
    if len(shape) > limits.max_input_rank:  # the dimensions themselves are not even looked at
        return [Issue(("body", "input_shape"), Text(
            f"input_shape has {len(shape):,} axes; at most {limits.max_input_rank} are allowed "
            "(setting CNN_MAX_INPUT_RANK)",
            f"input_shape의 축이 {len(shape):,}개입니다; 최대 {limits.max_input_rank}개까지 됩니다 (설정 CNN_MAX_INPUT_RANK)"),
            "too_long")]
    issues = []
    for axis, dim in enumerate(shape):
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int) or dim < 1):
            issues.append(Issue(("body", "input_shape", axis), _at(f"input_shape[{axis}]", Text(
                f"expected a whole number ≥ 1 or null (unknown), got {quoted(dim)}",
                f"1 이상의 정수나 null(모름)이 필요하지만 {josa(quoted(dim), '을/를')} 받았습니다")), "int_type",
                Text("a whole number ≥ 1, or null", "1 이상의 정수, 또는 null")))
        elif dim is not None and dim > limits.max_input_dim:
            issues.append(Issue(("body", "input_shape", axis), _at(f"input_shape[{axis}]", over_limit(
                dim, limits.max_input_dim, "CNN_MAX_INPUT_DIM")), "less_than_equal"))
    return issues


def _where(index: int, layer: LayerSpec) -> str:
    return f"layers[{index}] ({layer.type})"


# Layers whose arguments were accepted, by type, arguments and the limits that judged them.
_PARSED = Memo(get_settings().layer_memo_entries)


def _parsed(index: int, layer: LayerSpec, limits: Settings) -> tuple[Any, tuple[LayerKind | None, dict, list]]:
    """The layer's key and ``_parse_layer``'s answer; an accepted layer is kept, a refused one (whose issues name
    its index) is worked out every time."""
    key = layer_key(layer.type, layer.model_extra or {})
    memo_key = None if key is None else (key, limits.max_input_rank, limits.max_param_value)
    answer = _PARSED.get(memo_key, lambda: _parse_layer(index, layer, limits), keep=lambda parsed: not parsed[2])
    return key, answer


def _parse_layer(index: int, layer: LayerSpec, limits: Settings):
    where = ("body", "layers", index)
    kind = lookup(layer.type)
    if kind is None:
        hint = suggest(layer.type)
        unknown = Text(f"unknown layer type {quoted(layer.type)}" + (f"; did you mean {hint!r}?" if hint else ""),
                       f"알 수 없는 레이어 종류 {quoted(layer.type)}" + (f"; {josa(repr(hint), '을/를')} 뜻했나요?" if hint else ""))
        return None, {}, [Issue((*where, "type"), _at(_where(index, layer), unknown), "unknown_type", _known_types())]
    arguments = layer.arguments()
    fields = field_list(kind.params)
    unknown_names = [name for name in arguments if kind.param(name) is None]
    issues = [
        Issue((*where, name), _at(_where(index, layer), Text(f"{kind.type} has no argument {quoted(name)}",
                                                             f"{kind.type}에는 {quoted(name)} 인자가 없습니다")),
              "extra_forbidden", Text(f"arguments of {kind.type}: {fields}", f"{kind.type}의 인자: {fields}"))
        for name in unknown_names[:MAX_NAMED]
    ]
    params = {}
    for param in kind.params:
        if param.name not in arguments:
            if param.required:
                issues.append(Issue((*where, param.name), _at(f"{_where(index, layer)}: {param.name}", Text(
                    "required", "꼭 필요한 값입니다")), "missing", param.allowed()))
            params[param.name] = param.default_value
            continue
        try:
            params[param.name] = param.parse(arguments[param.name])
        except ParamError as error:
            issues.append(Issue((*where, param.name), _at(f"{_where(index, layer)}: {param.name}", error.problem),
                                "value_error", error.allowed))
            continue
        if isinstance(params[param.name], tuple) and len(params[param.name]) > limits.max_input_rank:
            # A Reshape to 100,000 axes is 200 kB in and every later row repeats its shape: 367 MB out.
            issues.append(Issue((*where, param.name), _at(f"{_where(index, layer)}: {param.name}", Text(
                f"{len(params[param.name]):,} values; at most {limits.max_input_rank} axes (setting CNN_MAX_INPUT_RANK)",
                f"값 {len(params[param.name]):,}개; 축은 최대 {limits.max_input_rank}개 (설정 CNN_MAX_INPUT_RANK)")),
                "too_long"))
        elif _largest_int(params[param.name]) > limits.max_param_value:
            issues.append(Issue((*where, param.name), _at(f"{_where(index, layer)}: {param.name}", over_limit(
                _largest_int(params[param.name]), limits.max_param_value, "CNN_MAX_PARAM_VALUE")), "less_than_equal"))
    if not issues and kind.check is not None:
        try:
            kind.check(params)
        except ArgumentError as error:
            issues.append(Issue((*where, error.field), _at(_where(index, layer), error.problem),
                                "value_error", error.allowed))
    return kind, params, issues


def _largest_int(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, tuple):
        return max((_largest_int(v) for v in value), default=0)
    return 0


def over_limit(value: int, limit: int, setting: str) -> Text:
    shown = clip(f"{value:,}")
    return Text(f"{shown} is above the limit of {limit:,} (setting {setting})",
                f"{josa(shown, '은/는')} 한도 {josa(f'{limit:,}', '을/를')} 넘습니다 (설정 {setting})")


def _known_types() -> Text:
    types = ", ".join(kind.type for kind in KINDS)
    return Text(f"one of {types}", f"{types} 중 하나")


def _name_layers(specs: list[LayerSpec], parsed: list) -> list[str]:
    """Names as a fresh Keras session gives them: conv2d, conv2d_1, … unless given; names must be unique."""
    counters: dict[str, int] = {}
    names, seen, issues = [], {}, []
    for index, (spec, (kind, _, _)) in enumerate(zip(specs, parsed)):
        name = spec.name
        if name is not None and "/" in name:  # Keras's constructor refuses it: "/" separates name scopes
            issues.append(Issue(("body", "layers", index, "name"), _at(_where(index, spec), Text(
                "a layer name cannot contain '/'", "레이어 이름에는 '/'를 쓸 수 없습니다")), "value_error",
                Text("a name without '/'", "'/'가 없는 이름")))
        if name == INPUT:
            issues.append(Issue(("body", "layers", index, "name"), _at(_where(index, spec), Text(
                f"the name {quoted(INPUT)} stands for the model's input in inputs; choose another",
                f"이름 {josa(quoted(INPUT), '은/는')} inputs에서 모델의 입력을 뜻합니다; 다른 이름을 쓰세요")),
                "value_error", Text("a name other than 'input'", "'input'이 아닌 이름")))
        if name is None:
            count = counters.get(kind.name_prefix, 0)
            counters[kind.name_prefix] = count + 1
            name = kind.name_prefix if count == 0 else f"{kind.name_prefix}_{count}"
        if name in seen:
            issues.append(Issue(("body", "layers", index, "name"), _at(_where(index, spec), Text(
                f"the name {quoted(name)} is already used by layers[{seen[name]}]; layer names must be unique",
                f"이름 {josa(quoted(name), '은/는')} 이미 layers[{seen[name]}]가 씁니다; 레이어 이름은 겹치면 안 됩니다")), "value_error",
                Text("a name no other layer has", "다른 레이어가 쓰지 않는 이름")))
        seen.setdefault(name, index)
        names.append(name)
    if issues:
        raise SpecError(issues)
    return names


def _connect(names: list[str], specs: list[LayerSpec], parsed: list, limits: Settings) -> list[tuple[str, ...]]:
    """Each layer's inputs by name: the ones it lists, else the layer before it. Only earlier layers can be named,
    so the list order is an order Keras can build in and there can be no cycle."""
    position = {name: index for index, name in enumerate(names)}
    issues, connected = [], []
    for index, (spec, (kind, _, _)) in enumerate(zip(specs, parsed)):
        if spec.inputs is None:
            connected.append((names[index - 1] if index else INPUT,))
            continue
        issues += _input_issues_of(index, kind, spec, position, limits)
        connected.append(tuple(spec.inputs))
    if issues:
        raise SpecError(_capped(issues))
    return connected


_INPUTS_ALLOWED = Text("names of layers above this one, or 'input'", "이 레이어보다 위에 있는 레이어의 이름, 또는 'input'")


def _input_issues_of(index: int, kind: LayerKind, spec: LayerSpec, position: dict[str, int],
                     limits: Settings) -> list[Issue]:
    count = len(spec.inputs)
    fitting_count = 0 < count <= limits.max_merge_inputs and (count == 1 or kind.merge)
    if fitting_count and all(name == INPUT or position.get(name, index) < index for name in spec.inputs):
        return []  # the usual case, and NASNetLarge checks 1,040 layers: nothing is built for it
    where_, loc, allowed = _where(index, spec), ("body", "layers", index, "inputs"), _INPUTS_ALLOWED
    if not fitting_count:
        problem = (Text("inputs lists no layer; leave it out to take the previous layer",
                        "inputs에 레이어가 없습니다; 앞 레이어를 받으려면 inputs를 빼세요") if count == 0 else
                   Text(f"{count:,} inputs is more than the limit of {limits.max_merge_inputs} (setting "
                        "CNN_MAX_MERGE_INPUTS)", f"입력 {count:,}개는 한도 {limits.max_merge_inputs}개를 넘습니다 "
                        "(설정 CNN_MAX_MERGE_INPUTS)") if kind.merge else
                   Text(f"{kind.type} takes one input but {count} are listed; join them first with a merge "
                        "layer such as Add or Concatenate", f"{kind.type}에는 입력이 하나인데 {count}개를 "
                        "적었습니다; 먼저 Add나 Concatenate 같은 병합 레이어로 합치세요"))
        return [Issue(loc, _at(where_, problem), "value_error", allowed)]
    issues = []
    for j, name in enumerate(spec.inputs):
        if name == INPUT or position.get(name, index) < index:
            continue
        later = name in position
        issues.append(Issue((*loc, j), _at(f"{where_}.inputs[{j}]", Text(
            f"{quoted(name)} comes at or after this layer; a layer can only take the output of a layer above it"
            if later else f"no layer is named {quoted(name)}",
            f"{josa(quoted(name), '은/는')} 이 레이어와 같거나 뒤에 있습니다; 위에 있는 레이어의 출력만 받을 수 있습니다"
            if later else f"{quoted(name)}라는 이름의 레이어가 없습니다")), "value_error", allowed))
        if len(issues) >= MAX_NAMED:
            break
    return issues
