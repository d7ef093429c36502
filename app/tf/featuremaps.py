"""One forward pass that returns what every layer makes of an image, drawn as mosaics.

Runs in a worker process. Built models are cached by (spec, seed): the same
seed gives the same initial weights, so the same image gives the same maps.
"""

from __future__ import annotations

import gc
import json
from collections import OrderedDict

import keras
import numpy as np

from app.config import Settings
from app.core.spec import ModelSpec, validate_model
from app.core.summary import FLOAT32_BYTES
from app.core.text import Text, clip
from app.imaging import as_pixels, decode_upload, grid_for, mosaic, png_data_url, to_grey, to_model_input
from app.jobs.errors import InputRefused
from app.tf.build import Built, build

_CACHE: OrderedDict[str, tuple[keras.Model, Built]] = OrderedDict()
MB = 1024 * 1024
CACHE_SHARE_OF_MEMORY = 4  # cached weights may take a quarter of the worker's memory limit
_imports_frozen = False


def run(payload: dict) -> dict:
    """The picture is decoded here, not in the web process: decoding holds the GIL for seconds on a large
    picture, and a decoded one is hundreds of MB that a waiting request would otherwise hold."""
    settings = Settings(**payload["settings"])
    picture = decode_upload(payload["picture"], settings.max_upload_bytes, settings.max_image_pixels)
    image = to_model_input(picture, *payload["input_shape"])
    del picture
    probe, built = _probe(payload["model"], payload["seed"], payload["weight_bytes"], settings, payload.get("weights"))
    outputs = probe([image], training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    layers = [_describe(layer, np.asarray(out)[0], settings) for layer, out in zip(built.layers, outputs)]
    if payload.get("kernels_before"):  # the run's seed gives back the weights its training started from
        _, untrained = _probe(payload["model"], payload["seed"], payload["weight_bytes"], settings)
        for described, layer in zip(layers, untrained.layers):
            before = _kernels(layer, settings)
            if before is not None:
                described["kernels_before"] = before
    return {"input": png_data_url(as_pixels(image[0])), "layers": layers}


def _probe(spec: dict, seed: int, weight_bytes: int, settings: Settings,
           weights: str | None = None) -> tuple[keras.Model, Built]:
    """A model whose outputs are every layer's output, built once per (spec, seed) or (spec, trained weights).

    Trained weights are loaded into a model built from our validated spec: only the weights file is read.
    Every layer of the spec is an output, also one that does not lead to the model's output (it has no
    trained weights then, and keeps its seeded ones)."""
    key = json.dumps([spec, seed, weights], sort_keys=True)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    valid = validate_model(ModelSpec.model_validate(spec), settings)
    _make_room(weight_bytes, settings)
    keras.utils.set_random_seed(seed)
    built = build(valid)
    if weights is not None:
        _load_weights(built.model, weights)
    probe = keras.Model(built.model.inputs, built.outputs)
    _CACHE[key] = (probe, built)
    return probe, built


def _load_weights(model: keras.Model, weights: str) -> None:
    try:
        model.load_weights(weights)
    except Exception as error:  # h5py, Keras and numpy each raise their own kind for a file that does not fit
        reason = clip(f"{type(error).__name__}: {error}", 300)
        raise InputRefused(Text(
            f"the weights could not be loaded into the model built from its architecture ({reason}); a model nested "
            "inside another is opened up in its place, and its weights cannot follow", "가중치를 구조대로 만든 모델에 "
            f"불러올 수 없습니다 ({reason}); 모델 안에 든 모델은 풀어서 열기 때문에 그 가중치는 따라오지 못합니다")) from error


def _make_room(new_bytes: int, settings: Settings) -> None:
    """Evict cached models until the new one fits, by count and by weight size.

    By size too: building takes a few times a model's weight bytes, so three VGG16s (528 MB of weights
    each) would take a worker over its memory limit even though the cache holds far fewer than its count."""
    budget = settings.worker_memory_mb * MB // CACHE_SHARE_OF_MEMORY
    while _CACHE and (len(_CACHE) >= settings.worker_model_cache
                      or sum(_cached_bytes(m) for _, m in _CACHE.values()) + new_bytes > budget):
        _CACHE.popitem(last=False)
    _free_evicted_models()


def _cached_bytes(built: Built) -> int:
    return built.model.count_params() * FLOAT32_BYTES


def _free_evicted_models() -> None:
    """Free the models that left the cache before building another.

    A Keras model is a web of reference cycles, so an evicted one waits for the cycle collector's full passes,
    which come rarely: a worker grew by about 43 MB per 100 new models (bench/featuremaps.py). A full pass over
    everything TensorFlow has loaded costs ~100 ms, so what exists after the imports is frozen first (never
    scanned again) and each pass then costs a few ms; measured: no growth, same median, lower p99."""
    global _imports_frozen
    if not _imports_frozen:
        gc.freeze()
        _imports_frozen = True
    gc.collect()


def _describe(layer: keras.layers.Layer, values: np.ndarray, settings: Settings) -> dict:
    channels_first = getattr(layer, "data_format", "channels_last") == "channels_first"
    out = {"stats": {"min": float(values.min()), "max": float(values.max()),
                     "mean": float(values.mean(dtype=np.float64))}}  # float32 sums overflow on large activations
    if values.ndim == 3:
        out.update(_spatial(np.moveaxis(values, 0, -1) if channels_first else values, settings))
    else:
        flat = values.reshape(-1)
        out["values"] = flat[: settings.max_flat_values].tolist()
        out["truncated"] = flat.size > settings.max_flat_values
    kernels = _kernels(layer, settings)
    if kernels is not None:
        out["kernels"] = kernels
    return out


def _spatial(values: np.ndarray, settings: Settings) -> dict:
    """(H, W, C) as one grey mosaic, one H×W tile per channel, on one scale for the whole layer."""
    height, width, channels = values.shape
    shown = max(1, min(channels, settings.max_mosaic_pixels // max(1, height * width)))
    tiles = np.moveaxis(values[:, :, :shown], -1, 0)
    grid = grid_for(shown)
    pixels = mosaic(to_grey(tiles, float(values.min()), float(values.max())), grid)
    return {"image": png_data_url(pixels), "grid": list(grid), "tile": [height, width],
            "channels": channels, "channels_shown": shown}


def _kernel_tiles(layer: keras.layers.Layer) -> tuple[np.ndarray, str] | None:
    """Kernel weights as tiles (N, kh, kw) and how they are ordered, for the 2-D convolutions."""
    name = type(layer).__name__
    if name not in ("Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D"):
        return None
    weights = layer.get_weights()[0]  # the (depthwise) kernel comes first for all four
    if name == "Conv2D":  # (kh, kw, in/groups, filters): a row per filter, a column per input channel
        return np.transpose(weights, (3, 2, 0, 1)), "filter_by_input"
    if name == "Conv2DTranspose":  # (kh, kw, filters, in)
        return np.transpose(weights, (2, 3, 0, 1)), "filter_by_input"
    kh, kw, cin, mult = weights.shape  # depthwise (kh, kw, in, multiplier): one tile per output channel
    return np.transpose(weights, (2, 3, 0, 1)).reshape(cin * mult, 1, kh, kw), "per_channel"


def _kernels(layer: keras.layers.Layer, settings: Settings) -> dict | None:
    found = _kernel_tiles(layer)
    if found is None:
        return None
    tiles, layout = found
    rows, cols = tiles.shape[:2]
    rows = min(rows, settings.max_kernel_tiles)
    cols = min(cols, max(1, settings.max_kernel_tiles // rows))
    shown = tiles[:rows, :cols]
    scale = float(np.abs(tiles).max()) or 1.0  # symmetric: mid-grey is 0, white positive, black negative
    flat = shown.reshape(rows * cols, *shown.shape[2:])
    grid = (rows, cols) if layout == "filter_by_input" else grid_for(rows)
    pixels = mosaic(to_grey(flat, -scale, scale), grid)
    return {"image": png_data_url(pixels), "grid": list(grid), "tile": list(shown.shape[2:]), "layout": layout,
            "range": [-scale, scale], "truncated": shown.shape[:2] != tiles.shape[:2]}
