"""The Python view is code that runs: every preset's, and a zoo of layers with unusual arguments, executed
by real Keras in a separate process, must build the model with exactly the parameter count the page shows."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from blocks_page import open_page, totals
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.keras]

ROOT = Path(__file__).resolve().parents[2]
PRESETS = [p["id"] for p in json.loads((ROOT / "static/data/presets.json").read_text())["presets"]]

# Arguments the Python view must spell as Keras reads them: tuples, pairs of pairs, floats, strings, None.
ZOO = [
    {"input_shape": [32, 32, 3], "layers": [
        {"type": "Conv2D", "filters": 8, "kernel_size": [3, 5], "strides": 2, "padding": "same", "use_bias": False},
        {"type": "DepthwiseConv2D", "kernel_size": 3, "depth_multiplier": 2, "dilation_rate": 2},
        {"type": "SeparableConv2D", "filters": 12, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "Conv2DTranspose", "filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 1},
        {"type": "ZeroPadding2D", "padding": [[1, 2], [3, 4]]}, {"type": "Cropping2D", "cropping": [[0, 1], [2, 0]]},
        {"type": "UpSampling2D", "size": [2, 1], "interpolation": "bilinear"},
        {"type": "BatchNormalization", "center": False, "momentum": 0.9},
        {"type": "AveragePooling2D", "pool_size": 3, "strides": 2}, {"type": "SpatialDropout2D", "rate": 0.2},
        {"type": "LeakyReLU", "negative_slope": 0.1}, {"type": "GlobalMaxPooling2D", "keepdims": True},
        {"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax", "name": "head"}]},
    {"input_shape": [40, 6], "layers": [
        {"type": "Conv1D", "filters": 8, "kernel_size": 5, "padding": "causal", "dilation_rate": 2, "groups": 2},
        {"type": "MaxPooling1D", "pool_size": 3, "padding": "same"}, {"type": "LayerNormalization", "axis": [-1]},
        {"type": "AveragePooling1D", "pool_size": 2}, {"type": "Reshape", "target_shape": [-1, 4]},
        {"type": "GlobalAveragePooling1D"}, {"type": "Rescaling", "scale": 0.5, "offset": 1.0},
        {"type": "Dropout", "rate": 0.25}, {"type": "Dense", "units": 3, "use_bias": False},
        {"type": "ReLU", "max_value": 6.0}, {"type": "ELU", "alpha": 0.5}, {"type": "Softmax", "axis": -1}]},
]

RUNNER = """
import contextlib, io, json, sys
import tensorflow as tf
results = []
for code in json.load(sys.stdin):
    tf.keras.backend.clear_session()
    scope = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, scope)
    results.append(scope["model"].count_params())
print(json.dumps(results))
"""


def page_total(page) -> int:
    expect(totals(page)).to_contain_text("Total params")
    return int(re.search(r"Total params: ([\d,]+)", totals(page).inner_text()).group(1).replace(",", ""))


def python_view(page) -> str:
    page.get_by_role("tab", name="Python").click()
    code = page.locator("#python-text").inner_text()
    page.get_by_role("tab", name="Blocks").click()
    return code


def run_in_keras(codes: list[str]) -> list[int]:
    done = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(codes), capture_output=True, text=True,
                          cwd=ROOT, env={"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "",
                                         "PATH": "/usr/bin:/bin"}, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_presets_python_view_and_a_zoo_of_arguments_run_in_keras_with_the_pages_totals(page):
    open_page(page)
    shown = {}
    for preset in PRESETS:
        page.locator("#presets-menu summary").click()
        page.locator(f"[data-preset={preset}]").click()
        expect(totals(page)).not_to_contain_text("…")
        shown[preset] = (python_view(page), page_total(page))
    for number, model in enumerate(ZOO):
        open_page(page, model=model)
        shown[f"zoo{number}"] = (python_view(page), page_total(page))
    keras_totals = run_in_keras([code for code, _ in shown.values()])
    assert dict(zip(shown, keras_totals, strict=True)) == {name: total for name, (_, total) in shown.items()}
