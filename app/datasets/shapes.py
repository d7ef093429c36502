"""Hand-drawn-looking circles, triangles and rectangles, like the lecture's handwriting_shape set: wobbly
strokes of varied thickness, size, position and rotation, drawn by the project, deterministic by seed."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

CLASSES = ("circle", "triangle", "rectangle")
SCALE = 4  # drawn 4× larger then shrunk: smooth strokes at 24×24


def _wobbly(points: list[tuple[float, float]], rng: np.random.Generator, amount: float) -> list[tuple[float, float]]:
    """A closed outline traced by hand: many small steps, each nudged a little, the nudges drifting."""
    traced, drift = [], np.zeros(2)
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        for t in np.linspace(0, 1, 8, endpoint=False):
            drift = 0.7 * drift + rng.normal(0, amount, 2)
            traced.append((x0 + (x1 - x0) * t + drift[0], y0 + (y1 - y0) * t + drift[1]))
    return traced + traced[:1]


def _outline(kind: str, rng: np.random.Generator, size: int) -> list[tuple[float, float]]:
    radius = rng.uniform(0.2, 0.38) * size
    cx, cy = (rng.uniform(radius + 1.5, size - radius - 1.5) for _ in range(2))
    turn = rng.uniform(0, 2 * math.pi)
    if kind == "circle":
        corners = [(cx + radius * math.cos(a), cy + radius * rng.uniform(0.8, 1.0) * math.sin(a))
                   for a in np.linspace(0, 2 * math.pi, 24, endpoint=False)]
    elif kind == "triangle":
        corners = [(cx + radius * math.cos(turn + a), cy + radius * math.sin(turn + a))
                   for a in (0, 2 * math.pi / 3, 4 * math.pi / 3)]
    else:
        half_w, half_h = radius, radius * rng.uniform(0.55, 1.0)
        turn = rng.uniform(-0.5, 0.5)
        corners = [(cx + x * math.cos(turn) - y * math.sin(turn), cy + x * math.sin(turn) + y * math.cos(turn))
                   for x, y in ((-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h))]
    return corners


def draw(kind: str, rng: np.random.Generator, size: int = 24) -> np.ndarray:
    """One picture (size, size, 3) uint8: dark ink on light paper, both a little off-white/off-black."""
    big = size * SCALE
    paper = int(rng.integers(228, 256))  # off-white paper, a little different each time
    image = Image.new("RGB", (big, big), (paper,) * 3)
    ink = tuple(int(v) for v in rng.integers(0, 60, 3))  # pencils and pens of dark colours
    outline = [(x * SCALE, y * SCALE) for x, y in _wobbly(_outline(kind, rng, size), rng, 0.18)]
    ImageDraw.Draw(image).line(outline, fill=ink, width=int(rng.integers(5, 10)), joint="curve")
    return np.asarray(image.resize((size, size), Image.Resampling.LANCZOS))


def generate(per_class: int, seed: int, size: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """``per_class`` pictures of each shape, classes interleaved, the same for the same seed."""
    rng = np.random.default_rng(seed)
    images = [draw(CLASSES[i % 3], rng, size) for i in range(per_class * len(CLASSES))]
    labels = (np.arange(len(images)) % len(CLASSES)).astype(np.uint8)  # the remainder first: uint8 wraps at 256
    return np.stack(images), labels
