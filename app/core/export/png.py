"""The drawing as PNG: the very SVG rendered by cairo (through CairoSVG), so the picture is the SVG pixel for pixel
and there is one drawing to keep right. Chosen over drawing it again with Pillow: cairo anti-aliases shapes and
places text as the SVG says, where a second renderer would be a second layout to keep in step. It needs Debian's
libcairo2 (the Makefile's system-deps target and the Dockerfile install it); without it, PNG answers say so.

Rendered at 2× (crisp on paper and on a projector) when that fits in the pixel limit, at 1× when only that fits
(text is never under 12 px there), else refused: such a model is drawn as SVG."""

from __future__ import annotations

from app.core.export.shapes2d import Drawing
from app.core.text import Text

SCALES = (2, 1)


class PngRefused(Exception):
    def __init__(self, status: int, text: Text):
        super().__init__(text.en)
        self.status, self.text = status, text


def png_scale(drawing: Drawing, max_pixels: int) -> int:
    for scale in SCALES:
        if drawing.width * drawing.height * scale * scale <= max_pixels:
            return scale
    pixels = drawing.width * drawing.height
    raise PngRefused(413, Text(
        f"the drawing is {drawing.width:,} × {drawing.height:,} px ({pixels:,} pixels), over the limit of "
        f"{max_pixels:,} pixels for a PNG (setting CNN_MAX_EXPORT_PIXELS); ask for format svg, which has no such limit",
        f"그림이 {drawing.width:,} × {drawing.height:,} px (픽셀 {pixels:,}개)로 PNG 한도 {max_pixels:,}개를 넘습니다 "
        "(설정 CNN_MAX_EXPORT_PIXELS); 한도가 없는 svg 형식으로 받으세요"))


def to_png(svg: str, scale: int) -> bytes:
    try:
        import cairosvg  # loads libcairo: only where a PNG is asked for
    except (ImportError, OSError) as error:
        raise PngRefused(503, Text(
            f"this server cannot draw PNG: the cairo library is missing ({type(error).__name__}); install Debian's "
            "libcairo2 (make system-deps), or ask for format svg",
            f"이 서버는 PNG를 그릴 수 없습니다: cairo 라이브러리가 없습니다 ({type(error).__name__}); 데비안의 libcairo2를 "
            "설치하거나 (make system-deps) svg 형식으로 받으세요"))
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale, unsafe=False)
