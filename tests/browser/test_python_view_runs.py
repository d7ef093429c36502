"""The Python view is code that runs: every preset's, and a zoo of layers with unusual arguments, executed
by real Keras in a separate process, must build the model with exactly the parameter count the page shows.
Models with branches are written with the functional API, and what their code prints is /api/shapes's summary,
character for character."""

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
    {"input_shape": [10, 10, 4], "layers": [
        {"type": "Normalization", "mean": [0.1, 0.2, 0.3, 0.4], "variance": [1, 2, 3, 4]},
        {"type": "Normalization", "axis": [1, 2], "mean": 0.5, "variance": 2.0, "invert": True},
        {"type": "Conv2D", "filters": 6, "kernel_size": 3}, {"type": "LayerScale", "init_values": 0.1, "projection_dim": 6},
        {"type": "GlobalAveragePooling2D"}]},
]

# Each body's layers name their inputs, so the page writes the functional API: ResNet's basic block with a strided
# 1×1 projection on the shortcut, an Inception module, a squeeze-and-excitation block, a branch that leads nowhere,
# and the layers keras.applications define for themselves. Some names are not Python identifiers, or are Python's.
BRANCHES = {
    "resnet": {"input_shape": [32, 32, 64], "layers": [
        {"type": "Conv2D", "filters": 128, "kernel_size": 3, "strides": 2, "padding": "same", "use_bias": False},
        {"type": "BatchNormalization"}, {"type": "ReLU"},
        {"type": "Conv2D", "filters": 128, "kernel_size": 3, "padding": "same", "use_bias": False},
        {"type": "BatchNormalization"},
        {"type": "Conv2D", "filters": 128, "kernel_size": 1, "strides": 2, "use_bias": False, "inputs": ["input"],
         "name": "shortcut"},
        {"type": "BatchNormalization", "name": "shortcut-bn"},
        {"type": "Add", "inputs": ["batch_normalization_1", "shortcut-bn"]}, {"type": "ReLU"},
        {"type": "GlobalAveragePooling2D"}, {"type": "Dense", "units": 10, "activation": "softmax"}]},
    "inception": {"input_shape": [28, 28, 192], "layers": [
        {"type": "Conv2D", "filters": 64, "kernel_size": 1, "activation": "relu", "name": "1x1"},
        {"type": "Conv2D", "filters": 96, "kernel_size": 1, "activation": "relu", "inputs": ["input"]},
        {"type": "Conv2D", "filters": 128, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "Conv2D", "filters": 16, "kernel_size": 1, "activation": "relu", "inputs": ["input"]},
        {"type": "Conv2D", "filters": 32, "kernel_size": 5, "padding": "same", "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 3, "strides": 1, "padding": "same", "inputs": ["input"], "name": "max"},
        {"type": "Conv2D", "filters": 32, "kernel_size": 1, "activation": "relu", "name": "pool proj"},
        {"type": "Concatenate", "inputs": ["1x1", "conv2d_1", "conv2d_3", "pool proj"], "name": "model"}]},
    "squeeze_excite": {"input_shape": [16, 16, 32], "layers": [
        {"type": "Conv2D", "filters": 32, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "GlobalAveragePooling2D", "keepdims": True},
        {"type": "Dense", "units": 8, "activation": "relu", "name": "squeeze"},
        {"type": "Dense", "units": 32, "activation": "sigmoid", "name": "excite"},
        {"type": "Multiply", "inputs": ["conv2d", "excite"]},
        {"type": "Conv2D", "filters": 16, "kernel_size": 1, "name": "inputs"}]},
    "unused_branch": {"input_shape": [12, 12, 3], "layers": [
        {"type": "Conv2D", "filters": 8, "kernel_size": 3},
        {"type": "Conv2D", "filters": 16, "kernel_size": 1, "inputs": ["input"], "name": "side"},
        {"type": "Flatten"},
        {"type": "Dense", "units": 4, "inputs": ["side"]},
        {"type": "GlobalAveragePooling2D", "inputs": ["conv2d"]}, {"type": "Dense", "units": 3}]},
    "applications": {"input_shape": [16, 16, 3], "layers": [
        {"type": "Normalization", "axis": None, "mean": 0.5, "variance": 0.25},
        {"type": "Normalization", "mean": [0.5, 0.4, 0.3], "variance": [0.25, 0.2, 0.1], "inputs": ["input"]},
        {"type": "Add", "inputs": ["normalization", "normalization_1"]},
        {"type": "Conv2D", "filters": 24, "kernel_size": 1},
        {"type": "Conv2D", "filters": 24, "kernel_size": 3, "padding": "same", "inputs": ["add"]},
        {"type": "LayerScale", "init_values": 1e-6, "projection_dim": 24},
        {"type": "CustomScaleLayer", "scale": 0.17, "inputs": ["conv2d", "layer_scale"]}]},
}

# What model.summary() prints goes to stdout as Keras prints it to an 80-column terminal; the runner's own
# answer is the last line.
RUNNER = """
import contextlib, io, json, sys
import tensorflow as tf
results = []
for code in json.load(sys.stdin):
    tf.keras.backend.clear_session()
    scope, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, scope)
    results.append({"total": scope["model"].count_params(), "summary": printed.getvalue()})
print(json.dumps(results))
"""


def page_total(page) -> int:
    expect(totals(page)).to_contain_text("Total params")
    return int(re.search(r"Total params: ([\d,]+)", totals(page).inner_text()).group(1).replace(",", ""))


def page_summary(page) -> str:
    """The Summary view's text: /api/shapes's summary of the model the page holds."""
    return page.locator("#summary-text").text_content()


def python_view(page) -> str:
    """The Python view's text once the server's code for the model on the page has arrived."""
    page.get_by_role("tab", name="Python").click()
    expect(page.locator("#python-text")).not_to_have_attribute("aria-busy", "true")
    code = page.locator("#python-text").text_content()
    page.get_by_role("tab", name="Blocks").click()
    return code


def run_in_keras(codes: list[str]) -> list[dict]:
    """Each code's parameter count and what it printed, from a fresh Keras session each."""
    done = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(codes), capture_output=True, text=True,
                          cwd=ROOT, env={"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "COLUMNS": "80",
                                         "PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin"}, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_presets_python_view_and_a_zoo_of_arguments_run_in_keras_and_print_the_pages_summary(page):
    open_page(page)
    shown = {}
    for preset in PRESETS:
        page.locator("#presets-menu summary").click()
        page.locator(f"[data-preset={preset}]").click()
        expect(totals(page)).not_to_contain_text("…")
        shown[preset] = (python_view(page), page_total(page), page_summary(page))
    for number, model in enumerate(ZOO):
        open_page(page, model=model)
        shown[f"zoo{number}"] = (python_view(page), page_total(page), page_summary(page))
    runs = dict(zip(shown, run_in_keras([code for code, _, _ in shown.values()]), strict=True))
    assert {name: run["total"] for name, run in runs.items()} == {name: total for name, (_, total, _) in shown.items()}
    for name, (code, _, summary) in shown.items():
        assert runs[name]["summary"] == summary + "\n", f"{name}:\n{code}\n{runs[name]['summary']}"


def run_branches(page, models: dict[str, dict]) -> dict[str, tuple[str, dict, dict]]:
    """name -> (the page's Python view, /api/shapes's answer, Keras's run of the view)."""
    shown = {}
    for name, model in models.items():
        open_page(page, model=model)
        answer = page.request.post("/api/shapes", data=model).json()
        assert answer["valid"] and answer["functional"], (name, answer["error"])
        # The page holds the model the link gave: it shows the same summary (its branches in the same order).
        expect(page.locator("#summary-text")).to_have_text(answer["summary"])
        assert page_total(page) == answer["total_params"], name
        shown[name] = (python_view(page), answer)
    runs = run_in_keras([code for code, _ in shown.values()])
    return {name: (code, answer, run) for (name, (code, answer)), run in zip(shown.items(), runs, strict=True)}


def test_branching_models_are_written_with_the_functional_api_and_print_the_apis_summary_in_keras(page):
    for name, (code, answer, run) in run_branches(page, BRANCHES).items():
        assert "keras.Model(inputs, " in code, code
        assert run["total"] == answer["total_params"], f"{name}:\n{code}"
        assert run["summary"] == answer["summary"] + "\n", f"{name}:\n{code}\n{run['summary']}"


def test_an_unadapted_normalization_prints_the_apis_summary_in_keras(page):
    model = {"input_shape": [8, 8, 3], "layers": [
        {"type": "Normalization"}, {"type": "Conv2D", "filters": 3, "kernel_size": 1, "inputs": ["input"]},
        {"type": "Add", "inputs": ["normalization", "conv2d"]}]}
    (code, answer, run), = run_branches(page, {"normalization": model}).values()
    assert run["total"] == answer["total_params"]
    assert run["summary"] == answer["summary"] + "\n", f"{code}\n{run['summary']}"


def test_the_functional_code_names_a_variable_after_each_layer_and_marks_those_keras_leaves_out(page):
    open_page(page, model=BRANCHES["unused_branch"])
    code = python_view(page).splitlines()
    assert code[code.index("inputs = keras.Input(shape=(12, 12, 3))") + 1:] == [
        'conv2d = layers.Conv2D(filters=8, kernel_size=3, name="conv2d")(inputs)',
        "# side does not lead to the output, so Keras leaves it out of the model and its parameters out of the totals.",
        'side = layers.Conv2D(filters=16, kernel_size=1, name="side")(inputs)',
        "# flatten does not lead to the output, so Keras leaves it out of the model and its parameters out of the totals.",
        'flatten = layers.Flatten(name="flatten")(side)',
        "# dense does not lead to the output, so Keras leaves it out of the model and its parameters out of the totals.",
        'dense = layers.Dense(units=4, name="dense")(side)',
        'global_average_pooling2d = layers.GlobalAveragePooling2D(name="global_average_pooling2d")(conv2d)',
        'dense_1 = layers.Dense(units=3, name="dense_1")(global_average_pooling2d)',
        'model = keras.Model(inputs, dense_1, name="functional")',
        "model.summary()"]
    # Names that are not identifiers, or are Python's or the code's own, become the nearest free identifier.
    open_page(page, model=BRANCHES["inception"])
    code = python_view(page)
    assert 'layer_1x1 = layers.Conv2D(filters=64, kernel_size=1, activation="relu", name="1x1")(inputs)' in code
    assert 'max_ = layers.MaxPooling2D(pool_size=3, strides=1, padding="same", name="max")(inputs)' in code
    assert 'pool_proj = layers.Conv2D(filters=32, kernel_size=1, activation="relu", name="pool proj")(max_)' in code
    assert 'model_ = layers.Concatenate(name="model")([layer_1x1, conv2d_1, conv2d_3, pool_proj])' in code
    assert 'model = keras.Model(inputs, model_, name="functional")' in code


def test_the_comment_on_a_layer_keras_leaves_out_speaks_korean_too(page):
    open_page(page, path="/?lang=ko", model=BRANCHES["unused_branch"])
    page.get_by_role("tab", name="파이썬").click()
    expect(page.locator("#python-text")).to_contain_text("# side는 출력으로 이어지지 않아 케라스가 모델에서 빼고")


def test_a_plain_stack_stays_a_sequential_model(page):
    open_page(page, model=ZOO[1])
    code = python_view(page)
    assert "model = keras.Sequential([" in code and "keras.Model(" not in code and "name=" not in code
