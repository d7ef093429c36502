"""The model laid out as Keras 3's ``model.summary()`` prints it on an 80-column terminal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, partial

from app.config import get_settings
from app.core.memo import MAX_KEY_BYTES, Memo
from app.core.shapes import Shape, format_shape

# Keras: line_length = min(88, columns - 4) = 76 at 80 columns, split at 45% / 80% by rich,
# which leaves these cell widths (text plus one space of padding on each side).
CELL_WIDTHS = (33, 24, 15)
# A branching functional model adds "Connected to": min(108, columns - 4) = 76, split at 30% / 56% / 74%.
CONNECTED_WIDTHS = (21, 19, 12, 19)
HEADERS = ("Layer (type)", "Output Shape", "Param #", "Connected to")
FLOAT32_BYTES = 4


def readable_size(num_bytes: float) -> str:
    """Bytes as Keras's summary prints them.

    >>> readable_size(490280)
    '478.79 KB'
    >>> readable_size(0)
    '0.00 B'
    """
    units = ("B", "KB", "MB", "GB", "TB", "PB")
    for unit in units:
        if num_bytes / 1024 < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    # Keras divides once more before giving up, so 2**60 bytes print as "1.00 PB", not "1024.00 PB".
    return f"{num_bytes:.2f} {units[-1]}"


def params_line(label: str, count: int, int64_count: int = 0) -> str:
    """Keras sizes each weight by its dtype: float32, except an int64 here and there (Normalization's count).

    >>> params_line("Total", 122570), params_line("Non-trainable", 7, int64_count=1)
    (' Total params: 122,570 (478.79 KB)', ' Non-trainable params: 7 (32.00 B)')
    """
    return f" {label} params: {count:,} ({readable_size(count * FLOAT32_BYTES + int64_count * FLOAT32_BYTES)})"


# A word with the whitespace around it, as rich (which draws Keras's table) splits text.
_WORD = re.compile(r"\s*\S+\s*")
ELLIPSIS = "…"


def cell_width(text: str) -> int:
    """Terminal columns the text takes: Korean and other wide characters take two.

    >>> cell_width("dense"), cell_width("출력층")
    (5, 6)
    """
    if text.isascii() and text.isprintable():  # the usual case, and far cheaper than per-character lookups
        return len(text)
    return sum(map(_char_width, text))


@cache  # a summary of NASNetLarge measures about 100,000 characters from a few dozen distinct ones
def _char_width(char: str) -> int:
    if unicodedata.combining(char) or not char.isprintable():
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def wrap_cell(text: str, width: int) -> list[str]:
    """Lines of a table cell as Keras's summary shows them.

    Breaks only between words (never at hyphens); a word wider than the cell
    keeps its own line and is cut short with "…".

    >>> wrap_cell("global_average_pooling2d (GlobalAveragePooling2D)", 31)
    ['global_average_pooling2d', '(GlobalAveragePooling2D)']
    >>> wrap_cell("a_rather_long_layer_name_for_wrapping (Dense)", 31)
    ['a_rather_long_layer_name_for_w…', '(Dense)']
    """
    if "\n" not in text and cell_width(text) <= width:  # fits: most cells, on every request
        return [text]
    # ASCII takes one column a character: len() instead of a lookup per character (NASNetLarge's summary wraps
    # 20,000 cells; measuring them character by character was a third of its answer's time).
    measure = len if text.isascii() else cell_width
    lines = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for word in _WORD.findall(paragraph):
            if used and measure(word.rstrip()) > width - used:
                lines.append(line)
                line, used = "", 0
            line += word
            used += measure(word)
        lines.append(line)
    return [_cut(line.rstrip(), width) for line in lines]


def _cut(text: str, width: int) -> str:
    if cell_width(text) <= width:
        return text
    if text.isascii():  # one column per character: NASNet's long names cut by slicing, not one by one
        return text[: width - 1] + ELLIPSIS
    kept, used = "", 0
    for char in text:
        if used + _char_width(char) > width - 1:
            break
        kept += char
        used += _char_width(char)
    return kept + " " * (width - 1 - used) + ELLIPSIS  # a wide character cut in half leaves a space


def _pad(text: str, width: int, align: str) -> str:
    fill = width - cell_width(text) + len(text)  # ljust counts characters, and a wide one takes two columns
    return text.rjust(fill) if align == "r" else text.ljust(fill)


# A layer's lines, by its cells: wrapping NASNetLarge's long names and inputs was most of its summary's time, and a
# model sent again after an edit repeats almost every row.
_ROWS = Memo(get_settings().layer_memo_entries)


def _row_key(row: Row, widths: tuple[int, ...]) -> tuple | None:
    """None (not kept) for a long "Connected to" cell: a merge of 64 inputs with 100-character names would make a
    7 kB key, and a memo full of them 70 MB. NASNetLarge's longest (six inputs) is about 130 characters."""
    return None if len(row) == 5 and len(row[4]) > MAX_KEY_BYTES else (row, widths)


def _layer_row(row: Row, widths: tuple[int, ...]) -> list[str]:
    name, type_name, shape, params, *connected = row
    return _row((f"{name} ({type_name})", format_shape(shape), f"{params:,}", *connected), widths)


def _row(cells: Iterable[str], widths: tuple[int, ...], aligns: str = "llrl") -> list[str]:
    columns = [wrap_cell(cell, width - 2) for cell, width in zip(cells, widths)]
    height = max(len(c) for c in columns)
    lines = []
    for i in range(height):
        parts = []
        for column, width, align in zip(columns, widths, aligns):
            text = column[i] if i < len(column) else ""
            parts.append(f" {_pad(text, width - 2, align)} ")
        lines.append("│" + "│".join(parts) + "│")
    return lines


@cache
def _rule(left: str, fill: str, middle: str, right: str, widths: tuple[int, ...] = CELL_WIDTHS) -> str:
    return left + middle.join(fill * w for w in widths) + right


Row = tuple[str, str, Shape | None, int] | tuple[str, str, Shape | None, int, str]


def summary_text(rows: list[Row], trainable: int, non_trainable: int, model_name: str = "sequential",
                 int64_weights: int = 0) -> str:
    """rows: (layer name, class name, output shape, params[, connected to]) in order; with a fifth cell the table
    has Keras's "Connected to" column. ``int64_weights``: non-trainable weights Keras keeps in 8 bytes."""
    widths = CONNECTED_WIDTHS if rows and len(rows[0]) == 5 else CELL_WIDTHS
    header = [f" {t:<{w - 2}} " if a == "l" else f" {t:>{w - 2}} " for t, w, a in zip(HEADERS, widths, "llrl")]
    lines = [f'Model: "{model_name}"', _rule("┏", "━", "┳", "┓", widths), "┃" + "┃".join(header) + "┃",
             _rule("┡", "━", "╇", "┩", widths)]
    for i, row in enumerate(rows):
        if i:
            lines.append(_rule("├", "─", "┼", "┤", widths))
        lines += _ROWS.get(_row_key(row, widths), partial(_layer_row, row, widths))
    lines.append(_rule("└", "─", "┴", "┘", widths))
    lines += [params_line("Total", trainable + non_trainable, int64_weights), params_line("Trainable", trainable),
              params_line("Non-trainable", non_trainable, int64_weights)]
    return "\n".join(lines)
