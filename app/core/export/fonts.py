"""Fonts for the drawing, and how wide a text is in them.

The SVG names the font it was measured with, so text fits its block wherever the font is present: DejaVu Sans
(and Sans Mono) for Latin text, Nanum Gothic (and Gothic Coding) for a text with Hangul or other CJK characters,
whole texts either way (cairo, which renders the PNG, takes one font per text and does not fall back per glyph;
DejaVu has no Hangul). Widths come from the very files fontconfig picks for those names, through Pillow's FreeType:
what cairo draws. Where a font is missing, a generous estimate keeps text inside its box."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

LATIN = {False: "DejaVu Sans", True: "DejaVu Sans Mono"}  # by mono
CJK = {False: "NanumGothic", True: "NanumGothicCoding"}
# What an SVG viewer falls back to when the font is missing: wide faces first, so text still fits.
STACKS = {
    ("DejaVu Sans"): "'DejaVu Sans', Verdana, 'Noto Sans', Arial, sans-serif",
    ("DejaVu Sans Mono"): "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace",
    ("NanumGothic"): "NanumGothic, 'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif",
    ("NanumGothicCoding"): "NanumGothicCoding, 'Noto Sans Mono CJK KR', 'D2Coding', monospace",
}
FC_MATCH_TIMEOUT_S = 5


@dataclass(frozen=True)
class Font:
    family: str  # the first family in the SVG, the one cairo takes
    size: int
    bold: bool = False

    @property
    def stack(self) -> str:
        return STACKS[self.family]


def wide(char: str) -> bool:
    """Hangul, CJK and full-width characters: DejaVu has none of them."""
    code = ord(char)
    return 0x1100 <= code <= 0x11FF or 0x2E80 <= code <= 0xD7FF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def font_for(text: str, size: int, bold: bool = False, mono: bool = False) -> Font:
    families = CJK if any(wide(c) for c in text) else LATIN
    return Font(families[mono], size, bold)


def width(text: str, font: Font) -> float:
    """The text's advance width in px at the font's size."""
    face = _face(font.family, font.bold, font.size)
    if face is None:
        return sum(font.size * (1.0 if wide(c) else 0.66) for c in text)
    return face.getlength(text) * 1.02  # a little room for hinting differences between FreeType and cairo


@lru_cache(maxsize=64)
def _face(family: str, bold: bool, size: int):
    path = _font_file(family, bold)
    if path is None:
        return None
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return None


@lru_cache(maxsize=8)
def _font_file(family: str, bold: bool) -> str | None:
    """The file fontconfig gives for the family, as cairo will find it; None without fontconfig."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run([fc_match, "-f", "%{file}", f"{family}:{'bold' if bold else 'regular'}"],
                               capture_output=True, text=True, timeout=FC_MATCH_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found.stdout.strip() or None


def fit(text: str, font: Font, room: float) -> str:
    """The text, cut with an ellipsis where it would be wider than ``room``."""
    if width(text, font) <= room:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if width(text[:middle] + "…", font) <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…"
