"""Every layer kind in the catalogue, with several argument combinations each, against real Keras.

Each case is (input shape without batch, one or more layers); names, output shapes, trainable and
non-trainable counts and the first failing layer must all match what Keras builds.
"""

from __future__ import annotations

import pytest
from keras_compare import assert_same_as_keras, spec

from app.core.layers import KINDS, lookup


def L(type_name: str, **arguments) -> dict:
    return {"type": type_name, **arguments}


CASES = {
    "Conv2D": [
        ([32, 32, 3], L("Conv2D", filters=32, kernel_size=3)),
        ([32, 32, 3], L("Conv2D", filters=8, kernel_size=[3, 3], padding="same", strides=2)),
        ([31, 17, 3], L("Conv2D", filters=4, kernel_size=[3, 5], strides=[2, 1], padding="SAME")),
        ([31, 17, 3], L("Conv2D", filters=4, kernel_size=[3, 5], strides=[3, 2])),
        ([32, 32, 3], L("Conv2D", filters=4, kernel_size=3, dilation_rate=2)),
        ([9, 9, 2], L("Conv2D", filters=4, kernel_size=3, dilation_rate=[2, 3], padding="same")),
        ([3, 32, 30], L("Conv2D", filters=16, kernel_size=3, data_format="channels_first")),
        ([4, 10, 10], L("Conv2D", filters=6, kernel_size=3, groups=2, data_format="channels_first")),
        ([10, 10, 6], L("Conv2D", filters=9, kernel_size=3, groups=3, use_bias=False)),
        ([None, None, 3], L("Conv2D", filters=8, kernel_size=3, strides=2)),
        ([None, 12, 3], L("Conv2D", filters=8, kernel_size=5, padding="same")),
        ([5, 5, 1], L("Conv2D", filters=2, kernel_size=5)),  # kernel exactly the input: 1×1
        ([5, 5, 1], L("Conv2D", filters=2, kernel_size=6)),  # kernel larger than the input
        ([5, 5, 1], L("Conv2D", filters=2, kernel_size=3, dilation_rate=3)),  # dilated span 7 > 5
        ([8, 8, None], L("Conv2D", filters=2, kernel_size=3)),  # unknown channels
        ([10, 10, 3], L("Conv2D", filters=4, kernel_size=3, groups=2)),  # 3 channels, 2 groups
        ([8, 8], L("Conv2D", filters=2, kernel_size=3)),  # a 2-D image without channels
        ([4, 8, 8, 3], L("Conv2D", filters=2, kernel_size=3)),  # a volume
        ([28, 28, 1], L("Convolution2D", filters=6, kernel_size=5, activation="tanh")),
    ],
    "Conv1D": [
        ([100, 8], L("Conv1D", filters=16, kernel_size=5)),
        ([100, 8], L("Conv1D", filters=16, kernel_size=[5], strides=3, padding="same")),
        ([20, 4], L("Conv1D", filters=4, kernel_size=3, padding="causal", dilation_rate=4)),
        ([20, 4], L("Conv1D", filters=4, kernel_size=3, padding="causal", strides=3)),
        ([4, 20], L("Conv1D", filters=4, kernel_size=3, data_format="channels_first")),
        ([20, 6], L("Conv1D", filters=4, kernel_size=3, groups=2, use_bias=False)),
        ([None, 6], L("Conv1D", filters=4, kernel_size=3)),
        ([2, 6], L("Conv1D", filters=4, kernel_size=3)),
        ([10, 10, 3], L("Convolution1D", filters=4, kernel_size=3)),  # an image into Conv1D
    ],
    "Conv2DTranspose": [
        ([7, 7, 8], L("Conv2DTranspose", filters=4, kernel_size=3, strides=2, padding="same")),
        ([7, 7, 8], L("Conv2DTranspose", filters=4, kernel_size=3, strides=2)),
        ([7, 7, 8], L("Conv2DTranspose", filters=4, kernel_size=3, strides=2, output_padding=1)),
        ([7, 7, 8], L("Conv2DTranspose", filters=4, kernel_size=3, strides=2, padding="same", output_padding=1)),
        ([7, 7, 8], L("Conv2DTranspose", filters=4, kernel_size=4, strides=2, padding="same", output_padding=0)),
        ([7, 5, 2], L("Conv2DTranspose", filters=3, kernel_size=[2, 3], strides=[3, 2], output_padding=[2, 0])),
        ([6, 6, 2], L("Conv2DTranspose", filters=3, kernel_size=1, strides=3)),  # max(kernel, stride)
        ([6, 6, 2], L("Conv2DTranspose", filters=3, kernel_size=3, dilation_rate=2, padding="same")),
        ([6, 6, 2], L("Conv2DTranspose", filters=3, kernel_size=3, dilation_rate=2)),
        ([2, 6, 6], L("Conv2DTranspose", filters=3, kernel_size=3, strides=2, data_format="channels_first")),
        ([None, None, 2], L("Conv2DTranspose", filters=3, kernel_size=3, strides=2, use_bias=False)),
        ([6, 6, None], L("Conv2DTranspose", filters=3, kernel_size=3)),
        ([1, 1, 16], L("Convolution2DTranspose", filters=8, kernel_size=4, strides=4)),
    ],
    "DepthwiseConv2D": [
        ([16, 16, 8], L("DepthwiseConv2D", kernel_size=3)),
        ([16, 16, 8], L("DepthwiseConv2D", kernel_size=3, depth_multiplier=2, padding="same", strides=2)),
        ([16, 16, 8], L("DepthwiseConv2D", kernel_size=[3, 1], dilation_rate=2, use_bias=False)),
        ([8, 16, 16], L("DepthwiseConv2D", kernel_size=3, data_format="channels_first", depth_multiplier=3)),
        ([None, None, 4], L("DepthwiseConv2D", kernel_size=5, strides=2)),
        ([4, 4, 4], L("DepthwiseConv2D", kernel_size=5)),
        ([9, 9, 2], L("DepthwiseConv2D", kernel_size=3, strides=2, dilation_rate=2)),  # refused only when run
    ],
    "SeparableConv2D": [
        ([16, 16, 8], L("SeparableConv2D", filters=16, kernel_size=3)),
        ([16, 16, 8], L("SeparableConv2D", filters=16, kernel_size=3, depth_multiplier=2, strides=2, padding="same")),
        ([16, 16, 8], L("SeparableConv2D", filters=4, kernel_size=3, dilation_rate=2, use_bias=False)),
        ([8, 16, 16], L("SeparableConv2D", filters=4, kernel_size=3, data_format="channels_first")),
        ([2, 2, 3], L("SeparableConvolution2D", filters=4, kernel_size=3)),
    ],
    "MaxPooling2D": [
        ([30, 30, 32], L("MaxPooling2D")),
        ([30, 30, 32], L("MaxPooling2D", pool_size=3, strides=2)),
        ([7, 7, 4], L("MaxPooling2D", pool_size=2, padding="same")),
        ([7, 7, 4], L("MaxPooling2D", pool_size=[2, 3], strides=None)),
        ([7, 7, 4], L("MaxPooling2D", pool_size=2, strides=1)),
        ([7, 9, 4], L("MaxPooling2D", pool_size=3, strides=[1, 2], padding="same")),
        ([4, 7, 7], L("MaxPooling2D", data_format="channels_first")),
        ([None, None, 4], L("MaxPooling2D", pool_size=3)),
        ([1, 1, 4], L("MaxPooling2D")),  # the window does not fit
        ([2, 2, 4], L("MaxPooling2D", pool_size=3, padding="same")),
        ([8, 8, 4], L("MaxPool2D", pool_size=4)),
        ([8, 4], L("MaxPool2D")),  # a sequence into a 2-D pooling
    ],
    "AveragePooling2D": [
        ([8, 8, 4], L("AveragePooling2D", pool_size=2)),
        ([9, 9, 4], L("AvgPool2D", pool_size=3, strides=2, padding="same")),
        ([2, 3, 4], L("AveragePooling2D", pool_size=3)),
    ],
    "MaxPooling1D": [
        ([10, 4], L("MaxPooling1D")),
        ([10, 4], L("MaxPool1D", pool_size=3, strides=1, padding="same")),
        ([4, 11], L("MaxPooling1D", pool_size=[3], data_format="channels_first")),
        ([1, 4], L("MaxPooling1D")),
    ],
    "AveragePooling1D": [
        ([10, 4], L("AveragePooling1D", pool_size=4, strides=3)),
        ([None, 4], L("AvgPool1D", pool_size=2)),
    ],
    "GlobalMaxPooling2D": [
        ([5, 5, 64], L("GlobalMaxPooling2D")),
        ([5, 5, 64], L("GlobalMaxPool2D", keepdims=True)),
        ([64, 5, 5], L("GlobalMaxPooling2D", data_format="channels_first", keepdims=True)),
    ],
    "GlobalAveragePooling2D": [
        ([None, None, 64], L("GlobalAveragePooling2D")),
        ([64, None, 5], L("GlobalAvgPool2D", data_format="channels_first")),
        ([64], L("GlobalAveragePooling2D")),
    ],
    "GlobalMaxPooling1D": [
        ([10, 3], L("GlobalMaxPooling1D")),
        ([3, 10], L("GlobalMaxPool1D", data_format="channels_first", keepdims=True)),
    ],
    "GlobalAveragePooling1D": [
        ([None, 3], L("GlobalAveragePooling1D", keepdims=True)),
        ([10, 10, 3], L("GlobalAvgPool1D")),
    ],
    "Dense": [
        ([1600], L("Dense", units=64, activation="relu")),
        ([4, 6], L("Dense", units=5)),  # acts on the last axis only
        ([None, 6], L("Dense", units=5, use_bias=False)),
        ([6, None], L("Dense", units=5)),
    ],
    "Dropout": [
        ([10], L("Dropout", rate=0.5)),
        ([None, 4, 4], L("Dropout", rate=0.0)),
        ([4], L("Dropout", rate=1)),
    ],
    "SpatialDropout2D": [
        ([8, 8, 3], L("SpatialDropout2D", rate=0.2)),
        ([3, 8, 8], L("SpatialDropout2D", rate=0.2, data_format="channels_first")),
        ([8, 3], L("SpatialDropout2D", rate=0.2)),
    ],
    "Activation": [
        ([10], L("Activation", activation="softmax")),
        ([4, 4, 2], L("Activation", activation="RELU")),
    ],
    "Rescaling": [
        ([28, 28, 1], L("Rescaling", scale=1 / 255)),
        ([None, 3], L("Rescaling", scale=2, offset=-1)),
    ],
    "Flatten": [
        ([5, 5, 64], L("Flatten")),
        ([None, 5, 3], L("Flatten")),
        ([64, 5, 5], L("Flatten", data_format="channels_first")),
        ([10], L("Flatten")),
    ],
    "Reshape": [
        ([8, 8, 3], L("Reshape", target_shape=[64, 3])),
        ([8, 8, 3], L("Reshape", target_shape=[-1])),
        ([8, 8, 3], L("Reshape", target_shape=[4, -1, 3])),
        ([8, 8, 3], L("Reshape", target_shape=[5, 5])),
        ([8, 8, 3], L("Reshape", target_shape=[5, -1])),
        ([None, 4], L("Reshape", target_shape=[-1, 2])),
        ([None, 4], L("Reshape", target_shape=[2, 2])),
        ([784], L("Reshape", target_shape=[28, 28, 1])),
    ],
    "ZeroPadding2D": [
        ([28, 28, 1], L("ZeroPadding2D")),
        ([28, 28, 1], L("ZeroPadding2D", padding=2)),
        ([28, 28, 1], L("ZeroPadding2D", padding=[1, 3])),
        ([28, 28, 1], L("ZeroPadding2D", padding=[[1, 2], [0, 3]])),
        ([1, 28, 20], L("ZeroPadding2D", padding=[[1, 2], [0, 3]], data_format="channels_first")),
        ([None, 5, 1], L("ZeroPadding2D", padding=0)),
        ([28, 1], L("ZeroPadding2D")),
    ],
    "Cropping2D": [
        ([28, 28, 1], L("Cropping2D", cropping=2)),
        ([28, 28, 1], L("Cropping2D", cropping=[1, 3])),
        ([28, 28, 1], L("Cropping2D", cropping=[[0, 1], [2, 3]])),
        ([3, 28, 28], L("Cropping2D", cropping=[[0, 1], [2, 3]], data_format="channels_first")),
        ([5, 5, 1], L("Cropping2D", cropping=[[2, 2], [0, 0]])),  # leaves one row
        ([5, 5, 1], L("Cropping2D", cropping=[[2, 3], [0, 0]])),  # leaves nothing
        ([5, 5, 1], L("Cropping2D", cropping=[0, 3])),
        ([None, 5, 1], L("Cropping2D", cropping=[9, 1])),
        ([5, 5, 1], L("Cropping2D")),
    ],
    "UpSampling2D": [
        ([7, 7, 4], L("UpSampling2D")),
        ([7, 7, 4], L("UpSampling2D", size=[2, 3], interpolation="bilinear")),
        ([4, 7, None], L("UpSampling2D", size=3, data_format="channels_first")),
        ([None, 7, 4], L("UpSampling2D", interpolation="area")),
    ],
    "BatchNormalization": [
        ([30, 30, 32], L("BatchNormalization")),
        ([32, 30, 30], L("BatchNormalization", axis=1)),
        ([30, 30, 32], L("BatchNormalization", axis=-3)),
        ([10], L("BatchNormalization", center=False)),
        ([10], L("BatchNormalization", scale=False, center=False, momentum=0.9, epsilon=1e-5)),
        ([30, 30, 32], L("BatchNormalization", axis=4)),
        ([30, 30, 32], L("BatchNormalization", axis=-5)),
        ([30, 30, 32], L("BatchNormalization", axis=0)),  # the batch axis: unknown size
        ([30, 30, None], L("BatchNormalization")),
        ([30, 30, None], L("BatchNormalization", center=False, scale=False)),  # moving statistics need a size
    ],
    "LayerNormalization": [
        ([10, 16], L("LayerNormalization")),
        ([8, 8, 3], L("LayerNormalization", axis=[1, 2, 3])),
        ([8, 8, 3], L("LayerNormalization", axis=[-1, -2])),
        ([8, 8, 3], L("LayerNormalization", axis=[3, 1])),
        ([8, 8, 3], L("LayerNormalization", axis=[1, -1], center=False)),
        ([8, 8, 3], L("LayerNormalization", axis=2, scale=False, center=False)),
        ([8, 8, 3], L("LayerNormalization", axis=4)),
        ([8, 8, 3], L("LayerNormalization", axis=[1, 5])),
        ([None, 3], L("LayerNormalization", axis=1)),
        ([None, 3], L("LayerNormalization", axis=-2)),  # unknown size: γ and β cannot be made
        # Regression: without γ and β Keras makes no weight, so unknown sizes are fine, even the batch axis.
        ([None, None], L("LayerNormalization", scale=False, center=False)),
        ([4, 4], L("LayerNormalization", axis=0, scale=False, center=False)),
        ([4, 4], L("LayerNormalization", axis=[0, 1], scale=False)),
        ([4, 4], L("LayerNormalization", axis=3, scale=False, center=False)),  # out of range still fails
        ([4, 4], L("LayerNormalization", axis=[2, -1])),  # one axis twice: γ is 4×4
    ],
    "ReLU": [
        ([10], L("ReLU")),
        ([10], L("ReLU", max_value=6, negative_slope=0.1, threshold=0.5)),
    ],
    "LeakyReLU": [([4, 4, 2], L("LeakyReLU", negative_slope=0.2))],
    "ELU": [([None], L("ELU", alpha=0.5))],
    "Softmax": [
        ([10], L("Softmax")),
        ([4, 10], L("Softmax", axis=1)),
        ([4, 10], L("Softmax", axis=-3)),  # Keras builds it; only running it fails
        ([4, 10], L("Softmax", axis=5)),
    ],
    # Merges join the model's input with a layer's output, or with itself; tests/keras/test_graphs.py has more.
    **{kind: [
        ([4, 4, 3], L(kind, inputs=["input", "input"])),
        ([4, 4, 3], L("GlobalAveragePooling2D"), L(kind, inputs=["input", "global_average_pooling2d"])),
        ([4, 4, 3], L("MaxPooling2D"), L(kind, inputs=["input", "max_pooling2d"])),  # sizes cannot meet
        ([4, 4, 3], L(kind)),  # one tensor, not a list
    ] for kind in ("Add", "Multiply", "Average", "Maximum", "Minimum")},
    "Subtract": [
        ([4, 4, 3], L("Subtract", inputs=["input", "input"])),
        ([4, 4, 3], L("Subtract", inputs=["input", "input", "input"])),
        ([None, 3], L("Dense", units=1), L("Subtract", inputs=["input", "dense"])),
    ],
    "Concatenate": [
        ([4, 4, 3], L("Conv2D", filters=5, kernel_size=1), L("Concatenate", inputs=["input", "conv2d"])),
        ([4, 4, 3], L("Concatenate", axis=1, inputs=["input", "input", "input"])),
        ([4, 4, 3], L("MaxPooling2D"), L("Concatenate", inputs=["input", "max_pooling2d"])),
        ([4, None, 3], L("Concatenate", axis=2, inputs=["input", "input"])),
        ([4, 4, 3], L("Concatenate", axis=4, inputs=["input"])),  # one input: Keras never looks the axis up
        ([4, 4, 3], L("Concatenate", axis=-5, inputs=["input", "input"])),
    ],
    "Normalization": [
        ([8, 8, 3], L("Normalization")),
        ([8, 8, 3], L("Normalization", axis=None)),
        ([8, 8, 3], L("Normalization", axis=[1, 2])),
        ([8, 8, 3], L("Normalization", mean=[0.5, 0.4, 0.3], variance=[0.1, 0.2, 0.3])),
        ([8, 8, 3], L("Normalization", mean=0.5, variance=0.25, invert=True)),
        ([8, 8, 3], L("Normalization", mean=[0.5, 0.4], variance=[0.1, 0.2])),  # 2 values for 3 channels
        ([None, 3], L("Normalization", axis=1)),
        ([8, 8, 3], L("Normalization", axis=0)),  # the batch axis has no size
    ],
    "LayerScale": [
        ([7, 7, 96], L("LayerScale", init_values=1e-6, projection_dim=96)),
        ([7, 7, 96], L("LayerScale", init_values=1e-6, projection_dim=1)),
        ([7, 7, 96], L("LayerScale", init_values=1e-6, projection_dim=32)),
    ],
    "CustomScaleLayer": [
        ([8, 8, 4], L("Conv2D", filters=4, kernel_size=1), L("CustomScaleLayer", scale=0.17, inputs=["input", "conv2d"])),
        ([8, 8, 4], L("Conv2D", filters=2, kernel_size=1), L("CustomScaleLayer", scale=0.17, inputs=["input", "conv2d"])),
        ([8, 8, 4], L("CustomScaleLayer", scale=0.1)),  # one tensor: Keras indexes the batch axis
    ],
}

PARAMS = [pytest.param(shape, layers, id=f"{kind}-{i}")
          for kind, cases in CASES.items() for i, (shape, *layers) in enumerate(cases)]


def test_every_kind_in_the_catalogue_has_cases():
    covered = {lookup(layer["type"]).type for cases in CASES.values() for _, *layers in cases for layer in layers}
    assert covered == {kind.type for kind in KINDS}


@pytest.mark.parametrize("input_shape, layers", PARAMS)
def test_layer_matches_keras(input_shape, layers):
    assert_same_as_keras(spec(input_shape, *layers))


def test_automatic_names_count_per_class_like_a_fresh_keras_session():
    mine, theirs = assert_same_as_keras(spec(
        [16, 16, 3],
        L("Conv2D", filters=4, kernel_size=3), L("Convolution2D", filters=4, kernel_size=3),
        L("ReLU"), L("LeakyReLU"), L("MaxPool2D"), L("MaxPooling2D", padding="same"),
        L("Conv2DTranspose", filters=2, kernel_size=2), L("Conv2D", filters=4, kernel_size=1),
        L("GlobalAvgPool2D"), L("Dense", units=3, name="head"), L("Dense", units=2),
    ))
    assert [row["name"] for row in theirs.rows][-2:] == ["head", "dense"]
