"""Small pieces every benchmark's table uses: progress on stderr, percentiles, readable units."""

from __future__ import annotations

import sys


def progress(message: str) -> None:
    """Progress goes to stderr so that stdout holds only the table."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: always a value that was actually observed."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
    return ordered[int(rank) - 1]


def ms(seconds: float) -> str:
    if seconds < 0:  # a difference of two timings can be
        return "−" + ms(-seconds)
    if seconds >= 0.1:
        return f"{seconds * 1e3:,.0f} ms"
    if seconds >= 0.001:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def mb(kb: int) -> str:
    return f"{kb / 1024:,.0f} MB"


def row(label: str, value: str, width: int = 46) -> str:
    """One line of a table's prose part: the label padded so the values line up."""
    return f"{label:<{width}}{value}".rstrip()


BUSY_MACHINE_CORES = 0.25  # other processes' CPU above which a run is flagged as disturbed


def warn_if_disturbed(*others_cores: float) -> None:
    """Say so when other processes used the CPU during the measured phases: both sides' figures suffer."""
    if max(others_cores) > BUSY_MACHINE_CORES:
        progress("other processes were busy during this run: the figures understate both sides; "
                 "rerun on a quiet machine")


def side_by_side(title: str, columns: list[str], rows, label_width: int, column_width: int) -> list[str]:
    """A title line, then the column names and one line per (label, cells) row, the cells right-aligned."""
    lines = [title, "", " " * label_width + "".join(f"{name:>{column_width}}" for name in columns)]
    for label, cells in rows:
        lines.append((f"{label:<{label_width}}" + "".join(f"{cell:>{column_width}}" for cell in cells)).rstrip())
    return lines
