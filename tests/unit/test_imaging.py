"""Upload decoding and mosaics, without TensorFlow."""

import io

import numpy as np
import pytest
from PIL import Image

from app.imaging import ImageError, decode_upload, grid_for, mosaic, to_grey, to_model_input
from app.samples import SAMPLES, sample_png

LIMITS = {"max_bytes": 10_000_000, "max_pixels": 4_000_000}


def encoded(image: Image.Image, format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format)
    return buffer.getvalue()


def test_transparent_pixels_are_shown_over_white():
    clear = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    assert decode_upload(encoded(clear), **LIMITS).getpixel((0, 0)) == (255, 255, 255)


def test_sixteen_bit_greyscale_is_scaled_not_clipped():
    deep = Image.fromarray(np.full((4, 4), 65535 // 2, dtype=np.uint16))
    value = decode_upload(encoded(deep), **LIMITS).getpixel((0, 0))
    assert value[0] == value[1] == value[2] and 120 <= value[0] <= 135


def test_palette_images_keep_their_colours():
    palette = Image.new("RGB", (4, 4), (10, 200, 30)).convert("P", palette=Image.Palette.ADAPTIVE)
    assert decode_upload(encoded(palette), **LIMITS).getpixel((1, 1)) == (10, 200, 30)


def test_only_the_first_frame_of_an_animation_is_used():
    frames = [Image.new("RGB", (4, 4), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    red, green, blue = decode_upload(buffer.getvalue(), **LIMITS).getpixel((0, 0))
    assert red > 200 and blue < 50


def test_pixel_limit_is_checked_before_decoding():
    with pytest.raises(ImageError) as refused:
        decode_upload(encoded(Image.new("1", (3000, 2000))), max_bytes=10_000_000, max_pixels=5_000_000)
    assert refused.value.status == 413


def test_model_input_is_resized_and_scaled_to_unit_range():
    array = to_model_input(Image.new("RGB", (50, 20), (255, 0, 51)), height=8, width=6, channels=3)
    assert array.shape == (1, 8, 6, 3) and array.dtype == np.float32
    assert np.allclose(array[0, 0, 0], [1.0, 0.0, 0.2])
    assert to_model_input(Image.new("RGB", (5, 5)), 5, 5, 1).shape == (1, 5, 5, 1)


def test_mosaic_places_tiles_row_by_row_without_gaps():
    tiles = np.stack([np.full((2, 3), i, dtype=np.uint8) for i in range(5)])
    grid = grid_for(5)
    canvas = mosaic(tiles, grid)
    assert canvas.shape == (grid[0] * 2, grid[1] * 3)
    assert canvas[0, 3] == 1 and canvas[2, 0] == grid[1]  # second tile, then the first of row two


def test_one_grey_scale_spans_the_whole_range():
    grey = to_grey(np.array([-1.0, 0.0, 1.0]), -1.0, 1.0)
    assert grey.tolist() == [0, 128, 255]
    assert to_grey(np.ones(3), 1.0, 1.0).tolist() == [0, 0, 0]


@pytest.mark.parametrize("sample_id", sorted(SAMPLES))
def test_samples_are_drawn_as_decodable_pngs(sample_id):
    image = decode_upload(sample_png(sample_id), **LIMITS)
    assert image.size == (128, 128)
    assert len(np.unique(np.asarray(image).reshape(-1, 3), axis=0)) > 1  # something is drawn
