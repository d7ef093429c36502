"""What a drawing is made of: positioned boxes, lines, polygons and labels, in paint order. The layout makes them
once; svg.py writes them out (and png.py renders that SVG)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.export.fonts import Font


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str | None = None
    rx: float = 0
    dash: str | None = None
    stroke_width: float = 1


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.5
    dash: str | None = None


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    rx: float
    ry: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # the baseline
    text: str
    font: Font
    colour: str
    anchor: str = "start"  # start, end, middle
    full: str | None = None  # the whole text when the shown one was cut (an SVG <title>)


@dataclass
class Group:
    """One layer's block (or a branch's frame): a <g> with a class and a tooltip naming it."""

    kind: str
    shapes: list = field(default_factory=list)
    title: str | None = None


@dataclass
class Drawing:
    width: float
    height: float
    title: str
    lang: str
    shapes: list  # Box, Line, Polygon, Ellipse, Label or Group, in paint order
