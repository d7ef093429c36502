"""The request language: a model is an input shape and a list of layers.

Pydantic checks the outline (types of ``input_shape``, that each layer has a
``type``); ``validate_model`` then checks every layer's arguments against the
catalogue and collects every problem at once, each naming the layer and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from app.config import Settings
from app.core.layers import KINDS, lookup, suggest
from app.core.layers.base import ArgumentError, LayerKind
from app.core.params import ParamError, field_list
from app.core.shapes import Shape

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

    type: StrictStr = Field(description="Keras class name or alias, e.g. Conv2D, MaxPool2D")
    name: StrictStr | None = Field(default=None, min_length=1, max_length=100,
                                   description="layer name; Keras's automatic name if omitted")

    def arguments(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


Dim = Annotated[StrictInt, Field(ge=1)] | None


class ModelSpec(BaseModel):
    """The body of POST /api/shapes."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CIFAR_EXAMPLE]})

    input_shape: list[Dim] = Field(min_length=1, description="input shape without the batch axis; null = unknown")
    layers: list[LayerSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Issue:
    """One problem with a request, located like pydantic's errors: ("body", "layers", 2, "filters")."""

    loc: tuple
    msg: str
    type: str = "value_error"
    allowed: str | None = None

    def to_json(self) -> dict:
        out = {"loc": list(self.loc), "msg": self.msg, "type": self.type}
        if self.allowed is not None:
            out["allowed"] = self.allowed
        return out


class SpecError(ValueError):
    """A malformed model: the request itself is wrong (HTTP 422), as opposed to a model Keras cannot build."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(i.msg for i in issues))
        self.issues = issues


@dataclass(frozen=True)
class ValidLayer:
    index: int
    kind: LayerKind
    name: str
    params: dict[str, Any]
    given_name: bool


@dataclass(frozen=True)
class ValidModel:
    input_shape: Shape  # with the batch axis
    layers: tuple[ValidLayer, ...]


def validate_model(spec: ModelSpec, limits: Settings) -> ValidModel:
    issues = _input_issues(spec.input_shape, limits)
    if len(spec.layers) > limits.max_layers:
        issues.append(Issue(("body", "layers"), f"{len(spec.layers)} layers is more than the limit of "
                            f"{limits.max_layers} (setting CNN_MAX_LAYERS)", "too_long"))
    parsed: list[tuple[LayerKind, dict[str, Any]] | None] = []
    for index, layer in enumerate(spec.layers[: limits.max_layers]):
        kind, params, layer_issues = _parse_layer(index, layer, limits)
        issues += layer_issues
        parsed.append((kind, params) if not layer_issues else None)
    if issues:
        raise SpecError(issues)
    layers = _name_layers(spec.layers, parsed)
    return ValidModel((None, *spec.input_shape), tuple(layers))


def _input_issues(shape: list, limits: Settings) -> list[Issue]:
    issues = []
    if len(shape) > limits.max_input_rank:
        issues.append(Issue(("body", "input_shape"), f"input_shape has {len(shape)} axes; at most "
                            f"{limits.max_input_rank} are allowed (setting CNN_MAX_INPUT_RANK)", "too_long"))
    for axis, dim in enumerate(shape):
        if dim is not None and dim > limits.max_input_dim:
            issues.append(Issue(("body", "input_shape", axis), f"input_shape[{axis}] = {dim:,} is above the limit "
                                f"of {limits.max_input_dim:,} (setting CNN_MAX_INPUT_DIM)", "less_than_equal"))
    return issues


def _where(index: int, layer: LayerSpec) -> str:
    return f"layers[{index}] ({layer.type})"


def _parse_layer(index: int, layer: LayerSpec, limits: Settings):
    where = ("body", "layers", index)
    kind = lookup(layer.type)
    if kind is None:
        hint = suggest(layer.type)
        did_you_mean = f"; did you mean {hint!r}?" if hint else ""
        return None, {}, [Issue((*where, "type"), f"{_where(index, layer)}: unknown layer type "
                                f"{layer.type!r}{did_you_mean}", "unknown_type", _known_types())]
    arguments = layer.arguments()
    issues = [
        Issue((*where, name), f"{_where(index, layer)}: {kind.type} has no argument {name!r}",
              "extra_forbidden", f"arguments of {kind.type}: {field_list(kind.params)}")
        for name in arguments if kind.param(name) is None
    ]
    params = {}
    for param in kind.params:
        if param.name not in arguments:
            if param.required:
                issues.append(Issue((*where, param.name), f"{_where(index, layer)}: {param.name} is required",
                                    "missing", param.allowed()))
            params[param.name] = param.default_value
            continue
        try:
            params[param.name] = param.parse(arguments[param.name])
        except ParamError as error:
            issues.append(Issue((*where, param.name), f"{_where(index, layer)}: {param.name}: {error.problem}",
                                "value_error", error.allowed))
            continue
        if _largest_int(params[param.name]) > limits.max_param_value:
            issues.append(Issue((*where, param.name), f"{_where(index, layer)}: {param.name} is above the limit of "
                                f"{limits.max_param_value:,} (setting CNN_MAX_PARAM_VALUE)", "less_than_equal"))
    if not issues and kind.check is not None:
        try:
            kind.check(params)
        except ArgumentError as error:
            issues.append(Issue((*where, error.field), f"{_where(index, layer)}: {error.problem}",
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


def _known_types() -> str:
    return "one of " + ", ".join(kind.type for kind in KINDS)


def _name_layers(specs: list[LayerSpec], parsed: list) -> list[ValidLayer]:
    """Names as a fresh Keras session gives them: conv2d, conv2d_1, … unless given; names must be unique."""
    counters: dict[str, int] = {}
    layers, seen, issues = [], {}, []
    for index, (spec, (kind, params)) in enumerate(zip(specs, parsed)):
        name = spec.name
        if name is not None and "/" in name:  # Keras's constructor refuses it: "/" separates name scopes
            issues.append(Issue(("body", "layers", index, "name"), f"{_where(index, spec)}: a layer name cannot "
                                f"contain '/'", "value_error", "a name without '/'"))
        if name is None:
            count = counters.get(kind.name_prefix, 0)
            counters[kind.name_prefix] = count + 1
            name = kind.name_prefix if count == 0 else f"{kind.name_prefix}_{count}"
        if name in seen:
            issues.append(Issue(("body", "layers", index, "name"), f"{_where(index, spec)}: the name {name!r} is "
                                f"already used by layers[{seen[name]}]; layer names must be unique",
                                "value_error", "a name no other layer has"))
        seen.setdefault(name, index)
        layers.append(ValidLayer(index, kind, name, params, spec.name is not None))
    if issues:
        raise SpecError(issues)
    return layers
