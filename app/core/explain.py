"""Formulas with the actual numbers, the way a tutorial writes them out.

Each function takes the inputs and the result computed by ``shapes`` (never
recomputes it), so the formula shown is always the arithmetic that was used.
Numbers carry thousands separators, as Keras's summary prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.shapes import Dim
from app.core.text import Text


@dataclass(frozen=True)
class Step:
    """One line of an explanation: what is computed, and the formula with numbers."""

    what: Text
    formula: str

    def to_json(self) -> dict:
        return {"what": self.what.to_json(), "formula": self.formula}


def n(value: Dim) -> str:
    """A number as Keras prints it.

    >>> n(122570)
    '122,570'
    >>> n(None)
    'None'
    """
    return "None" if value is None else f"{value:,}"


def product_text(*factors: int | str) -> str:
    """Factors joined by a middle dot.

    >>> product_text(3, 3, 3)
    '3·3·3'
    """
    return "·".join(f if isinstance(f, str) else n(f) for f in factors)


AXIS_NAMES = {
    1: (Text("length", "길이"),),
    2: (Text("height", "높이"), Text("width", "너비")),
    3: (Text("depth", "깊이"), Text("height", "높이"), Text("width", "너비")),
}


def axis_names(rank: int) -> tuple[Text, ...]:
    return AXIS_NAMES.get(rank) or tuple(Text(f"axis {i}", f"축 {i}") for i in range(rank))


def unknown_formula(result: Dim) -> str:
    return f"None → {n(result)}"


def window_formula(size: Dim, kernel: int, stride: int, padding: str, result: Dim, dilation: int = 1) -> str:
    """Output length of a sliding window (convolution or pooling).

    >>> window_formula(32, 3, 1, "valid", 30)
    '⌊(32 − 3) / 1⌋ + 1 = 30'
    >>> window_formula(32, 3, 2, "same", 16)
    '⌈32 / 2⌉ = 16'
    >>> window_formula(32, 3, 1, "valid", 28, dilation=2)
    '⌊(32 − 2·(3 − 1) − 1) / 1⌋ + 1 = 28'
    """
    if size is None:
        return unknown_formula(result)
    if padding != "valid":
        return f"⌈{n(size)} / {n(stride)}⌉ = {n(result)}"
    if dilation == 1:
        return f"⌊({n(size)} − {n(kernel)}) / {n(stride)}⌋ + 1 = {n(result)}"
    return f"⌊({n(size)} − {dilation}·({kernel} − 1) − 1) / {n(stride)}⌋ + 1 = {n(result)}"


def transpose_formula(
    size: Dim, kernel: int, stride: int, padding: str, output_padding: int | None, result: Dim, dilation: int = 1
) -> str:
    """Output length of a transposed convolution, as Keras's TensorFlow backend computes it.

    >>> transpose_formula(7, 3, 2, "same", None, 14)
    '7·2 = 14'
    >>> transpose_formula(7, 3, 2, "valid", None, 15)
    '(7 − 1)·2 + max(3, 2) = 15'
    >>> transpose_formula(7, 3, 2, "valid", 1, 16)
    '(7 − 1)·2 + 3 + 1 = 16'
    """
    if size is None:
        return unknown_formula(result)
    span = str(kernel) if dilation == 1 else f"({dilation}·({kernel} − 1) + 1)"
    if padding == "valid" and output_padding is None:
        return f"({n(size)} − 1)·{stride} + max({span}, {stride}) = {n(result)}"
    if padding == "valid":
        return f"({n(size)} − 1)·{stride} + {span} + {output_padding} = {n(result)}"
    if output_padding is None:
        return f"{n(size)}·{stride} = {n(result)}"
    return f"({n(size)} − 1)·{stride} + {span} mod 2 + {output_padding} = {n(result)}"


def sides_formula(size: Dim, before: int, after: int, sign: str, result: Dim) -> str:
    """Padding (sign '+') or cropping (sign '−') of one axis.

    >>> sides_formula(28, 2, 2, "+", 32)
    '28 + 2 + 2 = 32'
    """
    if size is None:
        return unknown_formula(result)
    return f"{n(size)} {sign} {before} {sign} {after} = {n(result)}"


def with_bias_formula(weights_per_unit: str, units: int, use_bias: bool, result: int) -> str:
    """Weights per output unit (plus one bias each) times the number of units.

    >>> with_bias_formula("3·3·3", 32, True, 896)
    '(3·3·3 + 1)·32 = 896'
    >>> with_bias_formula("3·3·3", 32, False, 864)
    '3·3·3·32 = 864'
    """
    if use_bias:
        return f"({weights_per_unit} + 1)·{n(units)} = {n(result)}"
    return f"{weights_per_unit}·{n(units)} = {n(result)}"


NO_PARAMS = Text("no weights to learn", "학습할 가중치 없음")
SAME_SHAPE = Text("output shape = input shape", "출력 형태 = 입력 형태")
