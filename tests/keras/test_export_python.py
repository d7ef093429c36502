"""POST /api/export format=python is code that runs: every preset, a zoo of unusual arguments and branching models
(a ResNet block with a projection shortcut, Inception, squeeze-and-excitation, an unused branch, keras.applications'
LayerScale and CustomScaleLayer, Normalization) executed by real Keras in a separate process on an 80-column
terminal print /api/shapes's summary character for character, with the same totals. Names that are not Python
identifiers, or that try to break out of a string or a comment, stay names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]
PRESETS = {p["id"]: p["model"] for p in json.loads((ROOT / "static/data/presets.json").read_text())["presets"]}

ZOO = [
    {"input_shape": [32, 32, 3], "layers": [
        {"type": "Conv2D", "filters": 8, "kernel_size": [3, 5], "strides": 2, "padding": "same", "use_bias": False},
        {"type": "DepthwiseConv2D", "kernel_size": 3, "depth_multiplier": 2, "dilation_rate": 2},
        {"type": "SeparableConv2D", "filters": 12, "kernel_size": 3, "padding": "SAME", "activation": "relu"},
        {"type": "Conv2DTranspose", "filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 1},
        {"type": "ZeroPadding2D", "padding": [[1, 2], [3, 4]]}, {"type": "Cropping2D", "cropping": [[0, 1], [2, 0]]},
        {"type": "UpSampling2D", "size": [2, 1], "interpolation": "bilinear"},
        {"type": "BatchNormalization", "center": False, "momentum": 0.9},
        {"type": "AveragePooling2D", "pool_size": 3, "strides": 2}, {"type": "SpatialDropout2D", "rate": 0.2, "trainable": False},
        {"type": "LeakyReLU", "negative_slope": 0.1}, {"type": "GlobalMaxPooling2D", "keepdims": True},
        {"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax", "name": "head"}]},
    {"input_shape": [40, 6], "layers": [
        {"type": "Conv1D", "filters": 8, "kernel_size": 5, "padding": "causal", "dilation_rate": 2, "groups": 2},
        {"type": "MaxPool1D", "pool_size": 3, "padding": "same"}, {"type": "LayerNormalization", "axis": [-1]},
        {"type": "AveragePooling1D", "pool_size": 2}, {"type": "Reshape", "target_shape": [-1, 4]},
        {"type": "GlobalAveragePooling1D"}, {"type": "Rescaling", "scale": 0.5, "offset": 1},
        {"type": "Dropout", "rate": 0.25}, {"type": "Dense", "units": 3, "use_bias": False},
        {"type": "ReLU", "max_value": 6}, {"type": "ELU", "alpha": 0.5}, {"type": "Softmax", "axis": -1}]},
    {"input_shape": [10, 10, 4], "layers": [
        {"type": "Normalization", "mean": [0.1, 0.2, 0.3, 0.4], "variance": [1, 2, 3, 4]},
        {"type": "Normalization", "axis": [1, 2], "mean": 0.5, "variance": 2.0, "invert": True},
        {"type": "Conv2D", "filters": 6, "kernel_size": 3, "trainable": False},
        {"type": "BatchNormalization", "trainable": False},
        {"type": "LayerScale", "init_values": 0.1, "projection_dim": 6}, {"type": "GlobalAveragePooling2D"}]},
]

BRANCHES = {
    "resnet_projection": {"input_shape": [32, 32, 64], "layers": [
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
    # Names that would end a string or a comment if written as they are: they must stay names, and run nothing.
    "hostile_names": {"input_shape": [8, 8, 3], "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "name": 'x")\nimport os\nos._exit(7)\n("'},
        {"type": "Conv2D", "filters": 4, "kernel_size": 1, "inputs": ["input"], "name": "side\nos._exit(8)"},
        {"type": "Conv2D", "filters": 2, "kernel_size": 1, "name": "합성곱 \u2028 <script>"},
        {"type": "Flatten", "inputs": ['x")\nimport os\nos._exit(7)\n("'], "name": "__init__"}]},
}

# What model.summary() prints goes to stdout as Keras prints it on an 80-column terminal; the runner's own answer is
# the last line: the parameter count, the summary and the layers' names.
RUNNER = """
import contextlib, io, json, sys
import keras
results = []
for code in json.load(sys.stdin):
    keras.backend.clear_session()
    scope, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, scope)
    model = scope["model"]
    results.append({"total": model.count_params(), "summary": printed.getvalue(),
                    "names": [layer.name for layer in model.layers]})
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(workers=0, training_workers=0))) as test_client:
        yield test_client


def exported(client, model: dict, **fields) -> str:
    response = client.post("/api/export", json={"model": model, "format": "python", **fields})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/x-python; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="model.py"'
    return response.text


def run_in_keras(codes: list[str]) -> list[dict]:
    done = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(codes), capture_output=True, text=True,
                          cwd=ROOT, timeout=900, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3",
                                                      "CUDA_VISIBLE_DEVICES": "", "COLUMNS": "80",
                                                      "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_preset_the_zoo_and_branching_models_run_in_keras_and_print_the_apis_summary(client):
    models = {**PRESETS, **{f"zoo{i}": model for i, model in enumerate(ZOO)}, **BRANCHES}
    answers = {name: client.post("/api/shapes", json=model).json() for name, model in models.items()}
    assert all(answer["valid"] for answer in answers.values())
    codes = {name: exported(client, model) for name, model in models.items()}
    runs = dict(zip(models, run_in_keras(list(codes.values())), strict=True))
    for name, run in runs.items():
        answer = answers[name]
        assert run["total"] == answer["total_params"], f"{name}:\n{codes[name]}"
        assert run["summary"] == answer["summary"] + "\n", f"{name}:\n{codes[name]}\n{run['summary']}"
        used = [layer["name"] for layer in answer["layers"] if layer["used"]]
        assert sorted(run["names"]) == sorted(used + (["input_layer"] if answer["functional"] else [])), name
    for name in BRANCHES:
        assert "keras.Model(inputs, " in codes[name] and "keras.Sequential" not in codes[name]
    assert "model = keras.Sequential([" in codes["vgg16"] and "keras.Model(" not in codes["vgg16"]


def test_the_functional_code_names_a_variable_after_each_layer_and_comments_the_ones_keras_leaves_out(client):
    code = exported(client, BRANCHES["unused_branch"]).splitlines()
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
    korean = exported(client, BRANCHES["unused_branch"], lang="ko")
    assert "# side는 출력으로 이어지지 않아 케라스가 모델에서 빼고, 파라미터도 합계에 넣지 않습니다." in korean
    code = exported(client, BRANCHES["inception"])
    assert 'layer_1x1 = layers.Conv2D(filters=64, kernel_size=1, activation="relu", name="1x1")(inputs)' in code
    assert 'max_ = layers.MaxPooling2D(pool_size=3, strides=1, padding="same", name="max")(inputs)' in code
    assert 'model_ = layers.Concatenate(name="model")([layer_1x1, conv2d_1, conv2d_3, pool_proj])' in code


def test_a_model_keras_cannot_build_is_written_with_a_comment_where_it_fails_and_raises_there(client):
    model = {"input_shape": [4, 4, 1], "layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 3},
                                                 {"type": "Conv2D", "filters": 2, "kernel_size": 5},
                                                 {"type": "Flatten"}]}
    code = exported(client, model)
    lines = code.splitlines()
    comment = lines.index("    # Keras refuses conv2d_1 here, so this line raises: kernel 5×5 is larger than its 2×2 "
                          "input; use padding='same' or a smaller kernel")
    assert lines[comment + 1] == "    layers.Conv2D(filters=2, kernel_size=5),"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode != 0 and "ValueError" in done.stderr
