"""Pictures in and out: safe decoding of uploads, conversion to a model input, PNG mosaics.

No TensorFlow here: the web process decodes and checks uploads itself (so a
bad file never reaches a worker), and workers use the same helpers to draw.
"""

from __future__ import annotations

import base64
import io
import math
import struct
import zlib
from contextlib import contextmanager

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.text import Text, clip
from app.jobs.errors import InputRefused

ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ImageError(InputRefused):
    """A picture we refuse; ``status`` is 413 for too large, 422 otherwise."""


# Pillow's own bomb check raises at twice its built-in limit (about 89 Mpx) with words of its own, before ours
# could say "over CNN_MAX_IMAGE_PIXELS" with a 413. We check the header against our setting before any
# decoding, so Pillow's check is switched off (in this process and in the workers, which import this module).
Image.MAX_IMAGE_PIXELS = None


def check_upload(data: bytes, max_bytes: int, max_pixels: int) -> None:
    """Refuse from the header alone, without decoding: size, format, pixel count.

    Cheap enough for the web process: it reads a few bytes of the file, so a bad upload is answered at once,
    and only a picture that can be decoded within the limits is handed to a worker."""
    if len(data) > max_bytes:
        raise ImageError(Text(f"the image is {len(data):,} bytes; the limit is {max_bytes:,} (setting CNN_MAX_UPLOAD_BYTES)",
                              f"이미지가 {len(data):,}바이트로 한도 {max_bytes:,}바이트를 넘습니다 (설정 CNN_MAX_UPLOAD_BYTES)"), 413)
    if not data:
        raise ImageError(Text("the image file is empty", "이미지 파일이 비어 있습니다"))
    with _readable():
        _check_header(Image.open(io.BytesIO(data)), max_pixels)


def decode_upload(data: bytes, max_bytes: int, max_pixels: int) -> Image.Image:
    """The first frame of an uploaded picture as 8-bit RGB, or a clear refusal. Decodes: run it in a worker."""
    check_upload(data, max_bytes, max_pixels)
    with _readable():
        image = Image.open(io.BytesIO(data))
        image.load()
    return to_rgb(image)


@contextmanager
def _readable():
    """Pillow's many ways of saying a file will not decode, as one ImageError for people."""
    try:
        yield
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(Text("this file is not an image we can read; upload a PNG, JPEG, GIF, BMP or WebP",
                              "읽을 수 있는 이미지가 아닙니다; PNG, JPEG, GIF, BMP, WebP 파일을 올려 주세요"))
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as error:
        raise ImageError(Text(f"the image is truncated or corrupt ({clip(str(error))}); try saving it again",
                              f"이미지가 잘렸거나 손상되었습니다 ({clip(str(error))}); 다시 저장해 보세요"))


def _check_header(image: Image.Image, max_pixels: int) -> None:
    if image.format not in ALLOWED_FORMATS:
        raise ImageError(Text(f"{image.format} images are not accepted; upload a PNG, JPEG, GIF, BMP or WebP",
                              f"{image.format} 이미지는 받지 않습니다; PNG, JPEG, GIF, BMP, WebP 파일을 올려 주세요"))
    width, height = image.size
    if width * height > max_pixels:
        raise ImageError(Text(f"the image is {width}×{height} = {width * height:,} pixels; the limit is {max_pixels:,} "
                              "(setting CNN_MAX_IMAGE_PIXELS)",
                              f"이미지가 {width}×{height} = {width * height:,}픽셀로 한도 {max_pixels:,}픽셀을 넘습니다 "
                              "(설정 CNN_MAX_IMAGE_PIXELS)"), 413)


def to_rgb(image: Image.Image) -> Image.Image:
    """Any mode (palette, alpha, 16-bit, CMYK, greyscale) as 8-bit RGB; transparency shown over white."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if values.max() > 255 else 255.0
        image = Image.fromarray(np.clip(values / top * 255.0, 0, 255).astype(np.uint8), "L")
    if image.mode == "F":
        image = Image.fromarray(np.clip(np.asarray(image), 0, 255).astype(np.uint8), "L")
    if image.mode in ("P", "PA", "LA", "RGBA", "La") or "transparency" in image.info:
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")


def to_model_input(image: Image.Image, height: int, width: int, channels: int) -> np.ndarray:
    """As the tutorials do: resize to the input size, 1 or 3 channels, scale to [0, 1]. Shape (1, H, W, C)."""
    resized = image.resize((width, height), Image.Resampling.BILINEAR)
    if channels == 1:
        resized = resized.convert("L")
    array = np.asarray(resized, dtype=np.float32) / 255.0
    return array.reshape(1, height, width, channels)


def as_pixels(model_input: np.ndarray) -> np.ndarray:
    """A model input (H, W, 1 or 3) in [0, 1] back to 8-bit pixels (H, W) or (H, W, 3), to show what the model sees."""
    return drawable(np.rint(model_input * 255.0).astype(np.uint8))


def drawable(pixels: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 1) or (H, W, 3) as encode_png takes it: (H, W) grey or (H, W, 3) colour."""
    return pixels[:, :, 0] if pixels.shape[-1] == 1 else pixels


def png_data_url(pixels: np.ndarray) -> str:
    """A uint8 array (H, W) or (H, W, 3) as a data: URL."""
    return "data:image/png;base64," + base64.b64encode(encode_png(pixels)).decode("ascii")


def encode_png(pixels: np.ndarray) -> bytes:
    """A uint8 array (H, W) grey or (H, W, 3) RGB as PNG bytes, written here rather than by Pillow.

    Why: a large model's mosaics run to ten megapixels per answer, and Pillow tries several PNG filters on every
    row, which was half of VGG16 blocks 1-2's time (bench/featuremaps.py). Every row here uses the "Up" filter
    (the difference to the row above, one vectorised subtraction) and zlib's run-length strategy: about three
    times faster, and smaller, on feature maps (runs of equal values, zeros after ReLU).

    >>> grey = (np.arange(12, dtype=np.uint8) * 20).reshape(3, 4)
    >>> rgb = np.stack([grey, 255 - grey, grey // 2], axis=-1)
    >>> [np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(p)))), p) for p in (grey, rgb)]
    [True, True]
    """
    height, width = pixels.shape[:2]
    rows = np.ascontiguousarray(pixels, dtype=np.uint8).reshape(height, -1)
    filtered = np.empty((height, rows.shape[1] + 1), dtype=np.uint8)
    filtered[:, 0] = 2  # the filter type byte that starts each row: 2 is "Up"
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # uint8 wraps around, as PNG's modulo-256 sum wants
    compressor = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    data = compressor.compress(filtered) + compressor.flush()
    colour_type = 2 if pixels.ndim == 3 else 0  # truecolour or greyscale, 8 bits per sample
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def grid_for(count: int) -> tuple[int, int]:
    """Rows and columns for a near-square mosaic of ``count`` tiles.

    >>> grid_for(32), grid_for(3), grid_for(1)
    ((4, 8), (2, 2), (1, 1))
    """
    cols = 2 ** math.ceil(math.log2(math.sqrt(count))) if count > 1 else 1
    cols = min(cols, count)
    return math.ceil(count / cols), cols


def mosaic(tiles: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """Tiles (N, h, w) laid out row by row with no gaps: (rows·h, cols·w); unused cells stay 0."""
    count, h, w = tiles.shape
    rows, cols = grid
    canvas = np.zeros((rows * cols, h, w), dtype=tiles.dtype)
    canvas[:count] = tiles
    return canvas.reshape(rows, cols, h, w).transpose(0, 2, 1, 3).reshape(rows * h, cols * w)


def to_grey(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Values mapped linearly from [low, high] to 0..255 (one scale for everything passed)."""
    if high <= low:
        return np.zeros(values.shape, dtype=np.uint8)
    # float32, in place: a large layer is millions of values, and float64 temporaries took five times as long
    # for grey levels that can differ by one step at most, and only exactly at a rounding boundary.
    scaled = np.subtract(values, low, dtype=np.float32)
    scaled *= 255.0 / (high - low)
    np.clip(scaled, 0, 255, out=scaled)
    return np.rint(scaled, out=scaled).astype(np.uint8)
