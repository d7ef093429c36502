"""The classic models: per-layer rows, published totals, and the summary text line for line."""

from __future__ import annotations

import os

import keras
import pytest
from fastapi.testclient import TestClient
from keras_classics import CIFAR10_TUTORIAL, FASHION_MNIST_VGG, LENET5, LONG_NAMES, VGG16
from keras_compare import assert_same_as_keras, validated

from app.main import app
from app.tf.build import build_model

CLASSICS = {"cifar10_tutorial": CIFAR10_TUTORIAL, "fashion_mnist_vgg": FASHION_MNIST_VGG, "lenet5": LENET5,
            "long_names": LONG_NAMES}
# Totals as published (TensorFlow's CNN tutorial, the VGG paper's Keras port, LeNet-5 by hand).
PUBLISHED_TOTALS = {"cifar10_tutorial": 122_570, "lenet5": 61_706, "vgg16": 138_357_544}

client = TestClient(app)


def keras_summary(body: dict) -> str:
    """model.summary() as Keras prints it on an 80-column terminal, in a fresh session."""
    os.environ["COLUMNS"] = "80"  # Keras and rich size the table from the terminal
    keras.utils.clear_session()
    model = build_model(validated(body))
    lines: list[str] = []
    model.summary(print_fn=lambda text, **_: lines.append(text))
    return "".join(lines).rstrip("\n")


def api_shapes(body: dict) -> dict:
    response = client.post("/api/shapes", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def assert_summary_lines_equal(ours: str, theirs: str) -> None:
    our_lines, their_lines = ours.splitlines(), theirs.splitlines()
    for number, (mine, keras_line) in enumerate(zip(our_lines, their_lines)):
        assert mine == keras_line, f"line {number}:\nours:  {mine!r}\nKeras: {keras_line!r}"
    assert len(our_lines) == len(their_lines)


@pytest.mark.parametrize("name", CLASSICS)
def test_classic_model_rows_match_keras(name):
    mine, _ = assert_same_as_keras(CLASSICS[name])
    assert mine["valid"]
    if name in PUBLISHED_TOTALS:
        assert mine["total_params"] == PUBLISHED_TOTALS[name]


@pytest.mark.parametrize("name", CLASSICS)
def test_classic_model_summary_equals_keras_summary(name):
    body = CLASSICS[name]
    assert_summary_lines_equal(api_shapes(body)["summary"], keras_summary(body))


def test_vgg16_matches_keras_in_rows_totals_and_summary():
    # Built once (138 million weights take a few seconds): rows and summary come from the same model.
    os.environ["COLUMNS"] = "80"
    keras.utils.clear_session()
    model = build_model(validated(VGG16))
    lines: list[str] = []
    model.summary(print_fn=lambda text, **_: lines.append(text))
    mine = api_shapes(VGG16)
    rows = [(layer.name, list(layer.output.shape), layer.count_params()) for layer in model.layers]
    assert [(r["name"], r["output_shape"], r["params"]) for r in mine["layers"]] == rows
    assert mine["total_params"] == model.count_params() == PUBLISHED_TOTALS["vgg16"]
    assert_summary_lines_equal(mine["summary"], "".join(lines).rstrip("\n"))


NAMED = {
    "word_wider_than_the_cell": "x" * 80,
    "words_that_wrap": "averylongname and words separated by spaces",
    "hyphens_do_not_break": "ab-cd-ef-gh-ij-kl-mn-op-qr-st-uv-wx-yz",
    "korean_takes_two_columns": "합성곱 층 이름이 아주 길어서 줄이 바뀌는 경우",
    "korean_cut_in_the_middle": "가" * 40,
    "several  spaces   inside": "a  b   c" + " " * 30 + "d",
    "line_break_inside": "first line\nsecond",
    "exactly_31_columns": "n" * 31,
    "32_columns_with_class": "n" * 22 + " (Dense)",
}


@pytest.mark.parametrize("name", NAMED.values(), ids=NAMED.keys())
def test_summary_wraps_layer_names_like_keras(name):
    body = {"input_shape": [4], "layers": [{"type": "Dense", "units": 2, "name": name}, {"type": "Dense", "units": 3}]}
    assert_summary_lines_equal(api_shapes(body)["summary"], keras_summary(body))


@pytest.mark.parametrize("num_bytes", [0, 1023, 1024, 490_280, 2**20 - 1, 5 * 2**30, 2**50, 2**60, 7 * 2**62])
def test_readable_size_is_kerass(num_bytes):
    from keras.src.utils.summary_utils import readable_memory_size

    from app.core.summary import readable_size
    assert readable_size(num_bytes) == readable_memory_size(num_bytes)
