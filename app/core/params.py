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

from app.core.text import Text, josa, quoted


class ParamError(ValueError):
    """A value a layer parameter does not accept; ``allowed`` says what would be (filled in by ``Param.parse``)."""

    def __init__(self, problem: Text, allowed: Text | None = None):
        super().__init__(problem.en)
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
    example: Any = None  # what a new block starts with when the argument is required (the page's starter)

    kind = "any"

    def parse(self, value: Any) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise ParamError(Text("null is not allowed here", "null은 쓸 수 없습니다"), self.allowed())
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

    def allowed(self) -> Text:
        text = self.describe_allowed()
        return Text(f"{text.en}, or null", f"{text.ko} 또는 null") if self.nullable else text

    def describe_allowed(self) -> Text:  # pragma: no cover - overridden
        return Text("any value", "아무 값")

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "default": jsonable(self.default),
            "required": self.required,
            "nullable": self.nullable,
            "allowed": self.allowed().en,
            "allowed_ko": self.allowed().ko,
            "description": self.description.to_json(),
            "example": jsonable(self.example),
            **self.extra_json(),
        }

    def extra_json(self) -> dict:
        return {}


def jsonable(value: Any) -> Any:
    """Normalised values (tuples, nested in dicts) as JSON would hold them (lists).

    >>> jsonable({"kernel_size": (3, 3), "padding": ((1, 1), (2, 2))})
    {'kernel_size': [3, 3], 'padding': [[1, 1], [2, 2]]}
    """
    if isinstance(value, tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
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
            raise ParamError(_expected("a whole number", "정수", value))
        _check_range(value, self.minimum, self.maximum)
        return value

    def describe_allowed(self) -> Text:
        return _range_text(Text("a whole number", "정수"), self.minimum, self.maximum)

    def extra_json(self) -> dict:
        return {"minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class FloatParam(Param):
    minimum: float | None = None
    maximum: float | None = None
    kind = "float"

    def parse_value(self, value: Any) -> float:
        if not _is_number(value):
            raise ParamError(_expected("a number", "숫자", value))
        _check_range(value, self.minimum, self.maximum)
        return float(value)

    def describe_allowed(self) -> Text:
        return _range_text(Text("a number", "숫자"), self.minimum, self.maximum)

    def extra_json(self) -> dict:
        return {"minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class BoolParam(Param):
    kind = "bool"

    def parse_value(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ParamError(_expected("true or false", "true 또는 false", value))
        return value

    def describe_allowed(self) -> Text:
        return Text("true or false", "true 또는 false")


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
        raise ParamError(Text(f"{quoted(value)} is not one of the choices", f"{josa(quoted(value), '은/는')} 선택지에 없습니다"))

    def describe_allowed(self) -> Text:
        choices = ", ".join(repr(c) for c in self.choices)
        return Text(f"one of {choices}", f"{choices} 중 하나")

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

    def describe_allowed(self) -> Text:
        each = _range_text(Text("whole number", "정수"), self.minimum, self.maximum)
        return Text(f"a {each.en}, or a list of {self.rank} of them", f"{each.ko} 하나, 또는 그런 정수 {self.rank}개의 목록")

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
            raise ParamError(_expected(f"an int or a list of {self.rank}", f"정수 또는 {self.rank}개의 목록", value))
        return tuple(self._axis_sides(v) for v in value)

    def _axis_sides(self, value: Any) -> tuple[int, int]:
        before, after = _int_or_list(value, 2)
        for v in (before, after):
            _check_range(v, 0, self.maximum)
        return before, after

    def describe_allowed(self) -> Text:
        if self.rank == 1:
            return Text("an int ≥ 0, or a pair [before, after]", "0 이상의 정수, 또는 [앞, 뒤] 한 쌍")
        return Text("an int ≥ 0, a pair [height, width], or [[top, bottom], [left, right]]",
                    "0 이상의 정수, [높이, 너비] 한 쌍, 또는 [[위, 아래], [왼쪽, 오른쪽]]")

    def extra_json(self) -> dict:
        return {"rank": self.rank, "maximum": self.maximum}


@dataclass(frozen=True)
class ShapeParam(Param):
    """A target shape: positive ints, with at most one -1 meaning 'whatever fits'."""

    maximum: int | None = None
    kind = "shape"

    def parse_value(self, value: Any) -> tuple[int, ...]:
        if not isinstance(value, (list, tuple)) or not value:
            raise ParamError(_expected("a non-empty list of ints", "비어 있지 않은 정수 목록", value))
        if not all(_is_int(v) for v in value):
            raise ParamError(_expected("whole numbers only", "정수만", value))
        if list(value).count(-1) > 1:
            raise ParamError(Text("only one entry may be -1", "-1은 한 항목에만 쓸 수 있습니다"))
        for v in value:
            if v != -1:
                _check_range(v, 1, self.maximum)
        return tuple(value)

    def describe_allowed(self) -> Text:
        return Text("a list of whole numbers ≥ 1, one of which may be -1", "1 이상의 정수 목록 (한 항목은 -1 가능)")


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
                if len(set(value)) < len(value):  # Keras takes [-1, -1] and sizes its weights 3·3: meaningless
                    raise ParamError(Text("each axis may be named once", "축마다 한 번만 쓸 수 있습니다"))
                return tuple(value)
        raise ParamError(_expected("an axis index", "축 번호", value))

    def describe_allowed(self) -> Text:
        if self.allow_list:
            return Text("an axis index such as -1, or a list of them", "-1 같은 축 번호, 또는 그 목록")
        return Text("an axis index such as -1 (the last axis) or 1", "-1 (마지막 축)이나 1 같은 축 번호")

    def extra_json(self) -> dict:
        return {"allow_list": self.allow_list}


@dataclass(frozen=True)
class NumbersParam(Param):
    """A number or a list of numbers (Normalization's mean and variance): values, not sizes."""

    kind = "numbers"

    def parse_value(self, value: Any) -> float | tuple[float, ...]:
        if _is_number(value):
            return value
        if isinstance(value, (list, tuple)) and value and all(_is_number(v) for v in value):
            return tuple(value)
        raise ParamError(_expected("a number or a list of numbers", "숫자나 숫자 목록", value))

    def describe_allowed(self) -> Text:
        return Text("a number or a list of numbers", "숫자나 숫자 목록")


def _int_or_list(value: Any, rank: int) -> tuple[int, ...]:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if _is_int(value):
        return (value,) * rank
    if isinstance(value, (list, tuple)) and len(value) == rank and all(_is_int(v) for v in value):
        return tuple(value)
    raise ParamError(_expected(f"an int or a list of {rank} ints", f"정수 또는 정수 {rank}개의 목록", value))


def _expected(en: str, ko: str, value: Any) -> Text:
    return Text(f"expected {en}, got {quoted(value)}", f"{josa(ko, '이/가')} 필요하지만 {josa(quoted(value), '을/를')} 받았습니다")


def _check_range(value, minimum, maximum) -> None:
    shown = quoted(value)  # a 4,000-digit number is quoted, not echoed
    if minimum is not None and value < minimum:
        raise ParamError(Text(f"{shown} is below the minimum {minimum}", f"{josa(shown, '은/는')} 최솟값 {minimum}보다 작습니다"))
    if maximum is not None and value > maximum:
        raise ParamError(Text(f"{shown} is above the maximum {maximum}", f"{josa(shown, '은/는')} 최댓값 {maximum}보다 큽니다"))


def _range_text(what: Text, minimum, maximum) -> Text:
    if minimum is not None and maximum is not None:
        return Text(f"{what.en} from {minimum} to {maximum}", f"{minimum}부터 {maximum}까지의 {what.ko}")
    if minimum is not None:
        return Text(f"{what.en} ≥ {minimum}", f"{minimum} 이상의 {what.ko}")
    if maximum is not None:
        return Text(f"{what.en} ≤ {maximum}", f"{maximum} 이하의 {what.ko}")
    return what


def field_list(params: tuple[Param, ...]) -> str:
    return ", ".join(p.name for p in params) or "(none)"


__all__ = [
    "AxisParam", "BoolParam", "ChoiceParam", "FloatParam", "IntParam", "NumbersParam", "Param",
    "ParamError", "ShapeParam", "SidesParam", "TupleParam", "field_list", "jsonable",
]
