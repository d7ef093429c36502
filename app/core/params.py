"""Declarative layer parameters: what each accepts, its default, its bounds.

Each parameter parses a raw JSON value into the normalised value Keras itself
would hold after its own argument standardisation (``kernel_size=3`` becomes
``(3, 3)``, ``padding="SAME"`` becomes ``"same"``), or raises ``ParamError``
with words a person can act on. The same declarations are served to the
browser by ``GET /api/layers`` so the page never keeps its own copy of rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from app.core.text import Text


class ParamError(ValueError):
    """A value a layer parameter does not accept; ``allowed`` says what would be (filled in by ``Param.parse``)."""

    def __init__(self, problem: str, allowed: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.allowed = allowed


def _is_int(value: Any) -> bool:
    # JSON true/false arrive as bool, which Python counts as int; Keras would not.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Param:
    """One keyword argument of a Keras layer constructor."""

    name: str
    description: Text
    default: Any = None
    required: bool = False
    nullable: bool = False

    kind = "any"

    def parse(self, value: Any) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise ParamError("null is not allowed here", self.allowed())
        try:
            return self.parse_value(value)
        except ParamError as error:
            # Built only on failure: parsing is on every request's path, the help text rarely is.
            error.allowed = error.allowed or self.allowed()
            raise

    @cached_property
    def default_value(self) -> Any:
        """The default, normalised as a given value would be (parsed once)."""
        return None if self.default is None else self.parse(self.default)

    def parse_value(self, value: Any) -> Any:  # pragma: no cover - overridden
        return value

    def allowed(self) -> str:
        text = self.describe_allowed()
        return f"{text}, or null" if self.nullable else text

    def describe_allowed(self) -> str:  # pragma: no cover - overridden
        return "any value"

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "default": _jsonable(self.default),
            "required": self.required,
            "nullable": self.nullable,
            "allowed": self.allowed(),
            "description": self.description.to_json(),
            **self.extra_json(),
        }

    def extra_json(self) -> dict:
        return {}


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class IntParam(Param):
    minimum: int = 1
    maximum: int | None = None
    kind = "int"

    def parse_value(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not _is_int(value):
            raise ParamError(f"expected a whole number, got {value!r}")
        _check_range(value, self.minimum, self.maximum)
        return value

    def describe_allowed(self) -> str:
        return _range_text("a whole number", self.minimum, self.maximum)

    def extra_json(self) -> dict:
        return {"minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class FloatParam(Param):
    minimum: float | None = None
    maximum: float | None = None
    kind = "float"

    def parse_value(self, value: Any) -> float:
        if not _is_number(value):
            raise ParamError(f"expected a number, got {value!r}")
        _check_range(value, self.minimum, self.maximum)
        return float(value)

    def describe_allowed(self) -> str:
        return _range_text("a number", self.minimum, self.maximum)

    def extra_json(self) -> dict:
        return {"minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class BoolParam(Param):
    kind = "bool"

    def parse_value(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ParamError(f"expected true or false, got {value!r}")
        return value

    def describe_allowed(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class ChoiceParam(Param):
    """A string from a fixed set; matched without regard to case, as Keras does."""

    choices: tuple[str, ...] = ()
    kind = "choice"

    def parse_value(self, value: Any) -> str:
        if isinstance(value, str):
            for choice in self.choices:
                if choice.lower() == value.lower():
                    return choice
        raise ParamError(f"{value!r} is not one of the choices")

    def describe_allowed(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def extra_json(self) -> dict:
        return {"choices": list(self.choices)}


@dataclass(frozen=True)
class TupleParam(Param):
    """An int meaning 'the same along every axis', or one int per axis."""

    rank: int = 2
    minimum: int = 1
    maximum: int | None = None
    kind = "tuple"

    def parse_value(self, value: Any) -> tuple[int, ...]:
        values = _int_or_list(value, self.rank)
        for v in values:
            _check_range(v, self.minimum, self.maximum)
        return values

    def describe_allowed(self) -> str:
        each = _range_text("whole number", self.minimum, self.maximum)
        if self.rank == 1:
            return f"a {each}, or a list of 1"
        return f"a {each}, or a list of {self.rank} of them"

    def extra_json(self) -> dict:
        return {"rank": self.rank, "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class SidesParam(Param):
    """Padding or cropping for each side of each spatial axis.

    An int (every side), one int per axis (both sides of it), or a
    ``(before, after)`` pair per axis, normalised to pairs per axis.
    """

    rank: int = 2
    maximum: int | None = None
    kind = "sides"

    def parse_value(self, value: Any) -> tuple[tuple[int, int], ...]:
        if _is_int(value):
            _check_range(value, 0, self.maximum)
            return ((value, value),) * self.rank
        if not isinstance(value, (list, tuple)) or len(value) != self.rank:
            raise ParamError(f"expected an int or a list of {self.rank}, got {value!r}")
        return tuple(self._axis_sides(v) for v in value)

    def _axis_sides(self, value: Any) -> tuple[int, int]:
        before, after = _int_or_list(value, 2)
        for v in (before, after):
            _check_range(v, 0, self.maximum)
        return before, after

    def describe_allowed(self) -> str:
        if self.rank == 1:
            return "an int ≥ 0, or a pair [before, after]"
        return "an int ≥ 0, a pair [height, width], or [[top, bottom], [left, right]]"

    def extra_json(self) -> dict:
        return {"rank": self.rank, "maximum": self.maximum}


@dataclass(frozen=True)
class ShapeParam(Param):
    """A target shape: positive ints, with at most one -1 meaning 'whatever fits'."""

    maximum: int | None = None
    kind = "shape"

    def parse_value(self, value: Any) -> tuple[int, ...]:
        if not isinstance(value, (list, tuple)) or not value:
            raise ParamError(f"expected a non-empty list of ints, got {value!r}")
        if not all(_is_int(v) for v in value):
            raise ParamError(f"every entry must be a whole number, got {value!r}")
        if list(value).count(-1) > 1:
            raise ParamError("only one entry may be -1")
        for v in value:
            if v != -1:
                _check_range(v, 1, self.maximum)
        return tuple(value)

    def describe_allowed(self) -> str:
        return "a list of whole numbers ≥ 1, one of which may be -1"


@dataclass(frozen=True)
class AxisParam(Param):
    """An axis index (negative counts from the end), or a list of them if allowed."""

    allow_list: bool = False
    kind = "axis"

    def parse_value(self, value: Any) -> int | tuple[int, ...]:
        if _is_int(value):
            return value
        if self.allow_list and isinstance(value, (list, tuple)) and value:
            if all(_is_int(v) for v in value):
                return tuple(value)
        raise ParamError(f"expected an axis index, got {value!r}")

    def describe_allowed(self) -> str:
        if self.allow_list:
            return "an axis index such as -1, or a list of them"
        return "an axis index such as -1 (the last axis) or 1"

    def extra_json(self) -> dict:
        return {"allow_list": self.allow_list}


def _int_or_list(value: Any, rank: int) -> tuple[int, ...]:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if _is_int(value):
        return (value,) * rank
    if isinstance(value, (list, tuple)) and len(value) == rank and all(_is_int(v) for v in value):
        return tuple(value)
    raise ParamError(f"expected an int or a list of {rank} ints, got {value!r}")


def _check_range(value, minimum, maximum) -> None:
    if minimum is not None and value < minimum:
        raise ParamError(f"{value} is below the minimum {minimum}")
    if maximum is not None and value > maximum:
        raise ParamError(f"{value} is above the maximum {maximum}")


def _range_text(what: str, minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"{what} from {minimum} to {maximum}"
    if minimum is not None:
        return f"{what} ≥ {minimum}"
    if maximum is not None:
        return f"{what} ≤ {maximum}"
    return what


def field_list(params: tuple[Param, ...]) -> str:
    return ", ".join(p.name for p in params) or "(none)"


__all__ = [
    "AxisParam", "BoolParam", "ChoiceParam", "FloatParam", "IntParam", "Param",
    "ParamError", "ShapeParam", "SidesParam", "TupleParam", "field_list",
]
