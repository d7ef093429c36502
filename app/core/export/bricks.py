"""A layer's brick, as the page draws it (static/js/blocks/brick.js): the front face is the output's height ×
width, the depth its channels, a vector a flat plate, on a log scale so 8×8 and 224×224 both read; the colours
are the category's (static/css/blocks.css)."""

from __future__ import annotations

import math

from app.core.export.shapes2d import Box, Ellipse, Polygon

# front, top, side: the page's --brick, --brick-top, --brick-side per category
COLOURS = {
    "convolution": ("#5b84e8", "#a3bcf4", "#3d63c6"),
    "pooling": ("#2fae9c", "#86d6ca", "#1f8a7b"),
    "core": ("#eea23f", "#f7cd8d", "#c97f1f"),
    "reshaping": ("#9a86dd", "#c9bdf0", "#7762c2"),
    "normalization": ("#df7a9d", "#f0b2c7", "#bf587c"),
    "regularization": ("#8e9cb1", "#c3ccd9", "#6c7a90"),
    "activation": ("#e2bf4b", "#f0dc94", "#bd9a2b"),
    "preprocessing": ("#52b3d9", "#9bd5ec", "#3590b5"),
    "merging": ("#4fa36b", "#a2d6b1", "#36804f"),
    "input": ("#a5aebd", "#d0d6df", "#848ea1"),
}
FADED = ("#d5dae3", "#e6e9ef", "#c2c8d3")
VIEW_W, VIEW_H, SCALE = 112, 92, 0.54  # the page's view box, drawn at this scale
SLANT_X, SLANT_Y = 0.62, 0.42
EDGE = "#1018281f"


def _log2(n) -> float:
    return math.log2(max(1, n if n is not None else 1))


def _clamp(v: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, v))


def brick_size(shape) -> tuple[float, float, float]:
    """(width, height, depth) in the page's units for an output shape with its batch axis."""
    dims = [32 if d is None else d for d in shape[1:]]
    if len(dims) <= 1:
        return _clamp(8 + 5 * _log2(dims[0] if dims else 1), 8, 92), 7, 7
    if len(dims) == 2:
        return _clamp(10 + 7.5 * _log2(dims[0]), 8, 64), 9, _clamp(3 + 4 * _log2(dims[1]), 3, 44)
    h, w, c = dims[-3:]
    return _clamp(10 + 7.5 * _log2(w), 8, 64), _clamp(10 + 7.5 * _log2(h), 8, 64), _clamp(3 + 4 * _log2(c), 3, 44)


def brick(shape, category: str, x: float, y: float, faded: bool = False) -> list:
    """The brick's faces and studs, in a VIEW × SCALE box at (x, y)."""
    front, top_fill, side = FADED if faded else COLOURS.get(category, COLOURS["input"])
    w, h, d = brick_size(shape)
    dx, dy = d * SLANT_X, d * SLANT_Y
    x0 = (VIEW_W - w - dx) / 2
    bottom = (VIEW_H + h + dy) / 2 + 1
    top = bottom - h

    def at(px: float, py: float) -> tuple[float, float]:
        return round(x + px * SCALE, 2), round(y + py * SCALE, 2)

    shapes = [
        Polygon((at(x0 + w, top), at(x0 + w + dx, top - dy), at(x0 + w + dx, bottom - dy), at(x0 + w, bottom)), side, EDGE),
        Polygon((at(x0, top), at(x0 + dx, top - dy), at(x0 + w + dx, top - dy), at(x0 + w, top)), top_fill, EDGE),
        Box(*at(x0, top), w * SCALE, h * SCALE, front, EDGE, rx=0.6),
    ]
    across, back = int(_clamp(round(w / 17), 1, 4)), int(_clamp(round(d / 16), 1, 2))
    r = _clamp(min(w / across, 14) * 0.26, 1.6, 3.6)
    for j in range(back - 1, -1, -1):  # the back row first, so the front studs overlap it
        f = (j + 0.5) / back
        for i in range(across):
            cx, cy = x0 + (i + 0.5) / across * w + dx * f, top - dy * f
            shapes.append(Box(*at(cx - r, cy - r * 0.9), 2 * r * SCALE, r * 0.9 * SCALE, side))
            shapes.append(Ellipse(*at(cx, cy - r * 0.9), r * SCALE, r * 0.5 * SCALE, top_fill, EDGE))
    return shapes
