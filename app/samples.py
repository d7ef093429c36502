"""Sample pictures drawn by the project itself (nothing is downloaded): shapes, a digit, a scene."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from app.core.text import Text

SIZE = 128
INK = (20, 20, 20)
PAPER = (255, 255, 255)


def _paper() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (SIZE, SIZE), PAPER)
    return image, ImageDraw.Draw(image)


def _circle() -> Image.Image:
    image, draw = _paper()
    draw.ellipse((24, 24, 104, 104), outline=INK, width=7)
    return image


def _triangle() -> Image.Image:
    image, draw = _paper()
    draw.line([(64, 20), (108, 104), (20, 104), (64, 20)], fill=INK, width=7, joint="curve")
    return image


def _rectangle() -> Image.Image:
    image, draw = _paper()
    draw.rectangle((22, 36, 106, 92), outline=INK, width=7)
    return image


def _digit() -> Image.Image:
    # White on black like MNIST, slightly blurred like a pen stroke.
    image = Image.new("RGB", (SIZE, SIZE), (0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.text((SIZE / 2, SIZE / 2), "7", fill=(255, 255, 255), anchor="mm", font=ImageFont.load_default(size=104))
    return image.filter(ImageFilter.GaussianBlur(1.2))


def _scene() -> Image.Image:
    """Photo-like: a sky gradient, a sun, hills, a house with sharp edges, a textured field."""
    y = np.linspace(0.0, 1.0, SIZE)[:, None, None]
    sky = (1 - y) * np.array([70, 130, 220]) + y * np.array([200, 225, 250])
    image = Image.fromarray(np.broadcast_to(sky, (SIZE, SIZE, 3)).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((88, 12, 116, 40), fill=(255, 214, 90))
    draw.polygon([(0, 84), (40, 56), (84, 80), (128, 60), (128, 128), (0, 128)], fill=(70, 140, 70))
    for x in range(0, SIZE, 6):
        draw.line([(x, 100), (x + 3, 128)], fill=(50, 110, 50), width=2)
    draw.rectangle((30, 70, 66, 100), fill=(200, 80, 60), outline=(60, 30, 20), width=2)
    draw.polygon([(26, 72), (48, 52), (70, 72)], fill=(120, 50, 40))
    draw.rectangle((43, 84, 53, 100), fill=(70, 40, 30))
    draw.rectangle((34, 76, 41, 83), fill=(240, 240, 200))
    return image


@dataclass(frozen=True)
class Sample:
    id: str
    name: Text
    draw: Callable[[], Image.Image]

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name.to_json(), "url": f"/api/samples/{self.id}.png",
                "size": [SIZE, SIZE]}


SAMPLES = {
    sample.id: sample
    for sample in (
        Sample("circle", Text("Circle", "원"), _circle),
        Sample("triangle", Text("Triangle", "삼각형"), _triangle),
        Sample("rectangle", Text("Rectangle", "직사각형"), _rectangle),
        Sample("digit", Text("Digit 7", "숫자 7"), _digit),
        Sample("scene", Text("Scene", "풍경"), _scene),
    )
}


@cache
def sample_png(sample_id: str) -> bytes:
    buffer = io.BytesIO()
    SAMPLES[sample_id].draw().save(buffer, format="PNG")
    return buffer.getvalue()
