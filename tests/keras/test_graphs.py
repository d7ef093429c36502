"""Branching models (skip connections, parallel towers, merges): our core and real Keras's functional API agree
on every layer, on the first layer that fails, on what is left out of the model, and on the printed summary."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stdout

import keras
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from keras_compare import assert_same_as_keras, ours, spec, validated
from keras_strategies import DERANDOMIZE, examples

from app.core.spec import SpecError
from app.tf.build import build_model

MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate")


def conv(filters, kernel=3, **more):
    return {"type": "Conv2D", "filters": filters, "kernel_size": kernel, **more}


RESIDUAL = spec([8, 8, 16], conv(16, padding="same", activation="relu"), conv(16, padding="same"),
                {"type": "Add", "inputs": ["conv2d_1", "input"]}, {"type": "ReLU"})
DOWNSAMPLE = spec([8, 8, 16], conv(32, strides=2, padding="same"), conv(32, padding="same"),
                  conv(32, 1, strides=2, inputs=["input"]), {"type": "Add", "inputs": ["conv2d_1", "conv2d_2"]})
WRONG_SHORTCUT = spec([8, 8, 16], conv(32, padding="same"), {"type": "Add", "inputs": ["conv2d", "input"]})
INCEPTION = spec([8, 8, 4], conv(4, 1), conv(6, 3, padding="same", inputs=["input"]),
                 {"type": "MaxPooling2D", "pool_size": 3, "strides": 1, "padding": "same", "inputs": ["input"]},
                 {"type": "Concatenate", "inputs": ["conv2d", "conv2d_1", "max_pooling2d"]})
SQUEEZE_EXCITE = spec([8, 8, 16], conv(16, padding="same"), {"type": "GlobalAveragePooling2D"},
                      {"type": "Dense", "units": 4, "activation": "relu"},
                      {"type": "Dense", "units": 16, "activation": "sigmoid"},
                      {"type": "Reshape", "target_shape": [1, 1, 16]},
                      {"type": "Multiply", "inputs": ["conv2d", "reshape"]})
UNUSED_BRANCH = spec([8, 8, 3], conv(4), conv(5, inputs=["input"]), {"type": "Flatten", "inputs": ["conv2d"]},
                     {"type": "Dense", "units": 2})
MIXED_RANKS = spec([4, 4, 8], {"type": "GlobalAveragePooling2D"}, {"type": "Add", "inputs": ["input", "global_average_pooling2d"]})
CONCAT_MISMATCH = spec([8, 8, 3], {"type": "MaxPooling2D"}, {"type": "Concatenate", "inputs": ["input", "max_pooling2d"]})
SUBTRACT_THREE = spec([4, 4, 3], {"type": "Subtract", "inputs": ["input", "input", "input"]})
MERGE_WITHOUT_LIST = spec([4, 4, 3], conv(3, padding="same"), {"type": "Add"})
CONCAT_AXIS_1 = spec([4, 4, 3], conv(3, padding="same"), {"type": "Concatenate", "axis": 1, "inputs": ["input", "conv2d"]})

NORMALIZED = spec([8, 8, 3], {"type": "Normalization"}, conv(3, 1, inputs=["input"]),
                 {"type": "Add", "inputs": ["normalization", "conv2d"]})  # its count weight is an int64: 8 bytes
CASES = {"residual": RESIDUAL, "downsample": DOWNSAMPLE, "wrong_shortcut": WRONG_SHORTCUT, "inception": INCEPTION,
         "squeeze_excite": SQUEEZE_EXCITE, "unused_branch": UNUSED_BRANCH, "mixed_ranks": MIXED_RANKS,
         "concat_mismatch": CONCAT_MISMATCH, "subtract_three": SUBTRACT_THREE, "merge_without_list": MERGE_WITHOUT_LIST,
         "concat_axis_1": CONCAT_AXIS_1}


@pytest.mark.parametrize("body", CASES.values(), ids=CASES.keys())
def test_branching_models_match_keras(body):
    assert_same_as_keras(body)


@pytest.mark.parametrize("kind", MERGES)
@pytest.mark.parametrize("second", [[8, 8, 4], [8, 8, 1], [1, 1, 4], [4, 4, 4], [8, 8, 5]], ids=str)
def test_every_merge_kind_matches_keras_on_shapes_that_fit_and_that_do_not(kind, second):
    body = spec([8, 8, 4], {"type": "Reshape", "target_shape": second, "inputs": ["input"]} if second == [8, 8, 4]
                else conv(second[-1], 1, strides=8 // second[0], inputs=["input"]),
                {"type": kind, "inputs": ["input", "conv2d" if second != [8, 8, 4] else "reshape"]})
    assert_same_as_keras(body)


def keras_summary(model: keras.Model) -> str:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        model.summary()
    return buffer.getvalue().rstrip("\n")


@pytest.mark.parametrize("body", [RESIDUAL, INCEPTION, UNUSED_BRANCH, SQUEEZE_EXCITE, CONCAT_AXIS_1, NORMALIZED],
                         ids=["residual", "inception", "unused_branch", "squeeze_excite", "chain", "normalized"])
def test_functional_summary_is_what_keras_prints(body, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    keras.utils.clear_session()
    assert ours(body)["summary"] == keras_summary(build_model(validated(body)))


def test_a_layer_that_does_not_lead_to_the_output_is_reported_and_not_counted():
    result = ours(UNUSED_BRANCH)
    unused = result["layers"][1]
    assert not unused["used"] and "does not lead to the output" in unused["warning"]["en"]
    assert result["total_params"] == build_model(validated(UNUSED_BRANCH)).count_params()
    assert result["total_params"] == sum(row["params"] for row in result["layers"] if row["used"])


def test_a_wrong_shortcut_says_where_the_shapes_come_from_and_what_to_put_there():
    error = ours(WRONG_SHORTCUT)["error"]
    assert error["name"] == "add"
    assert error["message"]["en"] == (
        "Add needs inputs of one shape; it gets (None, 8, 8, 32) from conv2d and (None, 8, 8, 16) from input; "
        "put a 1×1 Conv2D with 32 filters on input")


# Random graphs: each layer takes the previous layer or names earlier ones; merges join two or three.
@st.composite
def graphs(draw):
    size = draw(st.integers(2, 8))
    body = spec([size, size, draw(st.integers(1, 4))])
    names = ["input"]
    counts = {}
    for _ in range(draw(st.integers(1, 7))):
        layer = draw(st.one_of(
            st.builds(lambda f, k, s, p: conv(f, k, strides=s, padding=p), st.integers(1, 4), st.integers(1, 3),
                      st.integers(1, 2), st.sampled_from(["same", "valid"])),
            st.builds(lambda p: {"type": "MaxPooling2D", "pool_size": p}, st.integers(1, 2)),
            st.just({"type": "GlobalAveragePooling2D"}),
            st.builds(lambda u: {"type": "Dense", "units": u}, st.integers(1, 4)),
            st.builds(lambda k: {"type": k}, st.sampled_from(MERGES)),
            st.builds(lambda a: {"type": "Concatenate", "axis": a}, st.sampled_from([-1, 1, 2, 3, -2, 0])),
        ))
        if layer["type"] in MERGES:
            layer["inputs"] = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3))
        elif draw(st.booleans()):
            layer["inputs"] = [draw(st.sampled_from(names))]
        prefix = keras.src.utils.naming.to_snake_case(layer["type"])
        names.append(prefix if prefix not in counts else f"{prefix}_{counts[prefix]}")
        counts[prefix] = counts.get(prefix, 0) + 1
        body["layers"].append(layer)
    return body


@given(graphs())
@settings(max_examples=examples(int(os.environ.get("GRAPH_EXAMPLES", "120"))), deadline=None,
          derandomize=DERANDOMIZE, suppress_health_check=[HealthCheck.too_slow])
def test_generated_graphs_match_keras(body):
    try:
        validated(body)
    except SpecError:
        assume(False)
    mine, _ = assert_same_as_keras(body)
    event("valid" if mine["valid"] else f"fails at {mine['error']['type']}")
