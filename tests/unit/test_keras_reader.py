"""Keras model files read as data: configs in Keras 3's and Keras 2's formats become our spec, and hostile or broken
files are refused with what and where, quickly, with nothing in them run. No TensorFlow here: configs are written
by hand as Keras writes them (tests/keras/test_applications.py reads what real Keras writes)."""

from __future__ import annotations

import base64
import io
import json
import marshal
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import h5py
import pytest

from app.config import Settings
from app.core.engine import infer_model
from app.core.readers import ImportRefused, ReadLimits, read_model_config, read_model_file
from app.core.spec import ModelSpec, validate_model

ROOT = Path(__file__).resolve().parents[2]
LIMITS = ReadLimits()
DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
GLOROT = {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None}, "registered_name": None}


# ---- configs as Keras 3 writes them


def tensor(name: str, shape: list | None = None) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": shape or [None, 8, 8, 4], "dtype": "float32", "keras_history": [name, 0, 0]}}


def k3(class_name: str, name: str, *args, module: str = "keras.layers", kwargs: dict | None = None, **config) -> dict:
    """A Keras 3 functional layer entry; ``args`` are its call's positional arguments (tensors, lists, numbers)."""
    return {"module": module, "class_name": class_name,
            "config": {"name": name, "trainable": True, "dtype": DTYPE, **config}, "registered_name": None,
            "name": name, "inbound_nodes": [{"args": list(args), "kwargs": kwargs or {}}]}


def k3_input(shape: list, name: str = "input_layer") -> dict:
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": [None, *shape], "dtype": "float32", "sparse": False, "ragged": False,
                       "name": name, "optional": False}, "registered_name": None, "name": name, "inbound_nodes": []}


def functional(layers: list, output: str, input_name: str = "input_layer") -> dict:
    return {"module": "keras", "class_name": "Functional", "registered_name": "Functional",
            "config": {"name": "model", "trainable": True, "layers": layers,
                       "input_layers": [input_name, 0, 0], "output_layers": [output, 0, 0]}}


def conv(name: str, source: str, filters: int = 4, **extra) -> dict:
    return k3("Conv2D", name, tensor(source), filters=filters, kernel_size=[3, 3], strides=[1, 1], padding="same",
              data_format="channels_last", dilation_rate=[1, 1], groups=1, activation="linear", use_bias=True,
              kernel_initializer=GLOROT, bias_initializer=GLOROT, kernel_regularizer=None, bias_regularizer=None,
              activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **extra)


def residual_k3() -> dict:
    return functional([
        k3_input([8, 8, 4]),
        conv("conv_a", "input_layer"),
        k3("ReLU", "relu", tensor("conv_a"), max_value=None, negative_slope=0.0, threshold=0.0),
        conv("conv_b", "relu"),
        k3("Add", "add", [tensor("conv_b"), tensor("input_layer")]),
        k3("GlobalAveragePooling2D", "pool", tensor("add"), data_format="channels_last", keepdims=False),
        k3("Dense", "predictions", tensor("pool", [None, 4]), units=10, activation="softmax", use_bias=True,
           quantization_config=None),
    ], "predictions")


# ---- the same as Keras 2 / tf.keras wrote it


def k2(class_name: str, name: str, *sources: str, **config) -> dict:
    return {"class_name": class_name, "config": {"name": name, "trainable": True, "dtype": "float32", **config},
            "name": name, "inbound_nodes": [[[source, 0, 0, {}] for source in sources]] if sources else []}


def residual_k2() -> dict:
    return {"class_name": "Functional", "keras_version": "2.15.0", "backend": "tensorflow", "config": {
        "name": "model", "layers": [
            {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 8, 8, 4], "dtype": "float32", "sparse": False, "ragged": False,
                        "name": "input_1"}},
            k2("Conv2D", "conv_a", "input_1", filters=4, kernel_size=[3, 3], padding="same"),
            k2("ReLU", "relu", "conv_a"),
            k2("Conv2D", "conv_b", "relu", filters=4, kernel_size=[3, 3], padding="same"),
            k2("Add", "add", "conv_b", "input_1"),
            k2("GlobalAveragePooling2D", "pool", "add"),
            k2("Dense", "predictions", "pool", units=10, activation="softmax"),
        ], "input_layers": [["input_1", 0, 0]], "output_layers": [["predictions", 0, 0]]}}


def sequential_k3(*layers: dict, shape: list | None = (8, 8, 4)) -> dict:
    entries = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                "config": {"batch_shape": [None, *shape], "dtype": "float32", "name": "input_layer"}}] if shape else []
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "sequential", "trainable": True, "dtype": DTYPE, "layers": [*entries, *layers]}}


def seq_layer(class_name: str, **config) -> dict:
    return {"module": "keras.layers", "class_name": class_name, "registered_name": None,
            "config": {"trainable": True, "dtype": DTYPE, **config}}


def read(document: dict, limits: ReadLimits = LIMITS):
    return read_model_config(document, limits)


def refusal(document, limits: ReadLimits = LIMITS) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        read_model_config(document, limits)
    return caught.value


def shapes(model: dict) -> dict:
    return infer_model(validate_model(ModelSpec.model_validate(model), Settings())).to_json()


def notes_of(imported) -> list[str]:
    return [note["message"]["en"] for note in imported.notes.to_json()]


# ---- reading configs

RESIDUAL = {"input_shape": [8, 8, 4], "layers": [
    {"type": "Conv2D", "name": "conv_a", "filters": 4, "kernel_size": [3, 3], "padding": "same"},
    {"type": "ReLU", "name": "relu"},
    {"type": "Conv2D", "name": "conv_b", "filters": 4, "kernel_size": [3, 3], "padding": "same"},
    {"type": "Add", "name": "add", "inputs": ["conv_b", "input"]},
    {"type": "GlobalAveragePooling2D", "name": "pool"},
    {"type": "Dense", "name": "predictions", "units": 10, "activation": "softmax"},
]}


def without_data_format(model: dict) -> dict:
    return {**model, "layers": [{k: v for k, v in layer.items() if k != "data_format"} for layer in model["layers"]]}


def test_a_keras_3_functional_config_becomes_the_spec_with_inputs_only_where_a_layer_branches():
    imported = read(residual_k3())
    assert without_data_format(imported.model) == RESIDUAL
    assert "data_format" not in imported.model["layers"][0]  # "channels_last" is what Keras's default means
    assert notes_of(imported) == []  # initialisers, dtype, null regularisers: dropped silently
    assert imported.source == {"class_name": "Functional", "name": "model", "layers": 7}


def test_a_keras_2_functional_config_becomes_the_same_spec():
    assert read(residual_k2()).model == RESIDUAL


def test_the_spec_read_is_valid_and_its_shapes_are_answered():
    result = shapes(read(residual_k3()).model)
    assert result["valid"], result["error"]
    assert result["output_shape"] == [None, 10]
    assert result["total_params"] == 2 * (3 * 3 * 4 + 1) * 4 + (4 + 1) * 10


def test_a_sequential_config_with_an_input_layer_has_no_inputs_at_all():
    imported = read(sequential_k3(seq_layer("Conv2D", name="c", filters=2, kernel_size=[3, 3]),
                                  seq_layer("Flatten", name="f"), seq_layer("Dense", name="d", units=3)))
    assert imported.model == {"input_shape": [8, 8, 4], "layers": [
        {"type": "Conv2D", "name": "c", "filters": 2, "kernel_size": [3, 3]},
        {"type": "Flatten", "name": "f"}, {"type": "Dense", "name": "d", "units": 3}]}


@pytest.mark.parametrize("declared", [{"batch_input_shape": [None, 28, 28, 1]}, {"batch_shape": [None, 28, 28, 1]},
                                      {"input_shape": [28, 28, 1]}])
def test_a_keras_2_sequential_takes_its_input_shape_from_the_first_layer(declared):
    document = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [3, 3], **declared}}]}}
    assert read(document).model["input_shape"] == [28, 28, 1]


def test_keras_2_2_wrote_a_sequential_as_a_bare_list_of_layers():
    document = {"class_name": "Sequential", "config": [
        {"class_name": "Dense", "config": {"name": "d", "units": 3, "batch_input_shape": [None, 5]}}]}
    assert read(document).model == {"input_shape": [5], "layers": [{"type": "Dense", "name": "d", "units": 3}]}


def test_a_sequential_built_without_an_input_uses_its_build_input_shape():
    document = sequential_k3(seq_layer("Dense", name="d", units=3), shape=None)
    document["config"]["build_input_shape"] = [None, 7]
    assert read(document).model["input_shape"] == [7]


def test_a_sequential_never_built_is_refused_because_its_input_shape_is_unknown():
    error = refusal(sequential_k3(seq_layer("Dense", name="d", units=3), shape=None))
    assert "input shape" in error.text.en and "keras.Input" in error.text.en


def test_layers_listed_out_of_order_are_sorted_stably_with_the_output_last():
    document = functional([
        k3("Add", "add", [tensor("b"), tensor("a")]),
        k3_input([8, 8, 4]),
        k3("ReLU", "b", tensor("input_layer")),
        k3("ReLU", "a", tensor("input_layer")),
    ], "add")
    layers = read(document).model["layers"]
    assert [layer["name"] for layer in layers] == ["b", "a", "add"]
    assert layers[1]["inputs"] == ["input"] and layers[2]["inputs"] == ["b", "a"]


def test_a_layer_after_the_output_is_left_out_with_a_note():
    document = functional([k3_input([4]), k3("ReLU", "out", tensor("input_layer")),
                           k3("ReLU", "after", tensor("out"))], "out")
    imported = read(document)
    assert [layer["name"] for layer in imported.model["layers"]] == ["out"]
    assert imported.notes.to_json()[0]["layers"] == ["after"]


def test_a_loop_is_refused_naming_a_layer_in_it():
    document = functional([k3_input([4]), k3("Add", "a", [tensor("b"), tensor("input_layer")]),
                           k3("ReLU", "b", tensor("a"))], "b")
    error = refusal(document)
    assert "loop" in error.text.en and error.name in ("a", "b")


def test_an_input_from_a_layer_not_in_the_model_is_refused():
    error = refusal(functional([k3_input([4]), k3("ReLU", "r", tensor("ghost"))], "r"))
    assert "'ghost'" in error.text.en and error.name == "r" and error.layer == 1


# ---- arguments: kept, dropped, noted


def test_arguments_at_their_default_are_left_out_and_those_that_matter_kept():
    document = sequential_k3(seq_layer("BatchNormalization", name="bn", axis=-1, momentum=0.9, epsilon=0.001,
                                       center=True, scale=False, beta_initializer=GLOROT, synchronized=False,
                                       renorm=False, renorm_clipping=None, renorm_momentum=0.99))
    assert read(document).model["layers"] == [{"type": "BatchNormalization", "name": "bn", "momentum": 0.9,
                                               "scale": False}]


def test_what_does_not_change_shapes_is_dropped_with_a_note_when_it_was_set():
    regularised = {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": None}
    mixed = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}, "registered_name": None}
    document = sequential_k3(
        seq_layer("Dense", name="d1", units=3, kernel_regularizer=regularised),
        {**seq_layer("Dense", name="d2", units=3, kernel_regularizer=regularised), "config": {
            "name": "d2", "units": 3, "kernel_regularizer": regularised, "dtype": mixed, "trainable": False}},
        seq_layer("Dense", name="d3", units=3, lora_rank=4),
        seq_layer("Dense", name="d4", units=3, mystery=7),
        seq_layer("Dropout", name="drop", rate=0.5, noise_shape=[None, 1], seed=3),
    )
    imported = read(document)
    notes = {note["message"]["en"]: note for note in imported.notes.to_json()}
    by_start = {text.split(" ")[0]: note for text, note in notes.items()}
    assert by_start["regularizers"]["layers"] == ["d1", "d2"] and by_start["regularizers"]["count"] == 2
    assert by_start["computed"]["layers"] == ["d2"] and "mixed_float16" in next(t for t in notes if "computed" in t)
    assert "frozen" not in by_start and imported.model["layers"][1]["trainable"] is False  # kept, not dropped
    assert by_start["lora_rank=4"]["layers"] == ["d3"]  # Keras adds weights: counts here are lower
    assert by_start["Dense"]["layers"] == ["d4"] and "mystery=7" in next(t for t in notes if t.startswith("Dense"))
    assert imported.model["layers"][-1] == {"type": "Dropout", "name": "drop", "rate": 0.5}  # noise_shape, seed: quiet


def test_many_layers_with_the_same_change_make_one_note_with_a_count():
    regularised = {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}}
    document = sequential_k3(*(seq_layer("Dense", name=f"d{i}", units=3, kernel_regularizer=regularised)
                               for i in range(30)))
    [note] = read(document).notes.to_json()
    assert note["count"] == 30 and len(note["layers"]) == 20  # listed up to 20


def test_keras_2_names_and_forms_are_read_as_keras_3_reads_them():
    document = sequential_k3(seq_layer("LeakyReLU", name="leaky", alpha=0.1),
                             seq_layer("BatchNormalization", name="bn", axis=[3]),
                             seq_layer("LayerNormalization", name="ln", rms_scaling=True))
    imported = read(document)
    assert imported.model["layers"] == [
        {"type": "LeakyReLU", "name": "leaky", "negative_slope": 0.1},
        {"type": "BatchNormalization", "name": "bn", "axis": 3},
        {"type": "LayerNormalization", "name": "ln", "center": False, "scale": True}]
    assert any("rms_scaling" in text for text in notes_of(imported))


def test_an_activation_serialised_as_an_object_is_read_by_its_name_and_a_custom_one_refused():
    named = {"module": "keras.activations", "class_name": "function", "config": "relu", "registered_name": "function"}
    assert read(sequential_k3(seq_layer("Dense", name="d", units=3, activation=named))).model["layers"][0][
        "activation"] == "relu"
    custom = {"module": "keras.activations", "class_name": "function", "config": {"fn": 1}, "registered_name": "x"}
    error = refusal(sequential_k3(seq_layer("Dense", name="d", units=3, activation=custom)))
    assert "custom activation" in error.text.en and error.name == "d"


def test_a_value_the_catalogue_refuses_is_kept_for_validation_to_name():
    imported = read(sequential_k3(seq_layer("Dense", name="d", units=0)))
    assert imported.model["layers"][0]["units"] == 0


# ---- arithmetic written in Python (keras.ops) between tensors

OPS = "keras.src.ops.numpy"


@pytest.mark.parametrize("op, args, expected", [
    ("Add", lambda t: [t, 3.0], {"scale": 1.0, "offset": 3.0}),
    ("Multiply", lambda t: [t, 1 / 6], {"scale": 1 / 6}),
    ("Subtract", lambda t: [t, 2.0], {"scale": 1.0, "offset": -2.0}),
    ("Subtract", lambda t: [1.0, t], {"scale": -1.0, "offset": 1.0}),
    ("TrueDivide", lambda t: [t, 4.0], {"scale": 0.25}),
])
def test_arithmetic_with_a_number_becomes_a_rescaling_layer(op, args, expected):
    document = functional([k3_input([4]), k3(op, "op", *args(tensor("input_layer", [None, 4])), module=OPS)], "op")
    imported = read(document)
    assert imported.model["layers"] == [{"type": "Rescaling", "name": "op", **expected}]
    assert "Rescaling" in notes_of(imported)[0]


def test_arithmetic_between_two_tensors_becomes_the_merge_layer():
    document = functional([k3_input([4]), k3("ReLU", "r", tensor("input_layer")),
                           k3("Add", "add", tensor("r"), tensor("input_layer"), module=OPS)], "add")
    assert read(document).model["layers"][1] == {"type": "Add", "name": "add", "inputs": ["r", "input"]}


def test_the_legacy_h5_format_writes_operations_without_a_module_and_they_are_read_alike():
    legacy = {"class_name": "Add", "config": {"name": "add"}, "name": "add",
              "inbound_nodes": [{"args": [tensor("r"), 3.0], "kwargs": {}}]}
    pair = {"class_name": "Add", "config": {"name": "add_1"}, "name": "add_1",
            "inbound_nodes": [{"args": [tensor("add"), tensor("r")], "kwargs": {}}]}
    document = functional([k3_input([4]), k3("ReLU", "r", tensor("input_layer")), legacy, pair], "add_1")
    assert read(document).model["layers"][1:] == [
        {"type": "Rescaling", "name": "add", "scale": 1.0, "offset": 3.0},
        {"type": "Add", "name": "add_1", "inputs": ["add", "r"]}]


def test_a_layer_called_with_values_besides_its_inputs_is_noted():
    imported = read(functional([k3_input([4]), k3("ReLU", "r", tensor("input_layer"), True)], "r"))
    assert imported.model["layers"] == [{"type": "ReLU", "name": "r"}]
    assert imported.notes.to_json()[0]["layers"] == ["r"]


@pytest.mark.parametrize("op, args", [("Mean", lambda t: [t]), ("TrueDivide", lambda t: [2.0, t]),
                                      ("Add", lambda t: [t, {"class_name": "__numpy__", "config": {}}])])
def test_other_operations_are_refused_naming_the_layer(op, args):
    document = functional([k3_input([4]), k3(op, "odd", *args(tensor("input_layer")), module=OPS)], "odd")
    error = refusal(document)
    assert error.name == "odd" and "keras.ops" in error.text.en


# ---- models inside models


def test_a_nested_sequential_is_opened_up_in_its_place():
    stem = {"module": "keras", "class_name": "Sequential", "registered_name": None, "name": "stem",
            "config": {"name": "stem", "trainable": True, "dtype": DTYPE, "layers": [
                {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 4],
                                                                                  "name": "input_layer_1"}},
                seq_layer("Conv2D", name="stem_conv", filters=4, kernel_size=[2, 2], strides=[2, 2]),
                seq_layer("LayerNormalization", name="stem_norm", epsilon=1e-6)]},
            "inbound_nodes": [{"args": [tensor("input_layer")], "kwargs": {"mask": None}}]}
    document = functional([k3_input([8, 8, 4]), stem, k3("ReLU", "after", tensor("stem")),
                           k3("Add", "add", [tensor("after"), tensor("stem")])], "add")
    imported = read(document)
    assert [(layer["name"], layer.get("inputs")) for layer in imported.model["layers"]] == [
        ("stem_conv", None), ("stem_norm", None), ("after", None), ("add", ["after", "stem_norm"])]
    assert "opened up" in notes_of(imported)[0]
    assert shapes(imported.model)["valid"]


def without_flag(entry: dict) -> dict:
    return {**entry, "config": {k: v for k, v in entry["config"].items() if k != "trainable"}}


def test_a_frozen_base_model_inside_a_sequential_is_opened_up_and_its_names_kept_unique():
    base = functional([k3_input([8, 8, 4], "base_input"), without_flag(conv("conv", "base_input")),
                       without_flag(k3("ReLU", "dense", tensor("conv")))], "dense", "base_input")
    base["config"]["trainable"] = False  # its layers say nothing themselves (hand-written): they take its flag
    document = sequential_k3({**base, "name": "base"}, seq_layer("Flatten", name="flatten"),
                             seq_layer("Dense", name="dense", units=2))
    imported = read(document)
    names = [layer["name"] for layer in imported.model["layers"]]
    assert names == ["conv", "dense", "flatten", "dense_1"]
    assert [layer.get("trainable", True) for layer in imported.model["layers"]] == [False, False, True, True]
    assert any("'dense_1'" in text for text in notes_of(imported))
    result = shapes(imported.model)
    assert result["trainable_params"] == 8 * 8 * 4 * 2 + 2 and result["non_trainable_params"] == 3 * 3 * 4 * 4 + 4


def test_a_layer_keeps_its_own_flag_inside_a_frozen_model_but_not_inside_a_top_model_frozen_whole():
    """As Keras counts: only the top model's trainable=False overrides the flags its layers were saved with."""
    thawed = conv("conv", "base_input")  # "trainable": true, as Keras writes a layer thawed after freezing its model
    base = functional([k3_input([8, 8, 4], "base_input"), thawed], "conv", "base_input")
    base["config"]["trainable"] = False
    document = sequential_k3({**base, "name": "base"}, seq_layer("Flatten", name="flatten"))
    assert shapes(read(document).model)["non_trainable_params"] == 0
    document["config"]["trainable"] = False
    frozen = shapes(read(document).model)
    assert frozen["trainable_params"] == 0 and frozen["non_trainable_params"] == 3 * 3 * 4 * 4 + 4


def test_models_nested_too_deep_are_refused():
    inner: dict = sequential_k3(seq_layer("ReLU", name="r"))
    for depth in range(10):
        inner = sequential_k3({**inner, "config": {**inner["config"], "name": f"m{depth}"}})
    error = refusal(inner)
    assert "nested" in error.text.en


# ---- what cannot be said in the spec


def test_several_inputs_or_outputs_are_refused_naming_them():
    two_in = functional([k3_input([4], "a"), k3_input([4], "b"), k3("Add", "add", [tensor("a"), tensor("b")])], "add")
    two_in["config"]["input_layers"] = [["a", 0, 0], ["b", 0, 0]]
    assert "2 inputs ('a', 'b')" in refusal(two_in).text.en
    two_out = functional([k3_input([4]), k3("ReLU", "x", tensor("input_layer")), k3("ReLU", "y", tensor("x"))], "y")
    two_out["config"]["output_layers"] = [["x", 0, 0], ["y", 0, 0]]
    assert "2 outputs ('x', 'y')" in refusal(two_out).text.en


def test_a_shared_layer_is_refused_naming_it():
    shared = k3("Dense", "shared", tensor("input_layer"), units=4)
    shared["inbound_nodes"].append({"args": [tensor("shared")], "kwargs": {}})
    error = refusal(functional([k3_input([4]), shared], "shared"))
    assert error.name == "shared" and error.layer == 1 and "called 2 times" in error.text.en


def test_a_second_output_of_a_layer_and_a_tensor_keyword_are_refused():
    second = k3("ReLU", "r", tensor("input_layer"))
    second["inbound_nodes"][0]["args"][0]["config"]["keras_history"][2] = 1
    assert "output #1" in refusal(functional([k3_input([4]), second], "r")).text.en
    masked = k3("ReLU", "r", tensor("input_layer"), kwargs={"mask": tensor("input_layer")})
    assert "keyword" in refusal(functional([k3_input([4]), masked], "r")).text.en


# ---- hostile configs


def test_a_lambda_layer_is_refused_naming_it():
    document = sequential_k3(seq_layer("Dense", name="d", units=3),
                             seq_layer("Lambda", name="sneaky", function={"class_name": "__lambda__", "config": {}}))
    error = refusal(document)
    assert error.name == "sneaky" and error.layer == 2 and "Python code" in error.text.en
    assert error.loc == ("body", "file", "config", "layers", 2)


def test_any_layer_whose_config_holds_a_function_is_refused():
    error = refusal(sequential_k3(seq_layer("Dense", name="d", units=3, function="os.system")))
    assert error.name == "d" and error.kind == "code"


@pytest.mark.parametrize("where", ["class", "initializer", "activation", "top"])
def test_a_module_that_is_not_keras_is_refused_wherever_it_is(where):
    system = {"module": "os", "class_name": "system", "config": {"command": "touch /tmp/owned"}, "registered_name": None}
    if where == "class":
        document = sequential_k3({**system, "config": {"name": "evil"}})
    elif where == "initializer":
        document = sequential_k3(seq_layer("Dense", name="d", units=3, kernel_initializer=system))
    elif where == "activation":
        document = sequential_k3(seq_layer("Dense", name="d", units=3, activation=system))
    else:
        document = {**system, "config": {"layers": []}}
    error = refusal(document)
    assert "'os.system'" in error.text.en or "system" in error.text.en
    assert "not part of Keras" in error.text.en or "subclassed" in error.text.en


def test_keras_own_modules_are_read_including_the_applications_custom_layers():
    layer_scale = k3("LayerScale", "scale", tensor("input_layer"), module="keras.src.applications.convnext",
                     init_values=1e-6, projection_dim=4)
    layer_scale["registered_name"] = "LayerScale"
    imported = read(functional([k3_input([8, 8, 4]), layer_scale], "scale"))
    assert imported.model["layers"][0]["type"] == "LayerScale"


def test_a_custom_class_is_refused_with_the_closest_known_one():
    error = refusal(sequential_k3(seq_layer("Conv2d", name="c", filters=2, kernel_size=3)))
    assert "'Conv2d'" in error.text.en and "did you mean 'Conv2D'" in error.text.en and error.name == "c"
    assert "GET /api/layers" in error.text.en and error.kind == "unknown_type"


def test_a_registered_custom_class_from_the_users_module_is_refused():
    custom = {"module": "my_project.layers", "class_name": "Conv2D", "registered_name": "MyProject>Conv2D",
              "config": {"name": "c", "filters": 2, "kernel_size": 3}}
    error = refusal(sequential_k3(custom))
    assert "'my_project.layers.Conv2D'" in error.text.en


def test_a_subclassed_model_and_our_own_body_are_refused_with_what_to_do():
    subclassed = {"module": "__main__", "class_name": "MyModel", "config": {}}
    assert "subclassed" in refusal(subclassed).text.en
    assert "POST /api/shapes" in refusal({"input_shape": [4], "layers": []}).text.en
    assert "Keras model config" in refusal([1, 2, 3]).text.en


def test_deep_nesting_inside_a_layer_is_refused_not_a_crash():
    deep: object = 0
    for _ in range(5_000):
        deep = [deep]
    error = refusal(sequential_k3(seq_layer("Dense", name="d", units=3, kernel_initializer=deep)))
    assert "nested too deeply" in error.text.en and error.name == "d"


def test_more_layers_than_the_limit_are_refused_naming_the_setting():
    document = sequential_k3(*(seq_layer("ReLU", name=f"r{i}") for i in range(20)))
    error = refusal(document, ReadLimits(max_layers=10))
    assert error.status == 413 and "CNN_MAX_LAYERS" in error.text.en


# ---- files


def keras_zip(config: object, **extra: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1", "date_saved": "2026-12-01@10:00:00"}))
        archive.writestr("config.json", config if isinstance(config, bytes) else json.dumps(config))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def h5_file(path: Path, config: object | None, weights: bool = True) -> Path:
    with h5py.File(path, "w") as h5:
        if config is not None:
            h5.attrs["model_config"] = json.dumps(config)
        h5.attrs["keras_version"] = "2.15.0"
        h5.attrs["backend"] = "tensorflow"
        if weights:
            h5.create_group("model_weights")
    return path


def read_bytes(data: bytes, filename: str = "model.keras", limits: ReadLimits = LIMITS):
    return read_model_file(io.BytesIO(data), filename, limits)


def refused_file(data: bytes, filename: str = "model.keras", limits: ReadLimits = LIMITS) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        read_bytes(data, filename, limits)
    return caught.value


def test_a_keras_file_is_read_from_its_config_json():
    imported = read_bytes(keras_zip(residual_k3()))
    assert imported.model == read(residual_k3()).model
    assert imported.source["format"] == "keras" and imported.source["weights"] is True
    assert imported.source["keras_version"] == "3.15.1" and imported.source["filename"] == "model.keras"


def test_an_h5_file_is_read_from_its_model_config_attribute(tmp_path):
    path = h5_file(tmp_path / "model.h5", residual_k2())
    with path.open("rb") as file:
        imported = read_model_file(file, "model.h5", LIMITS)
    assert imported.model == RESIDUAL
    assert imported.source | {"bytes": 0} == {"format": "h5", "weights": True, "keras_version": "2.15.0",
                                              "backend": "tensorflow", "filename": "model.h5", "bytes": 0,
                                              "class_name": "Functional", "name": "model", "layers": 7}


def test_a_json_file_is_read_whatever_its_name():
    assert read_bytes(json.dumps(residual_k3()).encode(), "whatever.txt").model == read(residual_k3()).model


def test_an_h5_file_with_weights_only_says_to_save_the_whole_model(tmp_path):
    data = h5_file(tmp_path / "w.h5", None).read_bytes()
    assert "save_weights" in refused_file(data, "w.h5").text.en


@pytest.mark.parametrize("cut", [10, 100, 1_000, 0.5])
def test_a_truncated_h5_file_is_refused_as_damaged(tmp_path, cut):
    data = h5_file(tmp_path / "model.h5", residual_k2()).read_bytes()
    error = refused_file(data[: int(cut * len(data)) if cut < 1 else cut], "model.h5")
    assert error.status == 422 and "damaged or cut short" in error.text.en


@pytest.mark.parametrize("cut", [30, 200, 0.5, 0.9])
def test_a_truncated_keras_file_is_refused_as_damaged(cut):
    data = keras_zip(residual_k3())
    error = refused_file(data[: int(cut * len(data)) if cut < 1 else cut])
    assert error.status == 422 and "damaged or cut short" in error.text.en


def test_a_zip_without_config_json_is_not_a_keras_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.weights.h5", b"weights")
    assert "no config.json" in refused_file(buffer.getvalue()).text.en


def test_a_zip_bomb_is_refused_by_its_declared_size_before_inflating():
    bomb = b'{"class_name": "Functional", "config": {"pad": "' + b" " * (50 * 1024 * 1024) + b'"}}'
    data = keras_zip(bomb)
    assert len(data) < 200_000
    error = refused_file(data)
    assert error.status == 413 and "CNN_MAX_IMPORT_CONFIG_BYTES" in error.text.en


def test_a_zip_bomb_lying_about_its_size_is_refused_by_what_actually_inflates():
    bomb = b'{"class_name": "Functional", "config": {"pad": "' + b" " * (50 * 1024 * 1024) + b'"}}'
    data = bytearray(keras_zip(bomb))
    declared = len(bomb).to_bytes(4, "little")
    for at in _all(bytes(data), declared):  # the local header and the central directory both say 1 kB
        data[at: at + 4] = (1024).to_bytes(4, "little")
    error = refused_file(bytes(data))
    assert error.status in (413, 422)  # over the limit, or caught by the CRC as damaged: never inflated whole


def _all(data: bytes, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


def test_too_many_zip_entries_are_refused_naming_the_setting():
    data = keras_zip(residual_k3(), **{f"extra/{i}.txt": b"x" for i in range(100)})
    error = refused_file(data)
    assert error.status == 413 and "CNN_MAX_IMPORT_ZIP_ENTRIES" in error.text.en


def test_a_huge_central_directory_is_refused_before_zipfile_reads_it():
    data = bytearray(keras_zip(residual_k3()))
    end = data.rfind(b"PK\x05\x06")
    data[end + 12: end + 16] = struct.pack("<I", 500 * 1024 * 1024)
    error = refused_file(bytes(data))
    assert error.status == 413 and "list of files" in error.text.en


def test_a_config_json_larger_than_the_limit_is_refused():
    error = refused_file(keras_zip(residual_k3()), limits=ReadLimits(max_config_bytes=1_000))
    assert error.status == 413 and "config.json" in error.text.en and "CNN_MAX_IMPORT_CONFIG_BYTES" in error.text.en


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"GIF89a this is a picture", "not a model file"),
    (b'{"class_name": "Functional",', "not valid JSON"),
    (b'{"a": 1e99999999999, "b": ' + b"1" * 5000 + b"}", "not valid JSON"),
    (b"{\"a\": \"\xff\"}", "not UTF-8"),
    (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
])
def test_broken_json_and_other_files_are_refused_with_what_is_wrong(data, words):
    assert words in refused_file(data, "model.json").text.en


def test_a_keras_file_whose_lambda_would_write_a_marker_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "marker"
    imported_marker = tmp_path / "imported"
    payload = eval(f"lambda x: (open({str(marker)!r}, 'w').write('ran'), x)[1]")  # as Keras's func_dump writes it
    code = base64.encodebytes(marshal.dumps(payload.__code__)).decode("ascii")
    lambda_layer = k3("Lambda", "evil", tensor("input_layer"), module="keras.layers",
                      function={"class_name": "__lambda__", "config": {"code": code, "defaults": None,
                                                                       "closure": None}},
                      output_shape=None, arguments={})
    system = {"module": "os", "class_name": "system", "config": f"touch {imported_marker}", "registered_name": None}
    for document in (functional([k3_input([4]), lambda_layer], "evil"),
                     functional([k3_input([4]), k3("Dense", "d", tensor("input_layer"), units=2,
                                                   kernel_initializer=system)], "d")):
        error = refused_file(keras_zip(document))
        assert error.kind in ("code", "outside_module")
    assert not marker.exists() and not imported_marker.exists()


def test_reading_a_model_file_imports_no_tensorflow_or_keras(tmp_path):
    path = tmp_path / "model.keras"
    path.write_bytes(keras_zip(residual_k3()))
    script = textwrap.dedent(f"""
        import sys
        from app.core.readers import ReadLimits, read_model_file
        with open({str(path)!r}, "rb") as file:
            assert read_model_file(file, "model.keras", ReadLimits()).model["layers"]
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras"))
        assert not loaded, loaded
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
