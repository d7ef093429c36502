"""A drawing written as SVG text. Every text comes from the drawing's labels (layer names are user input): escaped
for XML, and characters XML cannot hold at all (control characters, lone surrogates) replaced, so any name stays
text and the document always parses."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from app.core.export.shapes2d import Box, Drawing, Ellipse, Group, Label, Line, Polygon

# Not allowed in XML 1.0 even as a character reference; surrogates cannot be encoded either.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    """Text safe inside an element or attribute: escaped, with what XML cannot hold replaced by U+FFFD.

    >>> clean('<script>alert("x")</script>')
    '&lt;script&gt;alert("x")&lt;/script&gt;'
    >>> clean("a\\x00b")
    'a\ufffdb'
    """
    return escape(NOT_XML.sub("\ufffd", text))


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _paint(fill: str | None, stroke: str | None, width: float = 1, dash: str | None = None) -> str:
    out = f' fill="{fill}"' if fill else ' fill="none"'
    if stroke:
        colour, opacity = (stroke[:7], f' stroke-opacity="{int(stroke[7:], 16) / 255:.2f}"') if len(stroke) == 9 else (stroke, "")
        out += f' stroke="{colour}"{opacity} stroke-width="{_n(width)}"'
    if dash:
        out += f' stroke-dasharray="{dash}"'
    return out


def _shape(shape) -> str:
    if isinstance(shape, Group):
        title = f"<title>{clean(shape.title)}</title>" if shape.title else ""
        return f'<g class="{shape.kind}">{title}{"".join(_shape(s) for s in shape.shapes)}</g>'
    if isinstance(shape, Box):
        rx = f' rx="{_n(shape.rx)}"' if shape.rx else ""
        return (f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" height="{_n(shape.h)}"{rx}'
                f"{_paint(shape.fill, shape.stroke, shape.stroke_width, shape.dash)}/>")
    if isinstance(shape, Line):
        return (f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" y2="{_n(shape.y2)}"'
                f'{_paint(None, shape.stroke, shape.width, shape.dash)} stroke-linecap="round"/>')
    if isinstance(shape, Polygon):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        return f'<polygon points="{points}"{_paint(shape.fill, shape.stroke, 0.6)} stroke-linejoin="round"/>'
    if isinstance(shape, Ellipse):
        return (f'<ellipse cx="{_n(shape.cx)}" cy="{_n(shape.cy)}" rx="{_n(shape.rx)}" ry="{_n(shape.ry)}"'
                f"{_paint(shape.fill, shape.stroke, 0.6)}/>")
    if isinstance(shape, Label):
        font = shape.font
        weight = ' font-weight="bold"' if font.bold else ""
        anchor = f' text-anchor="{shape.anchor}"' if shape.anchor != "start" else ""
        title = f"<title>{clean(shape.full)}</title>" if shape.full else ""
        return (f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-family={quoteattr(font.stack)} '
                f'font-size="{font.size}"{weight}{anchor} fill="{shape.colour}">{title}{clean(shape.text)}</text>')
    raise TypeError(f"cannot draw {shape!r}")


def to_svg(drawing: Drawing) -> str:
    w, h = _n(drawing.width), _n(drawing.height)
    return "".join([
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'lang="{drawing.lang}" font-family="sans-serif">',
        f"<title>{clean(drawing.title)}</title>",
        *(_shape(shape) for shape in drawing.shapes),
        "</svg>\n",
    ])
