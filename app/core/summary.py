"""The model laid out as Keras 3's ``model.summary()`` prints it on an 80-column terminal."""

from __future__ import annotations

import textwrap
from typing import Iterable

from app.core.shapes import Shape, format_shape

# Keras: line_length = min(88, columns - 4) = 76 at 80 columns, split at 45% / 80% by rich,
# which leaves these cell widths (text plus one space of padding on each side).
CELL_WIDTHS = (33, 24, 15)
FLOAT32_BYTES = 4


def readable_size(num_bytes: float) -> str:
    """Bytes as Keras's summary prints them.

    >>> readable_size(490280)
    '478.79 KB'
    >>> readable_size(0)
    '0.00 B'
    """
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes / 1024 < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} PB"


def params_line(label: str, count: int) -> str:
    """>>> params_line("Total", 122570)
    ' Total params: 122,570 (478.79 KB)'
    """
    return f" {label} params: {count:,} ({readable_size(count * FLOAT32_BYTES)})"


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _row(cells: Iterable[str], aligns: str = "llr") -> list[str]:
    columns = [_wrap(cell, width - 2) for cell, width in zip(cells, CELL_WIDTHS)]
    height = max(len(c) for c in columns)
    lines = []
    for i in range(height):
        parts = []
        for column, width, align in zip(columns, CELL_WIDTHS, aligns):
            text = column[i] if i < len(column) else ""
            text = text.rjust(width - 2) if align == "r" else text.ljust(width - 2)
            parts.append(f" {text} ")
        lines.append("│" + "│".join(parts) + "│")
    return lines


def _rule(left: str, fill: str, middle: str, right: str) -> str:
    return left + middle.join(fill * w for w in CELL_WIDTHS) + right


def summary_text(
    rows: list[tuple[str, str, Shape | None, int]], trainable: int, non_trainable: int, model_name: str = "sequential"
) -> str:
    """rows: (layer name, class name, output shape, params) in order."""
    header = [f" {t:<{w - 2}} " if a == "l" else f" {t:>{w - 2}} "
              for t, w, a in zip(("Layer (type)", "Output Shape", "Param #"), CELL_WIDTHS, "llr")]
    lines = [f'Model: "{model_name}"', _rule("┏", "━", "┳", "┓"), "┃" + "┃".join(header) + "┃",
             _rule("┡", "━", "╇", "┩")]
    for i, (name, type_name, shape, params) in enumerate(rows):
        if i:
            lines.append(_rule("├", "─", "┼", "┤"))
        lines += _row((f"{name} ({type_name})", format_shape(shape), f"{params:,}"))
    lines.append(_rule("└", "─", "┴", "┘"))
    lines += [params_line("Total", trainable + non_trainable), params_line("Trainable", trainable),
              params_line("Non-trainable", non_trainable)]
    return "\n".join(lines)
