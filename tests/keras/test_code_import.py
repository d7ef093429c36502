"""Tutorial code read by the importer (never run by it) against Keras building the same model.

The test runs the trusted tutorial code itself (``exec`` here, in the test: the app never does) and compares
every row (name, output shape, parameters) and the totals with the /api/shapes answer for what the importer read.
Keras 1 spellings, which Keras 3 cannot run, are compared with the same model written by hand in Keras 3's."""

from __future__ import annotations

import inspect
import textwrap

import keras
import pytest

from app.config import Settings
from app.core.engine import infer_model
from app.core.layers import KINDS
from app.core.readers.code import CodeLimits, read_code
from app.core.readers.code.layers import POSITIONAL
from app.core.spec import ModelSpec, validate_model
from app.tf.build import keras_class

TF_CNN_TUTORIAL = """
import tensorflow as tf
from tensorflow.keras import datasets, layers, models

model = models.Sequential()
model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.add(layers.Flatten())
model.add(layers.Dense(64, activation='relu'))
model.add(layers.Dense(10))
model.compile(optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
"""

LECTURE = """
from keras.models import Sequential
from keras.layers import Conv2D, MaxPooling2D, Dense, Flatten, Dropout

model = Sequential()
model.add(Conv2D(32, kernel_size=(3, 3), activation='relu', input_shape=(24,24,3)))
model.add(Conv2D(64, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(128, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(3, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
"""

QUICKSTART = """
import tensorflow as tf
model = tf.keras.models.Sequential([
  tf.keras.layers.Flatten(input_shape=(28, 28)),
  tf.keras.layers.Dense(128, activation=tf.nn.relu),
  tf.keras.layers.Dropout(0.2),
  tf.keras.layers.Dense(10, activation=tf.nn.softmax)
])
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
"""

KERAS_MNIST_CONVNET = """
import numpy as np
import keras
from keras import layers

num_classes = 10
input_shape = (28, 28, 1)

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()
batch_size = 128
epochs = 15
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
"""

KERAS2_MNIST_CNN = """
from __future__ import print_function
import keras
from keras.models import Sequential
from keras.layers import Dense, Dropout, Flatten
from keras.layers import Conv2D, MaxPooling2D
from keras import backend as K

batch_size = 128
num_classes = 10
epochs = 12
img_rows, img_cols = 28, 28

if K.image_data_format() == 'channels_first':
    input_shape = (1, img_rows, img_cols)
else:
    input_shape = (img_rows, img_cols, 1)

model = Sequential()
model.add(Conv2D(32, kernel_size=(3, 3),
                 activation='relu',
                 input_shape=input_shape))
model.add(Conv2D(64, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(128, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(num_classes, activation='softmax'))

model.compile(loss=keras.losses.categorical_crossentropy,
              optimizer=keras.optimizers.Adadelta(),
              metrics=['accuracy'])
"""

TOY_RESNET = """
import keras
from keras import layers

inputs = keras.Input(shape=(32, 32, 3), name="img")
x = layers.Conv2D(32, 3, activation="relu")(inputs)
x = layers.Conv2D(64, 3, activation="relu")(x)
block_1_output = layers.MaxPooling2D(3)(x)

x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
block_2_output = layers.add([x, block_1_output])

x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
block_3_output = layers.add([x, block_2_output])

x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dense(256, activation="relu")(x)
x = layers.Dropout(0.5)(x)
outputs = layers.Dense(10)(x)

model = keras.Model(inputs, outputs, name="toy_resnet")
model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="categorical_crossentropy")
"""

INCEPTION_WITH_HELPERS = """
import tensorflow as tf
from tensorflow.keras.layers import (Input, Conv2D, MaxPooling2D, BatchNormalization, Activation, concatenate,
                                     GlobalAveragePooling2D, Dense)
from tensorflow.keras.models import Model

def conv_bn(x, filters, kernel_size, strides=1):
    x = Conv2D(filters, kernel_size, strides=strides, padding='same', use_bias=False)(x)
    x = BatchNormalization()(x)
    return Activation('relu')(x)

def inception(x, f1, f3, f5):
    a = conv_bn(x, f1, 1)
    b = conv_bn(conv_bn(x, f3 // 2, 1), f3, 3)
    c = conv_bn(conv_bn(x, f5 // 2, 1), f5, 5)
    d = MaxPooling2D(3, strides=1, padding='same')(x)
    return concatenate([a, b, c, d], axis=-1)

inp = Input(shape=(32, 32, 3))
x = conv_bn(inp, 32, 3, strides=2)
for filters in (16, 32):
    x = inception(x, filters, filters * 2, filters // 2)
x = GlobalAveragePooling2D()(x)
out = Dense(10, activation='softmax')(x)
model = Model(inputs=inp, outputs=out)
"""

SQUEEZE_EXCITE = """
import keras
from keras import layers

def se_block(x, channels, ratio=4):
    s = layers.GlobalAveragePooling2D(keepdims=True)(x)
    s = layers.Dense(channels // ratio, activation="relu")(s)
    s = layers.Dense(channels, activation="sigmoid")(s)
    return layers.Multiply()([x, s])

inputs = keras.Input((16, 16, 3))
x = inputs / 255.0
x = layers.Conv2D(16, 3, padding="same")(x)
x = layers.LeakyReLU(negative_slope=0.1)(x)
y = se_block(x, 16)
x = x + y
x = layers.Flatten()(x)
model = keras.Model(inputs, layers.Dense(2)(x))
"""
SQUEEZE_EXCITE_AS_LAYERS = SQUEEZE_EXCITE.replace("inputs / 255.0", "layers.Rescaling(1 / 255.0)(inputs)").replace(
    "x = x + y", "x = layers.Add()([x, y])")

TWO_MODELS_LAYERS_CREATED_FIRST = """
import keras
from keras import layers
warmup = keras.Sequential([keras.Input((8,)), layers.Dense(4), layers.Dense(2)])
head = layers.Dense(3)
body = layers.Dense(5)
inputs = keras.Input((8,))
model = keras.Model(inputs, head(body(inputs)))
"""

MODERN = {"tf_cnn_tutorial": TF_CNN_TUTORIAL, "lecture": LECTURE, "quickstart": QUICKSTART,
          "keras_mnist_convnet": KERAS_MNIST_CONVNET, "keras2_mnist_cnn": KERAS2_MNIST_CNN, "toy_resnet": TOY_RESNET,
          "inception_with_helpers": INCEPTION_WITH_HELPERS,
          "two_models_layers_created_first": TWO_MODELS_LAYERS_CREATED_FIRST}

# ---- Keras 1 code, and the same model written in Keras 3's spelling

KERAS1_MNIST = """
from keras.models import Sequential
from keras.layers.core import Dense, Dropout, Activation, Flatten
from keras.layers.convolutional import Convolution2D, MaxPooling2D

nb_classes = 10
nb_filters = 32
nb_pool = 2
nb_conv = 3
model = Sequential()
model.add(Convolution2D(32, 5, 5, border_mode='valid', input_shape=(28, 28, 1)))
model.add(Activation('relu'))
model.add(Convolution2D(nb_filters, nb_conv, nb_conv))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(nb_pool, nb_pool)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(128, init='he_normal'))
model.add(Activation('relu'))
model.add(Dropout(0.5))
model.add(Dense(nb_classes))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adadelta')
"""
KERAS1_MNIST_AS_KERAS3 = """
import keras
from keras import layers
model = keras.Sequential([
    keras.Input((28, 28, 1)),
    layers.Conv2D(32, (5, 5), padding='valid'),
    layers.Activation('relu'),
    layers.Conv2D(32, (3, 3)),
    layers.Activation('relu'),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Dropout(0.25),
    layers.Flatten(),
    layers.Dense(128),
    layers.Activation('relu'),
    layers.Dropout(0.5),
    layers.Dense(10),
    layers.Activation('softmax'),
])
"""

KERAS1_KEYWORDS = """
from keras.models import Sequential
from keras.layers import Convolution2D, Convolution1D, MaxPooling1D, MaxPooling2D, Dense, Dropout, Flatten, Reshape
from keras.layers.advanced_activations import LeakyReLU
from keras.regularizers import l2

model = Sequential()
model.add(Convolution2D(nb_filter=16, nb_row=3, nb_col=3, subsample=(2, 2), border_mode='same', init='glorot_uniform',
                        W_regularizer=l2(0.01), dim_ordering='tf', input_shape=(32, 32, 3)))
model.add(LeakyReLU(alpha=0.2))
model.add(MaxPooling2D(pool_size=(2, 2), border_mode='valid'))
model.add(Reshape((64, 16)))
model.add(Convolution1D(nb_filter=8, filter_length=3, subsample_length=1, border_mode='valid', activation='relu'))
model.add(MaxPooling1D(pool_length=2))
model.add(Flatten())
model.add(Dense(output_dim=64, activation='relu', bias=False))
model.add(Dropout(p=0.5))
model.add(Dense(10, activation='softmax'))
"""
KERAS1_KEYWORDS_AS_KERAS3 = """
import keras
from keras import layers
model = keras.Sequential([
    keras.Input((32, 32, 3)),
    layers.Conv2D(16, (3, 3), strides=(2, 2), padding='same', data_format='channels_last'),
    layers.LeakyReLU(negative_slope=0.2),
    layers.MaxPooling2D(pool_size=(2, 2), padding='valid'),
    layers.Reshape((64, 16)),
    layers.Conv1D(8, 3, strides=1, padding='valid', activation='relu'),
    layers.MaxPooling1D(pool_size=2),
    layers.Flatten(),
    layers.Dense(64, activation='relu', use_bias=False),
    layers.Dropout(0.5),
    layers.Dense(10, activation='softmax'),
])
"""

KERAS1_THEANO = """
from keras.models import Sequential
from keras.layers import Convolution2D, MaxPooling2D, Flatten, Dense

model = Sequential()
model.add(Convolution2D(32, 3, 3, border_mode='same', input_shape=(3, 32, 32), dim_ordering='th'))
model.add(MaxPooling2D(pool_size=(2, 2), dim_ordering='th'))
model.add(Flatten())
model.add(Dense(output_dim=10))
"""
KERAS1_THEANO_AS_KERAS3 = """
import keras
from keras import layers
model = keras.Sequential([
    keras.Input((3, 32, 32)),
    layers.Conv2D(32, (3, 3), padding='same', data_format='channels_first'),
    layers.MaxPooling2D(pool_size=(2, 2), data_format='channels_first'),
    layers.Flatten(),
    layers.Dense(10),
])
"""

KERAS1_FUNCTIONAL = """
from keras.layers import Input, Dense, merge
from keras.models import Model

a = Input(shape=(16,))
b = Dense(16, activation='relu')(a)
c = merge([a, b], mode='sum')
d = merge([c, b], mode='concat', concat_axis=-1)
model = Model(input=a, output=Dense(1, activation='sigmoid')(d))
"""
KERAS1_FUNCTIONAL_AS_KERAS3 = """
import keras
from keras import layers
a = keras.Input(shape=(16,))
b = layers.Dense(16, activation='relu')(a)
c = layers.Add()([a, b])
d = layers.Concatenate(axis=-1)([c, b])
model = keras.Model(inputs=a, outputs=layers.Dense(1, activation='sigmoid')(d))
"""

OLD = {"keras1_mnist": (KERAS1_MNIST, KERAS1_MNIST_AS_KERAS3),
       "keras1_keywords": (KERAS1_KEYWORDS, KERAS1_KEYWORDS_AS_KERAS3),
       "keras1_theano_channels_first": (KERAS1_THEANO, KERAS1_THEANO_AS_KERAS3),
       "keras1_functional_merge": (KERAS1_FUNCTIONAL, KERAS1_FUNCTIONAL_AS_KERAS3),
       # Python arithmetic on tensors is an operation in Keras, not a row of model.layers; read as the layer doing it
       "arithmetic_as_layers": (SQUEEZE_EXCITE, SQUEEZE_EXCITE_AS_LAYERS)}


def ours(code: str) -> dict:
    imported = read_code(textwrap.dedent(code), None, CodeLimits())
    return infer_model(validate_model(ModelSpec.model_validate(imported.model), Settings())).to_json()


def keras_model(code: str) -> keras.Model:
    """The trusted tutorial code run by the test, in a fresh session so automatic names start again."""
    keras.utils.clear_session()
    namespace: dict = {}
    exec(compile(textwrap.dedent(code), "<tutorial>", "exec"), namespace)  # noqa: S102 - the test's own code
    return namespace["model"]


def rows_of_keras(model: keras.Model) -> list[tuple]:
    return [(layer.name, list(layer.output.shape), layer.count_params()) for layer in model.layers
            if not isinstance(layer, keras.layers.InputLayer)]


def rows_of_ours(answer: dict) -> list[tuple]:
    return [(row["name"], row["output_shape"], row["params"]) for row in answer["layers"]]


def assert_same(answer: dict, model: keras.Model) -> None:
    """The same totals, and the same rows by name (a functional model's rows come in Keras's own order)."""
    assert answer["valid"], answer["error"]
    assert answer["total_params"] == model.count_params()
    theirs, mine = rows_of_keras(model), rows_of_ours(answer)
    assert len(mine) == len(theirs)
    assert {name: rest for name, *rest in mine} == {name: rest for name, *rest in theirs}


@pytest.mark.parametrize("code", MODERN.values(), ids=MODERN)
def test_tutorial_code_gives_every_row_and_the_totals_keras_gives(code):
    assert_same(ours(code), keras_model(code))


@pytest.mark.parametrize("old, new", OLD.values(), ids=OLD)
def test_old_spellings_give_what_keras_3_gives_for_the_same_model_written_its_way(old, new):
    assert_same(ours(old), keras_model(new))


def test_the_lecture_stack_in_numbers():
    answer = ours(LECTURE)
    assert answer["total_params"] == keras_model(LECTURE).count_params() == 839_107
    assert [row["output_shape"] for row in answer["layers"]][:3] == [[None, 22, 22, 32], [None, 20, 20, 64],
                                                                     [None, 10, 10, 64]]


def test_the_keras_1_convolution2d_32_5_5_model_in_numbers():
    answer = ours(KERAS1_MNIST)
    assert answer["layers"][0]["output_shape"] == [None, 24, 24, 32]
    assert answer["layers"][0]["params"] == (5 * 5 * 1 + 1) * 32 == 832
    assert answer["total_params"] == keras_model(KERAS1_MNIST_AS_KERAS3).count_params()


@pytest.mark.parametrize("kind", KINDS, ids=[kind.type for kind in KINDS])
def test_positional_arguments_are_read_in_keras_constructor_order(kind):
    order = POSITIONAL.get(kind.type) or tuple(param.name for param in kind.params)
    signature = [name for name, p in inspect.signature(keras_class(kind.type).__init__).parameters.items()
                 if name != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert list(order) == signature[: len(order)]
