"""Python code read into the /api/shapes body without running it: each recognised form, each old spelling, each
refusal (with its line and column), the training settings, hostile code, and blocks → Python → blocks."""

from __future__ import annotations

import ast
import builtins
import json
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.config import Settings
from app.core.engine import infer_model
from app.core.export.python import model_code
from app.core.readers.base import Notes
from app.core.readers.code import CodeLimits, read_code
from app.core.readers.code.interpreter import Interpreter
from app.core.readers.code.training import TrainingLimits
from app.core.readers.code.values import CodeRefused
from app.core.spec import ModelSpec, validate_model

ROOT = Path(__file__).resolve().parents[2]


def read(code: str, **limits):
    return read_code(textwrap.dedent(code), None, CodeLimits(**limits))


def model(code: str) -> dict:
    return read(code).model


def notes(code: str) -> list[str]:
    return [note["message"]["en"] for note in read(code).notes.to_json()]


def refused(code: str, **limits) -> CodeRefused:
    with pytest.raises(CodeRefused) as caught:
        read(code, **limits)
    return caught.value


def at(error: CodeRefused) -> tuple[int, int]:
    assert error.loc[2::2] == ("line", "column"), error.loc
    return error.loc[3], error.loc[5]


LECTURE = """
    from keras.models import Sequential
    from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense, Dropout

    model = Sequential()
    model.add(Conv2D(32, kernel_size=(3, 3), activation='relu', input_shape=(24,24,3)))
    model.add(Conv2D(64, (3, 3), activation='relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(128, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(3, activation='softmax'))
    model.summary()
"""


# ---- recognised forms


def test_the_lectures_add_stack_becomes_the_same_layers_with_keras_names_left_to_the_engine():
    body = model(LECTURE)
    assert body == {"input_shape": [24, 24, 3], "layers": [
        {"type": "Conv2D", "filters": 32, "kernel_size": [3, 3], "activation": "relu"},
        {"type": "Conv2D", "filters": 64, "kernel_size": [3, 3], "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": [2, 2]},
        {"type": "Dropout", "rate": 0.25},
        {"type": "Flatten"},
        {"type": "Dense", "units": 128, "activation": "relu"},
        {"type": "Dropout", "rate": 0.5},
        {"type": "Dense", "units": 3, "activation": "softmax"}]}


def test_the_answer_says_where_each_layer_is_written_and_what_the_code_was():
    imported = read(LECTURE)
    assert imported.source == {"format": "python", "class_name": "Sequential", "name": None, "layers": 8, "line": 5,
                               "lines": [6, 7, 8, 9, 10, 11, 12, 13], "filename": None, "bytes": len(
                                   textwrap.dedent(LECTURE).encode())}
    assert imported.training is None and "training" not in imported.to_json()


def test_a_sequential_list_with_any_variable_name_and_every_way_of_naming_a_layer():
    body = model("""
        import tensorflow as tf
        import tensorflow
        import keras
        from tensorflow.keras import layers
        from keras.layers import Conv2D as C, Dense
        from keras import layers as L
        net = tf.keras.models.Sequential([
            tf.keras.layers.Conv2D(8, 3, input_shape=(16, 16, 3)),
            keras.layers.Conv2D(8, 3),
            layers.Conv2D(8, 3),
            tensorflow.keras.layers.Conv2D(8, 3),
            C(8, 3),
            L.Flatten(),
            Dense(2),
        ], name="mine")
    """)
    assert [layer["type"] for layer in body["layers"]] == ["Conv2D"] * 5 + ["Flatten", "Dense"]
    assert read("""
        import keras
        net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="mine")
    """).source["name"] == "mine"


def test_a_star_import_brings_the_layers():
    body = model("""
        from keras.models import *
        from keras.layers import *
        m = Sequential([Dense(4, input_dim=3), Activation('relu')])
    """)
    assert body == {"input_shape": [3], "layers": [{"type": "Dense", "units": 4},
                                                   {"type": "Activation", "activation": "relu"}]}


@pytest.mark.parametrize("first, shape", [
    ("keras.Input(shape=(28, 28, 1))", [28, 28, 1]),
    ("keras.Input((28, 28, 1))", [28, 28, 1]),
    ("keras.layers.Input(shape=(None, None, 3))", [None, None, 3]),
    ("keras.layers.InputLayer(input_shape=(28, 28, 1))", [28, 28, 1]),
    ("keras.layers.InputLayer(shape=(28, 28, 1))", [28, 28, 1]),
    ("keras.layers.InputLayer(batch_input_shape=(None, 28, 28, 1))", [28, 28, 1]),
    ("keras.layers.Flatten(input_shape=(28, 28, 1))", [28, 28, 1]),
    ("keras.layers.Flatten(batch_input_shape=(32, 28, 28, 1))", [28, 28, 1]),
    ("keras.layers.Dense(3, input_dim=784)", [784]),
    ("keras.layers.Conv1D(4, 3, input_dim=8, input_length=100)", [100, 8]),
])
def test_the_input_shape_in_each_way_keras_takes_it(first, shape):
    assert model(f"import keras\nm = keras.Sequential([{first}, keras.layers.Dense(2)])")["input_shape"] == shape


def test_model_build_gives_the_input_shape():
    assert model("""
        import keras
        m = keras.Sequential([keras.layers.Dense(2)])
        m.build((None, 5))
    """)["input_shape"] == [5]


FUNCTIONAL = """
    import keras
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 16))
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    y = layers.Conv2D(16, 3, padding="same")(x)
    y = layers.BatchNormalization()(y)
    x = layers.Add()([x, y])
    x = layers.concatenate([x, inputs], axis=-1)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="small_resnet")
"""


def test_the_functional_api_with_merges_named_by_keras_automatic_names():
    imported = read(FUNCTIONAL)
    assert imported.model == {"input_shape": [32, 32, 16], "layers": [
        {"type": "Conv2D", "filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "Conv2D", "filters": 16, "kernel_size": 3, "padding": "same"},
        {"type": "BatchNormalization"},
        {"type": "Add", "inputs": ["conv2d", "batch_normalization"]},
        {"type": "Concatenate", "inputs": ["add", "input"], "axis": -1},
        {"type": "GlobalAveragePooling2D"},
        {"type": "Dense", "units": 10, "activation": "softmax"}]}
    assert imported.source["class_name"] == "Functional" and imported.source["name"] == "small_resnet"
    assert imported.source["lines"] == [6, 7, 8, 9, 10, 11, 12]


def test_automatic_names_are_keras_own_where_the_code_creates_the_layers():
    """Keras names a layer when it is created, counting every layer of the script; the engine names the spec's
    layers in order. Where the two differ the spec says the name; where they agree it leaves it to the engine."""
    assert model("""
        import keras
        ca = keras.layers.Conv2D(2, 1)
        cb = keras.layers.Conv2D(2, 1)
        i = keras.Input((4, 4, 2))
        m = keras.Model(i, ca(cb(i)))
    """)["layers"] == [{"type": "Conv2D", "name": "conv2d_1", "filters": 2, "kernel_size": 1},
                       {"type": "Conv2D", "filters": 2, "kernel_size": 1}]
    assert model("""
        import keras
        first = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        second = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dropout(0.1)])
    """)["layers"] == [{"type": "Dense", "name": "dense_1", "units": 2}, {"type": "Dropout", "rate": 0.1}]


def test_model_inputs_outputs_by_position_layers_kept_in_variables_and_given_names():
    body = model("""
        from keras.layers import Input, Dense, Concatenate
        from keras.models import Model
        a = Input((8,))
        left, right = Dense(4, name="left"), Dense(4, name="right")
        joined = Concatenate(name="joined")([left(a), right(a)])
        out = Dense(1)(joined)
        m = Model(a, [out])
    """)
    assert body["layers"] == [
        {"type": "Dense", "name": "left", "units": 4},
        {"type": "Dense", "name": "right", "inputs": ["input"], "units": 4},
        {"type": "Concatenate", "name": "joined", "inputs": ["left", "right"]},
        {"type": "Dense", "units": 1}]


def test_lower_case_merges_and_arithmetic_between_tensors_become_merge_and_rescaling_layers():
    imported = read("""
        import keras
        from keras import layers
        inputs = keras.Input((8, 8, 4))
        x = inputs / 255.0
        a = layers.Conv2D(4, 1)(x)
        s = layers.add([a, x])
        m = layers.multiply([s, a])
        z = s + m
        model = keras.Model(inputs, layers.maximum([z, a]))
    """)
    types = [(layer["type"], layer.get("inputs")) for layer in imported.model["layers"]]
    assert types == [("Rescaling", None), ("Conv2D", None), ("Add", ["conv2d", "rescaling"]),
                     ("Multiply", ["add", "conv2d"]), ("Add", ["add", "multiply"]), ("Maximum", ["add_1", "conv2d"])]
    assert imported.model["layers"][0]["scale"] == pytest.approx(1 / 255)
    assert any("Add layer" in note for note in [n["message"]["en"] for n in imported.notes.to_json()])


def test_a_sequential_inside_a_model_is_opened_up_in_its_place():
    body = model("""
        import keras
        from keras import layers
        block = keras.Sequential([layers.Conv2D(4, 3), layers.ReLU()])
        inputs = keras.Input((8, 8, 3))
        x = block(inputs)
        model = keras.Model(inputs, layers.Flatten()(x))
    """)
    assert [layer["type"] for layer in body["layers"]] == ["Conv2D", "ReLU", "Flatten"]
    assert model("""
        import keras
        base = keras.Sequential([keras.layers.Dense(4, input_dim=3)])
        top = keras.Sequential([base, keras.layers.Dense(1)])
    """) == {"input_shape": [3], "layers": [{"type": "Dense", "units": 4}, {"type": "Dense", "units": 1}]}


def test_layers_that_do_not_lead_to_the_output_are_kept_and_noted():
    imported = read("""
        import keras
        i = keras.Input((4,))
        side = keras.layers.Dense(3)(i)
        out = keras.layers.Dense(2)(i)
        m = keras.Model(i, out)
    """)
    assert [layer["type"] for layer in imported.model["layers"]] == ["Dense", "Dense"]
    assert imported.model["layers"][1]["inputs"] == ["input"]
    assert "do not lead to the model's output" in imported.notes.to_json()[0]["message"]["en"]


# ---- positional arguments in Keras's order


@pytest.mark.parametrize("call, expected", [
    ("Conv2D(32, (3, 3), activation='relu')", {"type": "Conv2D", "filters": 32, "kernel_size": [3, 3],
                                                "activation": "relu"}),
    ("Conv2D(32, 3, 2, 'same')", {"type": "Conv2D", "filters": 32, "kernel_size": 3, "strides": 2, "padding": "same"}),
    ("Dense(10, 'softmax')", {"type": "Dense", "units": 10, "activation": "softmax"}),
    ("MaxPooling2D((2, 2))", {"type": "MaxPooling2D", "pool_size": [2, 2]}),
    ("MaxPool2D(2, 1, 'same')", {"type": "MaxPooling2D", "pool_size": 2, "strides": 1, "padding": "same"}),
    ("Dropout(0.25)", {"type": "Dropout", "rate": 0.25}),
    ("Conv2DTranspose(8, 3, 2, 'same', 1)", {"type": "Conv2DTranspose", "filters": 8, "kernel_size": 3, "strides": 2,
                                             "padding": "same", "output_padding": 1}),
    ("DepthwiseConv2D(3, 1, 'same', 2)", {"type": "DepthwiseConv2D", "kernel_size": 3, "strides": 1,
                                          "padding": "same", "depth_multiplier": 2}),
    ("ZeroPadding2D(((1, 2), (3, 4)))", {"type": "ZeroPadding2D", "padding": [[1, 2], [3, 4]]}),
    ("Activation('tanh')", {"type": "Activation", "activation": "tanh"}),
    ("LeakyReLU(0.1)", {"type": "LeakyReLU", "negative_slope": 0.1}),
    ("ReLU()", {"type": "ReLU"}),
    ("Reshape((4, 4, 1))", {"type": "Reshape", "target_shape": [4, 4, 1]}),
])
def test_positional_arguments_take_keras_constructor_order(call, expected):
    body = model(f"from keras.layers import *\nimport keras\nm = keras.Sequential([keras.Input((8, 8, 1)), {call}])")
    assert body["layers"] == [expected]


def test_too_many_positional_arguments_are_refused_at_the_extra_one():
    error = refused("from keras.layers import Dropout\nimport keras\nm = keras.Sequential([Dropout(0.5, None, 1, 2)])")
    assert at(error) == (3, 45)
    assert "at most 3 arguments by position" in error.text.en


# ---- values: literals, names, arithmetic


def test_names_given_literals_tuples_and_bounded_arithmetic_are_read():
    body = model("""
        import keras
        img_rows, img_cols = 28, 28
        num_classes = 10
        base = 16
        base *= 2
        shape = (img_rows, img_cols, 1)
        m = keras.Sequential([
            keras.layers.Conv2D(base, kernel_size=(3,) * 2, input_shape=shape),
            keras.layers.Conv2D(base ** 2 // 4 - -1, 2 + 1, name=f"conv_{num_classes:03d}"),
            keras.layers.Dropout(1 / 4 if num_classes > 2 else 0.5),
            keras.layers.Dense(num_classes % 7 + shape[0]),
        ])
    """)
    assert body == {"input_shape": [28, 28, 1], "layers": [
        {"type": "Conv2D", "filters": 32, "kernel_size": [3, 3]},
        {"type": "Conv2D", "name": "conv_010", "filters": 257, "kernel_size": 3},
        {"type": "Dropout", "rate": 0.25},
        {"type": "Dense", "units": 31}]}


def test_loops_over_range_and_written_lists_are_unrolled():
    body = model("""
        import keras
        from keras import layers
        model = keras.Sequential([keras.Input((32, 32, 3))])
        for filters in [32, 64]:
            for _ in range(2):
                model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.MaxPooling2D())
        for i, units in enumerate((128, 64)):
            if i == 1:
                continue
            model.add(layers.Dense(units))
        model.add(layers.Dense(10))
    """)
    assert [(layer["type"], layer.get("filters") or layer.get("units")) for layer in body["layers"]] == [
        ("Conv2D", 32), ("Conv2D", 32), ("MaxPooling2D", None), ("Conv2D", 64), ("Conv2D", 64),
        ("MaxPooling2D", None), ("Dense", 128), ("Dense", 10)]


def test_functions_of_the_code_are_followed_with_their_arguments_and_defaults():
    body = model("""
        import keras
        from keras import layers
        def conv_block(x, filters, pool=True):
            x = layers.Conv2D(filters, 3, padding="same")(x)
            if pool:
                x = layers.MaxPooling2D()(x)
            return x
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = conv_block(inputs, 32)
            x = conv_block(x, 64, pool=False)
            outputs = layers.Dense(num_classes)(layers.Flatten()(x))
            return keras.Model(inputs, outputs)
        model = build_model(num_classes=3)
    """)
    assert [layer["type"] for layer in body["layers"]] == ["Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense"]
    assert body["layers"][-1]["units"] == 3


def test_the_rest_of_a_script_is_ignored():
    body = model("""
        import numpy as np
        import matplotlib.pyplot as plt
        import keras
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
        x_train /= 255
        y_train = keras.utils.to_categorical(y_train, 10)
        print(x_train.shape)
        model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
        model.summary()
        history = model.fit(x_train, y_train)
        score = model.evaluate(x_test, y_test, verbose=0)
        plt.plot(history.history["loss"])
        for epoch in range(1000000):
            total = epoch
        while True:
            break
        with open("log.txt") as f:
            f.write(str(score))
        class Callback(object):
            pass
        model.save("mnist.keras")
    """)
    assert [layer["type"] for layer in body["layers"]] == ["Flatten", "Dense"]


def test_the_keras_mnist_example_takes_the_channels_last_branch_with_a_note():
    imported = read("""
        import keras
        from keras import backend as K
        img_rows, img_cols = 28, 28
        if K.image_data_format() == 'channels_first':
            input_shape = (1, img_rows, img_cols)
        else:
            input_shape = (img_rows, img_cols, 1)
        model = keras.Sequential([keras.layers.Conv2D(32, (3, 3), input_shape=input_shape)])
    """)
    assert imported.model["input_shape"] == [28, 28, 1]
    assert "image_data_format() is read as 'channels_last'" in imported.notes.to_json()[0]["message"]["en"]


def test_ipython_lines_of_a_colab_cell_are_skipped():
    imported = read("""
        !pip install -q tensorflow
        %matplotlib inline
        import keras
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    """)
    assert imported.model["layers"] == [{"type": "Dense", "units": 1}]
    assert "2 IPython line(s)" in imported.notes.to_json()[0]["message"]["en"]


def test_several_models_the_one_trained_is_opened_with_a_note():
    imported = read("""
        import keras
        a = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        b = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        a.compile("adam")
        a.fit(x, y)
    """)
    assert imported.model["layers"] == [{"type": "Dense", "units": 1}]
    assert "builds 2 models; this is the one at line 3, the one trained with fit()" in \
        imported.notes.to_json()[0]["message"]["en"]


# ---- activations


def test_activation_layers_and_functions():
    body = model("""
        import tensorflow as tf
        import keras
        from keras import layers, activations
        m = keras.Sequential([
            keras.Input((4,)),
            layers.Dense(4, activation=tf.nn.relu),
            layers.Dense(4, activation=keras.activations.gelu),
            layers.Dense(4, activation=activations.softmax),
            layers.Dense(4, activation=None),
            layers.Activation(tf.nn.sigmoid),
            layers.ReLU(max_value=6.0),
            layers.LeakyReLU(alpha=0.1),
            layers.ELU(),
        ])
    """)
    assert body["layers"] == [
        {"type": "Dense", "units": 4, "activation": "relu"}, {"type": "Dense", "units": 4, "activation": "gelu"},
        {"type": "Dense", "units": 4, "activation": "softmax"}, {"type": "Dense", "units": 4, "activation": None},
        {"type": "Activation", "activation": "sigmoid"}, {"type": "ReLU", "max_value": 6.0},
        {"type": "LeakyReLU", "negative_slope": 0.1}, {"type": "ELU"}]


def test_an_activation_layer_given_as_activation_becomes_its_own_layer_with_a_note():
    imported = read("""
        import keras
        m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation=keras.layers.LeakyReLU(0.2))])
    """)
    assert imported.model["layers"] == [{"type": "Dense", "units": 3}, {"type": "LeakyReLU", "negative_slope": 0.2}]
    assert imported.notes.to_json()[0]["layers"] == ["dense"]


def test_augmentation_layers_are_left_out_with_a_note_keeping_their_input_shape():
    imported = read("""
        import tensorflow as tf
        from tensorflow.keras import layers
        augment = tf.keras.Sequential([layers.RandomFlip("horizontal", input_shape=(180, 180, 3)),
                                       layers.RandomRotation(0.1)])
        model = tf.keras.Sequential([augment, layers.Rescaling(1./255), layers.Conv2D(16, 3)])
    """)
    assert imported.model == {"input_shape": [180, 180, 3], "layers": [
        {"type": "Rescaling", "scale": pytest.approx(1 / 255)}, {"type": "Conv2D", "filters": 16, "kernel_size": 3}]}
    assert any("RandomFlip changes pictures only while training" in n for n in
               [note["message"]["en"] for note in imported.notes.to_json()])


def test_arguments_the_catalogue_does_not_keep_are_dropped_unread_with_notes():
    imported = read("""
        import keras
        from keras import regularizers
        m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(
            3, kernel_initializer="he_normal", kernel_regularizer=regularizers.l2(1e-4), bias_constraint=None,
            lora_rank=4, dtype="float32")])
    """)
    assert imported.model["layers"] == [{"type": "Dense", "units": 3}]
    messages = [note["message"]["en"] for note in imported.notes.to_json()]
    assert any(m.startswith("regularizers and constraints") for m in messages)
    assert any(m.startswith("Dense argument lora_rank=4 is not kept") for m in messages)


def test_frozen_layers_are_kept_where_made_and_where_a_layer_or_a_whole_model_is_frozen_later():
    imported = read("""
        import keras
        from keras import layers
        base = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1)), layers.BatchNormalization()])
        base.trainable = False
        head = layers.Dense(10)
        model = keras.Sequential([base, layers.Flatten(), head, layers.Dense(3, trainable=False)])
        head.trainable = False
        head.trainable = True
    """)
    frozen = [layer.get("trainable", True) for layer in imported.model["layers"]]
    assert frozen == [False, False, True, True, False]


def test_a_functional_model_frozen_freezes_every_layer_and_an_unreadable_target_is_noted():
    imported = read("""
        import keras
        from keras import layers
        inputs = keras.Input((8,))
        y = layers.Dense(2)(layers.Dense(4)(inputs))
        model = keras.Model(inputs, y)
        model.trainable = False
        model.layers[1].trainable = True
    """)
    assert [layer["trainable"] for layer in imported.model["layers"]] == [False, False]
    assert [note["message"]["en"] for note in imported.notes.to_json()] == [
        "line 8: model.layers[1].trainable = … is not read, so those layers keep the trainable flag the rest of the "
        "code gives them; set trainable=False where a layer is made, or on a whole model"]


def test_models_made_frozen_freeze_their_layers_and_flags_only_running_could_tell_are_noted():
    imported = read("""
        import sys
        import keras
        from keras import layers
        base = keras.Sequential([keras.Input((8,)), layers.Dense(4, trainable=sys.argv[1] == "x")], trainable=False)
        for layer in base.layers:
            layer.trainable = True
        model = keras.Sequential([base, layers.Dense(4)])
        model.layers[1].trainable = 1
    """)
    assert [layer.get("trainable", True) for layer in imported.model["layers"]] == [False, True]
    notes = [note["message"]["en"] for note in imported.notes.to_json()]
    assert any(note.startswith('line 5: trainable=sys.argv[1] == "x" is not read') for note in notes), notes
    assert any(note.startswith("line 6: for layer in base.layers: … .trainable = … is not read") for note in notes), notes
    functional = read("""
        import keras
        inputs = keras.Input((4,))
        model = keras.Model(inputs, keras.layers.Dense(2)(inputs), trainable=False)
    """)
    assert functional.model["layers"][0]["trainable"] is False


@pytest.mark.parametrize("written", ["layers.Dense(2, trainable=1)", "layers.Dense(2, trainable='no')"])
def test_trainable_must_be_true_or_false(written):
    with pytest.raises(CodeRefused, match="trainable must be True or False"):
        read(f"import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((4,)), {written}])\n")


# ---- old spellings


KERAS1 = """
    from keras.models import Sequential
    from keras.layers.core import Dense, Dropout, Activation, Flatten
    from keras.layers.convolutional import Convolution2D, MaxPooling2D
    from keras.layers.advanced_activations import LeakyReLU
    from keras.optimizers import SGD

    nb_classes = 10
    model = Sequential()
    model.add(Convolution2D(32, 5, 5, border_mode='valid', input_shape=(28, 28, 1), init='he_normal'))
    model.add(Activation('relu'))
    model.add(Convolution2D(nb_filter=64, nb_row=3, nb_col=3, subsample=(2, 2), dim_ordering='tf'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(p=0.25))
    model.add(Flatten())
    model.add(Dense(output_dim=128, W_regularizer=l2(0.01), bias=True))
    model.add(LeakyReLU(alpha=0.1))
    model.add(Dense(nb_classes))
    model.add(Activation('softmax'))
    sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
    model.fit(X_train, Y_train, batch_size=128, nb_epoch=12, verbose=1, validation_split=0.1)
"""


def test_a_keras_1_model_becomes_keras_3s_spelling_with_every_change_noted():
    imported = read(KERAS1)
    assert imported.model == {"input_shape": [28, 28, 1], "layers": [
        {"type": "Conv2D", "filters": 32, "kernel_size": [5, 5], "padding": "valid"},
        {"type": "Activation", "activation": "relu"},
        {"type": "Conv2D", "filters": 64, "kernel_size": [3, 3], "strides": [2, 2], "data_format": "channels_last"},
        {"type": "MaxPooling2D", "pool_size": [2, 2]},
        {"type": "Dropout", "rate": 0.25},
        {"type": "Flatten"},
        {"type": "Dense", "units": 128, "use_bias": True},
        {"type": "LeakyReLU", "negative_slope": 0.1},
        {"type": "Dense", "units": 10},
        {"type": "Activation", "activation": "softmax"}]}
    by_message = {note["message"]["en"]: note["layers"] for note in imported.notes.to_json()}
    assert by_message == {
        "Convolution2D(filters, rows, cols) (Keras 1) gives the kernel as two numbers: read as kernel_size=(rows, "
        "cols)": ["conv2d"],
        "border_mode= (Keras 1) is padding= in Keras 3": ["conv2d"],
        "init= (Keras 1, the starting weights) is not kept: it changes training, not shapes or counts": ["conv2d"],
        "nb_row and nb_col (Keras 1) are kernel_size=(nb_row, nb_col) in Keras 3": ["conv2d_1"],
        "nb_filter= (Keras 1) is filters= in Keras 3": ["conv2d_1"],
        "subsample= (Keras 1) is strides= in Keras 3": ["conv2d_1"],
        "dim_ordering='tf' (Keras 1) is data_format='channels_last'": ["conv2d_1"],
        "p= (Keras 1) is rate= in Keras 3": ["dropout"],
        "output_dim= (Keras 1) is units= in Keras 3": ["dense"],
        "regularizers and constraints are not kept: they change training, not shapes or counts": ["dense"],
        "bias= (Keras 1) is use_bias= in Keras 3": ["dense"],
        "LeakyReLU's alpha (Keras 2) is negative_slope in Keras 3": ["leaky_re_lu"],
        "lr= (Keras 2) is learning_rate= in Keras 3": [],
        "the optimizer's decay, momentum, nesterov are not run settings and are not kept": [],
        "loss: a run uses sparse categorical cross-entropy on class numbers, the same loss as categorical "
        "cross-entropy on one-hot labels": [],
        "nb_epoch= (Keras 1) is epochs= in Keras 3": []}
    assert imported.training == {"optimizer": "sgd", "learning_rate": 0.01, "epochs": 12, "batch_size": 128,
                                 "validation_split": 0.1}


@pytest.mark.parametrize("call, expected", [
    ("Convolution1D(nb_filter=8, filter_length=3, subsample_length=2, border_mode='same')",
     {"type": "Conv1D", "filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}),
    ("MaxPooling1D(pool_length=2, stride=1)", {"type": "MaxPooling1D", "pool_size": 2, "strides": 1}),
    ("AtrousConvolution1D(8, 3, atrous_rate=2)", {"type": "Conv1D", "filters": 8, "kernel_size": 3,
                                                  "dilation_rate": 2}),
])
def test_keras_1_one_dimensional_spellings(call, expected):
    body = model(f"from keras.layers import *\nimport keras\nm = keras.Sequential([keras.Input((20, 4)), {call}])")
    assert body["layers"] == [expected]


def test_dim_ordering_th_is_channels_first_and_a_channels_first_shape_gets_a_hint():
    imported = read("""
        from keras.models import Sequential
        from keras.layers import Convolution2D
        m = Sequential([Convolution2D(8, 3, 3, input_shape=(1, 28, 28), dim_ordering='th')])
    """)
    assert imported.model["layers"] == [{"type": "Conv2D", "filters": 8, "kernel_size": [3, 3],
                                         "data_format": "channels_first"}]
    hinted = read("""
        from keras.models import Sequential
        from keras.layers import Convolution2D
        m = Sequential([Convolution2D(8, 3, 3, input_shape=(1, 28, 28))])
    """)
    assert any("looks channels-first" in note["message"]["en"] for note in hinted.notes.to_json())


def test_conv2d_with_three_numbers_is_read_as_keras_3_reads_it_with_a_note():
    imported = read("import keras\nm = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3, 3)])")
    assert imported.model["layers"] == [{"type": "Conv2D", "filters": 32, "kernel_size": 3, "strides": 3}]
    assert "third number is strides in Keras 3" in imported.notes.to_json()[0]["message"]["en"]


def test_keras_1_model_input_output_merge_and_fit_generator():
    imported = read("""
        from keras.layers import Input, Dense, merge
        from keras.models import Model
        a = Input(shape=(8,))
        b = Dense(8)(a)
        c = merge([a, b], mode='concat', concat_axis=-1)
        m = Model(input=a, output=Dense(2)(c))
        m.compile(optimizer='RMSprop')
        m.fit_generator(gen, steps_per_epoch=10, epochs=3)
    """)
    assert imported.model["layers"][1] == {"type": "Concatenate", "inputs": ["input", "dense"], "axis": -1}
    messages = [note["message"]["en"] for note in imported.notes.to_json()]
    assert "Model(input=…, output=…) (Keras 1) is Model(inputs=…, outputs=…) in Keras 3" in messages
    assert "fit_generator (Keras 2) is fit in Keras 3" in messages
    assert imported.training == {"optimizer": "rmsprop", "epochs": 3, "validation_split": 0.0}


# ---- training settings


@pytest.mark.parametrize("calls, expected", [
    ("m.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\nm.fit(x, y, epochs=5, batch_size=64)",
     {"optimizer": "adam", "epochs": 5, "batch_size": 64, "validation_split": 0.0}),
    ("m.compile(keras.optimizers.Adam(learning_rate=3e-4))", {"optimizer": "adam", "learning_rate": 3e-4}),
    ("m.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9))", {"optimizer": "sgd", "learning_rate": 0.1}),
    ("opt = keras.optimizers.legacy.RMSprop(lr=1e-3)\nm.compile(optimizer=opt)",
     {"optimizer": "rmsprop", "learning_rate": 1e-3}),
    ("m.compile(optimizer=keras.optimizers.AdamW())", {"optimizer": "adamw"}),
    ("m.compile(optimizer='Adagrad')", {"optimizer": "adagrad"}),
    ("m.compile()", {"optimizer": "rmsprop"}),
    ("m.fit(x, y, 16, 4, 1, None, 0.25)", {"epochs": 4, "batch_size": 16, "validation_split": 0.25}),
    ("m.fit(x, y)", {"epochs": 1, "batch_size": 32, "validation_split": 0.0}),
    ("m.fit(x, y, validation_data=(a, b), epochs=2)", {"epochs": 2, "batch_size": 32}),
    ("m.fit(x, y, epochs=100, batch_size=4096)", {"epochs": 50, "batch_size": 1024, "validation_split": 0.0}),
    ("m.compile(optimizer=keras.optimizers.Adadelta())", {}),
    ("m.compile(optimizer='nadam')\nm.fit(x, y, epochs=len(x), batch_size=-1, validation_split=2)",
     {}),
])
def test_compile_and_fit_become_run_settings(calls, expected):
    imported = read(f"import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n{calls}\n")
    assert imported.training == expected
    assert imported.to_json()["training"] == expected


def test_unreadable_or_unsupported_training_values_are_notes_not_refusals():
    messages = notes("""
        import keras
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        m.compile(optimizer='nadam', loss='mse')
        m.fit(x, y, epochs=len(x), batch_size=-1, validation_split=2)
    """)
    assert messages[0].startswith("the optimizer nadam is not one a run offers")
    assert messages[1].startswith("loss='mse' is not kept")
    assert messages[2].startswith("epochs=len(x) could not be read (line 5, column 20: len(…) is a call")
    assert messages[3].startswith("batch_size=-1 is not a whole number")
    assert messages[4].startswith("validation_split=2 is not a fraction")


def test_the_training_keys_are_run_request_fields():
    from app.runs.checks import RunRequest

    imported = read("""
        import keras
        m = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
        m.compile(optimizer=keras.optimizers.Adam(0.01))
        m.fit(x, y, epochs=2, batch_size=8, validation_split=0.1)
    """)
    request = RunRequest(model=imported.model, dataset="mnist", **imported.training)
    assert (request.optimizer, request.learning_rate, request.epochs, request.batch_size, request.validation_split) == \
        ("adam", 0.01, 2, 8, 0.1)


def test_training_limits_come_from_settings():
    imported = read("import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
                    "m.fit(x, y, epochs=9, batch_size=9)", training=TrainingLimits(max_epochs=3, max_batch_size=4))
    assert imported.training == {"epochs": 3, "batch_size": 4, "validation_split": 0.0}


# ---- refusals, each at its line and column


@pytest.mark.parametrize("code, where, words", [
    ("import keras\nm = keras.Sequential([keras.layers.Dense(len(x), input_dim=3)])", (2, 42),
     "len(…) is a call the reader does not follow"),
    ("import keras\nm = keras.Sequential([keras.layers.Dense(3, input_shape=x_train.shape[1:])])", (2, 57),
     "x_train is not given a value before this line"),
    ("import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
     "m = keras.Sequential([keras.layers.Dense(3, input_shape=x.shape[1:])])", (3, 57),
     "x has no value that can be known without running the code (line 2, column 13: keras.datasets.mnist.load_data"),
    ("import keras\nm = keras.Sequential([keras.layers.LSTM(3, input_shape=(2, 3))])", (2, 23),
     "LSTM is not a layer the catalogue knows; GET /api/layers lists"),
    ("import keras\nm = keras.Sequential([keras.layers.Conv2d(3, 3, input_shape=(8, 8, 3))])", (2, 23),
     "Conv2d is not a layer the catalogue knows (did you mean Conv2D?)"),
    ("from keras.layers import Dense\nimport keras\nm = keras.Sequential()\nfor n in sizes:\n    m.add(Dense(n))",
     (4, 1), "a for loop here decides which layers the model gets"),
    ("import keras\nm = keras.Sequential([keras.Input((3,))])\nwhile len(m.layers) < 3:\n"
     "    m.add(keras.layers.Dense(3))", (3, 1), "a while loop here decides which layers"),
    ("import keras\nm = keras.Sequential([keras.Input((3,))])\nif args.deep:\n    m.add(keras.layers.Dense(3))",
     (3, 1), "an if here decides which layers"),
    ("import keras\nm = keras.Sequential([keras.layers.Dense(n, input_dim=3) for n in (1, 2)])", (2, 22),
     "a list comprehension is not read"),
    ("import keras\nm = keras.Sequential([keras.layers.Dense(3, input_dim=3, activation=lambda x: x)])", (2, 69),
     "a lambda is not read"),
    ("import keras\nkw = {'units': 3}\nm = keras.Sequential([keras.layers.Dense(**kw, input_dim=3)])", (3, 42),
     "arguments unpacked with * or **"),
    ("import keras\nm = keras.Sequential([keras.layers.Dense(0, input_dim=3)])", (2, 42),
     "Dense units: 0 is below the minimum 1"),
    ("import keras\nm = keras.Sequential([keras.layers.Dense(3, input_dim=3, padding='same')])", None, None),
    ("import keras\nm = keras.Sequential([keras.layers.Dense(3)])", (2, 5), "the model's input shape is not in the "
     "code"),
    ("import keras\nclass Net(keras.Model):\n    pass\nm = Net()", (4, 5), "Net (line 2) subclasses a Keras model"),
    ("import keras\nbase = keras.applications.ResNet50(weights=None)", (2, 8),
     "keras.applications.ResNet50 builds a whole model inside Keras"),
    ("import keras\nd = keras.layers.Dense(3)\ni = keras.Input((3,))\nm = keras.Model(i, d(d(i)))", (4, 20),
     "this layer is already used at line 4"),
    ("import keras\na, b = keras.Input((3,)), keras.Input((3,))\n"
     "m = keras.Model([a, b], keras.layers.Add()([a, b]))", (3, 17), "a model with several inputs is not read"),
    ("import keras\na = keras.Input((3,))\nm = keras.Model(a, [keras.layers.Dense(1)(a), keras.layers.Dense(2)(a)])",
     (3, 20), "a model with several outputs is not read"),
    ("import keras\na, b = keras.Input((3,)), keras.Input((3,))\nm = keras.Model(a, keras.layers.Add()([a, b]))",
     (3, 20), "also comes from a second Input (line 2)"),
    ("import keras\nm = keras.Sequential([keras.Input((3,)), Dense(2)])", (2, 42),
     "Dense is not imported before this line; add: from keras.layers import Dense"),
    ("import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, 1, 2, 3)])", (2, 70),
     "Dense takes at most 3 arguments by position"),
    ("import keras\nx = keras.Input((4,))\ny = keras.activations.relu(x)\nm = keras.Model(x, y)", (3, 5),
     "an activation function called on a tensor is not read"),
    ("import keras\nx = keras.Input((4,))\nm = keras.Model(x, keras.layers.Dense(2)(x).shape)", (3, 20),
     "a tensor's .shape is only known by building the model"),
])
def test_what_is_not_read_is_refused_at_its_line_and_column_saying_what_to_do(code, where, words):
    if where is None:  # an argument the layer does not have is a note, not a refusal
        assert "padding='same' is not kept" in notes(code)[0]
        return
    error = refused(code)
    assert error.status == 422
    assert at(error) == where, error.text.en
    assert words in error.text.en, error.text.en
    assert error.text.en.startswith(f"line {where[0]}, column {where[1]}: ")
    assert error.text.ko.startswith(f"{where[0]}행 {where[1]}열: ")


def test_a_syntax_error_points_at_its_line():
    error = refused("import keras\nmodel = keras.Sequential([\n    keras.layers.Dense(3)\nmodel.summary()\n")
    assert error.kind == "syntax" and error.loc[3] == 2 and "not valid Python 3" in error.text.en
    assert at(refused("print 'hello'\n"))[0] == 1


def test_code_without_a_model_is_refused():
    error = refused("import numpy as np\nx = np.zeros(3)\nprint(x)\n")
    assert error.status == 422 and "no model was found" in error.text.en and error.loc == ("body", "code")


def test_a_model_from_a_call_that_is_not_followed_says_why_no_model_was_found():
    error = refused("from utils import create_model\nmodel = create_model(10)\n")
    assert at(error) == (2, 9)
    assert "no model was found: model could not be read (create_model(…) is a call the reader does not follow" in \
        error.text.en


def test_code_over_the_limit_is_a_413_naming_the_setting():
    error = refused("x = 1\n" * 100, max_code_bytes=100)
    assert error.status == 413 and "CNN_MAX_IMPORT_CODE_BYTES" in error.text.en


def test_code_that_is_not_utf8_is_refused():
    with pytest.raises(CodeRefused, match="not UTF-8"):
        read_code(b"x = '\xff'\n", "m.py", CodeLimits())


def test_more_layers_than_the_limit_is_a_413_naming_the_setting():
    error = refused("import keras\nm = keras.Sequential([keras.Input((3,))])\nfor i in range(50):\n"
                    "    m.add(keras.layers.Dense(3))", max_layers=10)
    assert error.status == 413 and "CNN_MAX_LAYERS" in error.text.en and at(error)[0] == 4


# ---- hostile code


HUGE = [
    ("10**10**10", "is over 1,000,000,000,000"),
    ("2**39 * 2**39", "a number over 1,000,000,000,000"),
    ("9" * 4000, "a number over 1,000,000,000,000"),
    ("1e308 * 10", "a number over"),
    ("'a' * 10**9", "would be over 10,000 characters"),
    ("(1,) * 10**6", "would be over 10,000 characters or 10,000 items"),
    ("f'{1:>1000000000}'", "is not read; use a width under 100"),
    ("'%1000000000d' % 1", "% is read only between numbers"),
    ("1 << 10**9", "only + - * / // % ** are read"),
    ("(-8) ** 0.5", "a complex number"),
    ("1 / 0", "division by zero"),
]


@pytest.mark.parametrize("value, words", HUGE)
def test_huge_or_undefined_values_are_refused_before_they_are_computed(value, words):
    started = time.perf_counter()
    error = refused(f"import keras\nm = keras.Sequential([keras.layers.Dense({value}, input_dim=3)])")
    assert words in error.text.en and at(error)[0] == 2
    assert time.perf_counter() - started < 5  # nothing of that size was built (a guard, not a benchmark)


def test_an_unused_huge_constant_does_not_matter():
    assert model("import keras\nBIG = 2**64\nm = keras.Sequential([keras.layers.Dense(3, input_dim=3)])")


@pytest.mark.parametrize("code", [
    "x = " + "(" * 300 + "1" + ")" * 300,
    "x = " + "+".join(["1"] * 100_000),
    "x = " + "-" * 100_000 + "1",
    "x = a" + ".b" * 100_000,
    "x = f" + "()" * 100_000,
    "".join(" " * i + "if x:\n" for i in range(120)) + " " * 120 + "pass\n",
])
def test_deep_nesting_is_refused_by_the_parser_in_words(code):
    error = refused(code)
    assert error.status == 422 and ("nest" in error.text.en or "not valid Python" in error.text.en)


def test_deep_expressions_the_parser_accepts_are_refused_by_the_reader():
    code = "import keras\nn = " + "+".join(["1"] * 500) + "\nm = keras.Sequential([keras.layers.Dense(n, input_dim=1)])"
    error = refused(code)
    assert "nested more than 100 deep" in error.text.en


def test_a_long_loop_that_builds_layers_stops_at_the_step_budget():
    error = refused("import keras\nm = keras.Sequential([keras.Input((3,))])\nfor i in range(10**9):\n"
                    "    if i > 10**9:\n        m.add(keras.layers.Dense(3))")
    assert "more than 200,000 steps" in error.text.en


def test_functions_calling_themselves_stop_at_a_depth():
    error = refused("import keras\ndef f(n):\n    return f(n + 1)\nm = keras.Sequential([keras.layers.Dense(f(1), "
                    "input_dim=3)])")
    assert "more than 20 deep" in error.text.en


ATTRIBUTE_TRICKS = [
    "().__class__.__bases__[0].__subclasses__()",
    "keras.__builtins__",
    "keras.layers.Dense.__init__.__globals__",
    "getattr(keras, 'layers')",
    "type('X', (), {})",
    "vars()",
    "globals()['__builtins__']",
    "keras._tf_keras.keras.layers.Dense(3)",
]


@pytest.mark.parametrize("trick", ATTRIBUTE_TRICKS)
def test_attribute_tricks_are_refused(trick):
    error = refused(f"import keras\nm = keras.Sequential([keras.layers.Dense({trick}, input_dim=3)])")
    assert at(error)[0] == 2


PAYLOADS = [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w')",
    "exec(\"open('{marker}', 'w')\")",
    "eval(\"open('{marker}', 'w')\")",
    "compile(\"open('{marker}', 'w')\", 'x', 'exec')",
    "__builtins__.open('{marker}', 'w')",
    "(lambda: open('{marker}', 'w'))()",
    "[open('{marker}', 'w') for _ in (1,)]",
]
POSITIONS = [
    "import keras\nm = keras.Sequential([keras.layers.Dense({p}, input_dim=3)])",
    "import keras\nm = keras.Sequential([keras.layers.Dense(3, input_dim={p})])",
    "import keras\nm = keras.Sequential([keras.layers.Dense(3, input_dim=3, name={p})])",
    "import keras\nm = keras.Sequential([keras.layers.Dense(3, input_dim=3, activation={p})])",
    "import keras\nm = keras.Sequential([keras.layers.Dense(3, input_dim=3, kernel_regularizer={p})])",
    "import keras\nm = keras.Sequential([keras.layers.Dense(3, input_dim=3, foo={p})])",
    "import keras\nm = keras.Sequential({p})",
    "import keras\nm = keras.Sequential([keras.Input({p})])",
    "import keras\nm = keras.Sequential([keras.Input((3,))])\nm.add({p})",
    "import keras\ni = keras.Input((3,))\nm = keras.Model(i, {p})",
    "import keras\ni = keras.Input((3,))\nm = keras.Model({p}, keras.layers.Dense(3)(i))",
    "import keras\ni = keras.Input((3,))\nm = keras.Model(i, keras.layers.Dense(3)({p}))",
    "import keras\nm = keras.Sequential([keras.Input((3,))])\nm.compile(optimizer={p}, loss={p})",
    "import keras\nm = keras.Sequential([keras.Input((3,))])\nm.fit({p}, {p}, epochs={p}, batch_size={p})",
    "import keras\nm = keras.Sequential([keras.Input((3,))])\nm.compile(keras.optimizers.Adam({p}))",
    "{p}\nimport keras\nm = keras.Sequential([keras.Input((3,))])",
    "x = {p}\nimport keras\nm = keras.Sequential([keras.Input((3,))])",
    "import keras\nfor i in {p}:\n    pass\nm = keras.Sequential([keras.Input((3,))])",
    "import keras\nif {p}:\n    pass\nm = keras.Sequential([keras.Input((3,))])",
    "import keras\nwhile {p}:\n    pass\nm = keras.Sequential([keras.Input((3,))])",
    "import keras\nwith {p} as f:\n    pass\nm = keras.Sequential([keras.Input((3,))])",
    "import keras\n@{p}\ndef g(a={p}):\n    return {p}\nm = keras.Sequential([keras.Input((3,)), "
    "keras.layers.Dense(g())])",
    "import keras\nclass C({p}):\n    x = {p}\nm = keras.Sequential([keras.Input((3,))])",
    "import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, name=f'{{{p}}}')])",
    "import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense((1, 2)[{p}])])",
    "import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3 if {p} else 2)])",
    "import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense({p}.x.y)])",
    "import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)({p})])",
    "import keras\ni = keras.Input((3,))\nm = keras.Model(i, i + {p})",
]


def test_a_payload_in_every_position_is_never_run(tmp_path, monkeypatch):
    """Each payload would create the marker file if anything ran it; the reader answers (a model or a refusal),
    never with Python's own eval, exec or compile, and the marker never appears."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the reader must never evaluate code")

    real_compile = builtins.compile

    def ast_only(source, filename, mode, flags=0, *args, **kwargs):  # ast.parse compiles to a tree, never to code
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError("the reader must never compile code")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", ast_only)
    marker = tmp_path / "MARKER"
    answers = {"model": 0, "refused": 0}
    for position in POSITIONS:
        for payload in PAYLOADS:
            code = position.format(p=payload.format(marker=marker))
            try:
                read_code(code, None, CodeLimits())
                answers["model"] += 1
            except CodeRefused as error:
                assert error.status in (413, 422)
                answers["refused"] += 1
            assert not marker.exists(), code
    assert answers["refused"] > len(POSITIONS) * len(PAYLOADS) // 2, answers


def test_a_256_kb_script_is_read_within_the_limit():
    cell = textwrap.dedent(LECTURE) + "model.compile('adam')\nmodel.fit(x, y, epochs=2)\n"
    code = cell * (256 * 1024 // len(cell.encode()))
    imported = read_code(code, None, CodeLimits())
    assert len(imported.model["layers"]) == 8  # the last model built (each cell makes a new one)


# ---- blocks → Python → blocks


def _normalised(body: dict) -> tuple:
    """What makes two bodies the same model: kinds, normalised arguments and connections, names as given or not."""
    valid = validate_model(ModelSpec.model_validate(body), Settings())
    return valid.input_shape, [(layer.kind.type, layer.name, layer.inputs, layer.params) for layer in valid.layers]


def _exported(body: dict) -> str:
    return model_code(infer_model(validate_model(ModelSpec.model_validate(body), Settings())))


PRESETS = json.loads((ROOT / "static" / "data" / "presets.json").read_text())["presets"]
BRANCHING = {
    "projection_shortcut": {"input_shape": [16, 16, 8], "layers": [
        {"type": "Conv2D", "filters": 16, "kernel_size": 3, "strides": 2, "padding": "same"},
        {"type": "BatchNormalization"}, {"type": "ReLU"},
        {"type": "Conv2D", "name": "proj", "inputs": ["input"], "filters": 16, "kernel_size": 1, "strides": 2},
        {"type": "Add", "inputs": ["re_lu", "proj"]}, {"type": "GlobalAveragePooling2D"},
        {"type": "Dense", "units": 10, "activation": "softmax"}]},
    "inception_with_unused_branch": {"input_shape": [8, 8, 4], "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 1},
        {"type": "Conv2D", "inputs": ["input"], "filters": 4, "kernel_size": 3, "padding": "same"},
        {"type": "MaxPooling2D", "inputs": ["input"], "pool_size": 3, "strides": 1, "padding": "same"},
        {"type": "Dense", "name": "unused side", "inputs": ["input"], "units": 2},
        {"type": "Concatenate", "inputs": ["conv2d", "conv2d_1", "max_pooling2d"], "axis": -1},
        {"type": "Flatten"}]},
    "squeeze_excitation_and_application_layers": {"input_shape": [8, 8, 16], "layers": [
        {"type": "GlobalAveragePooling2D", "keepdims": True}, {"type": "Dense", "units": 4, "activation": "relu"},
        {"type": "Dense", "units": 16, "activation": "sigmoid"},
        {"type": "Multiply", "inputs": ["input", "dense_1"]},
        {"type": "LayerScale", "init_values": 1e-6, "projection_dim": 16},
        {"type": "CustomScaleLayer", "inputs": ["layer_scale", "input"], "scale": 0.17},
        {"type": "ZeroPadding2D", "padding": [[1, 0], [0, 1]]}, {"type": "Reshape", "target_shape": [-1]}]},
}


@pytest.mark.parametrize("body", [preset["model"] for preset in PRESETS] + list(BRANCHING.values()),
                         ids=[preset["id"] for preset in PRESETS] + list(BRANCHING))
def test_blocks_to_python_and_back_give_the_same_blocks(body):
    back = read_code(_exported(body), None, CodeLimits()).model
    assert _normalised(back)[0] == _normalised(body)[0]
    ours, theirs = _normalised(back)[1], _normalised(body)[1]
    assert [(t, inputs, params) for t, _, inputs, params in ours] == \
        [(t, inputs, params) for t, _, inputs, params in theirs]
    assert [name for _, name, _, _ in ours] == [name for _, name, _, _ in theirs]


@pytest.mark.parametrize("augment", [{}, {"flip": True, "rotation": 0.1}], ids=["plain", "augmented"])
def test_a_runs_training_script_gives_back_its_model_and_its_settings(augment):
    from app.core.export.training import Data, training_code
    from app.runs.checks import MNIST_CNN

    settings = {"epochs": 4, "batch_size": 16, "optimizer": "rmsprop", "learning_rate": 0.002,
                "validation_split": 0.1}
    run = {"request": {**settings, "seed": 3, "augment": augment}, "loss": {"from_logits": False}}
    result = infer_model(validate_model(ModelSpec.model_validate(MNIST_CNN), Settings()))
    imported = read_code(training_code(result, run, Data("mnist", "MNIST", None, False)), None, CodeLimits())
    assert imported.model == MNIST_CNN
    assert imported.training == settings


FRAGMENTS = [
    "import keras", "from keras import layers", "import tensorflow as tf", "from keras.layers import *",
    "m = keras.Sequential()", "m = keras.Sequential([keras.Input((8, 8, 3))])", "m.add(layers.Conv2D(4, 3))",
    "m.add(layers.Dense(n))", "m.add(Dense(2, input_dim=3))", "m.add(layers.Flatten())", "m.pop()",
    "n = 3", "n = n * 2 + 1", "n = len(x)", "n = 'a'", "n = (1, 2)", "x = keras.Input((4,))", "i = keras.Input((8,))",
    "x = layers.Dense(n)(x)", "y = layers.Dense(4)(x)", "x = layers.add([x, y])", "x = x + y", "x = x / 2",
    "z = layers.Concatenate()([x, i])", "model = keras.Model(i, x)", "model = keras.Model(x, y)",
    "for k in range(n):\n    m.add(layers.Dense(k + 1))", "if n > 2:\n    m.add(layers.Dropout(0.5))",
    "if data.ok:\n    n = 4", "def f(a, b=2):\n    return layers.Dense(a * b)", "m.add(f(n))", "d = f(1)",
    "x = d(x)", "x = d(y)", "m.compile(optimizer='adam')", "m.fit(x, y, epochs=n, batch_size=n)",
    "model.compile(keras.optimizers.SGD(lr=n))", "while n:\n    n = n - 1", "del n", "x = [x, y][0]",
    "m = keras.Sequential([m, layers.Dense(2)])", "x = m(x)", "print(m.summary())", "x = x.shape[1:]",
    "n = 10 ** n", "n = n ** 40", "s = 'ab' * n", "m.add(layers.Dense(3, activation=layers.ReLU()))",
]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14), st.text(max_size=30))
@hypothesis_settings(max_examples=300, deadline=None, derandomize=True)
def test_generated_code_gives_a_model_or_a_refusal_never_anything_else(fragments, noise):
    for code in ("\n".join(fragments), "\n".join(fragments) + "\n" + noise):
        try:
            imported = read_code(code, None, CodeLimits())
        except CodeRefused as error:
            assert error.status in (413, 422) and error.text.en and error.text.ko
            continue
        json.dumps(imported.to_json())  # plain JSON, whatever the code did


def _expressions():
    numbers = st.one_of(st.integers(-50, 50).map(str), st.sampled_from(["0.5", "2.0", "1e3", "True"]))

    def combine(children):
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "//", "%"]), children)
        power = st.tuples(children, st.just("**"), st.integers(0, 3).map(str))
        return st.one_of(st.builds(lambda t: f"({t[0]} {t[1]} {t[2]})", st.one_of(binary, power)),
                         children.map(lambda e: f"(-{e})"))
    return st.recursive(numbers, combine, max_leaves=12)


def evaluate(expression: str):
    """One expression through the reader's own evaluator."""
    return Interpreter(expression, Notes(), "code", CodeLimits()).value(ast.parse(expression, mode="eval").body)


@given(_expressions())
@hypothesis_settings(max_examples=400, deadline=None, derandomize=True)
def test_arithmetic_is_pythons_wherever_it_is_within_bounds(expression):
    try:
        expected = eval(expression, {"__builtins__": {}})  # noqa: S307 - the test's own expression, to compare with
    except ZeroDivisionError:
        expected = None
    try:
        got = evaluate(expression)
    except CodeRefused as error:
        assert expected is None or isinstance(expected, complex) or abs(expected) > 10**12, (expression, error.text.en)
        return
    assert expected is not None and not isinstance(expected, complex) and abs(expected) <= 10**12
    assert got == pytest.approx(expected) and type(got) is type(expected), expression


@pytest.mark.parametrize("expression, value", [("7 // 2 * 3 - 4 % 3", 8), ("2 ** 10 / 4", 256.0), ("-3 ** 2", -9),
                                               ("(1 + 2) * 3 ** 2 // 4", 6), ("10 / 4", 2.5), ("-7 // 2", -4),
                                               ("-7 % 3", 2), ("True + 1", 2), ("2 ** -1", 0.5),
                                               ("(28, 28) + (1,)", (28, 28, 1)), ("[3] * 2", [3, 3]),
                                               ("'conv' + '_' + 'a'", "conv_a"), ("(1, 2, 3)[-1]", 3),
                                               ("(1, 2, 3)[1:]", (2, 3)), ("3 if 2 > 1 else 4", 3),
                                               ("1 < 2 <= 2 != 3", True), ("None is None", True),
                                               ("'a' in ('a', 'b')", True), ("not ()", True)])
def test_arithmetic_follows_python(expression, value):
    assert evaluate(expression) == value


def test_the_examples_in_the_readers_docstrings_hold():
    import doctest

    from app.core.readers.code import names as code_names

    result = doctest.testmod(code_names)
    assert result.attempted and not result.failed
