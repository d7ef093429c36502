"""Arguments are accepted the way Keras accepts them and normalised the way Keras stores them."""

from __future__ import annotations

import pytest
from core_helpers import L, params_of, refused, validate

from app.core.layers import lookup, suggest


def test_kernel_size_int_means_the_same_along_every_axis():
    assert params_of("Conv2D", filters=4, kernel_size=3)["kernel_size"] == (3, 3)
    assert params_of("Conv2D", filters=4, kernel_size=[3, 3])["kernel_size"] == (3, 3)
    assert params_of("Conv2D", filters=4, kernel_size=[3, 5])["kernel_size"] == (3, 5)


def test_conv1d_kernel_size_takes_an_int_or_a_list_of_one():
    assert params_of("Conv1D", [10, 2], filters=4, kernel_size=3)["kernel_size"] == (3,)
    assert params_of("Conv1D", [10, 2], filters=4, kernel_size=[3])["kernel_size"] == (3,)


def test_whole_floats_count_as_ints_as_json_may_send_them():
    assert params_of("Conv2D", filters=4.0, kernel_size=3.0)["kernel_size"] == (3, 3)


def test_kernel_size_with_the_wrong_number_of_axes_is_refused():
    issues = refused([8, 8, 3], L("Conv2D", filters=4, kernel_size=[3, 3, 3]))
    assert issues[0]["loc"] == ["body", "layers", 0, "kernel_size"]


def test_booleans_are_not_numbers():
    issues = refused([8, 8, 3], L("Dense", units=True))
    assert issues[0]["loc"][-1] == "units"


@pytest.mark.parametrize("written", ["SAME", "Same", "same"])
def test_padding_is_case_insensitive_and_stored_lower_case(written):
    assert params_of("Conv2D", filters=4, kernel_size=3, padding=written)["padding"] == "same"


def test_padding_defaults_to_valid():
    assert params_of("Conv2D", filters=4, kernel_size=3)["padding"] == "valid"


def test_causal_padding_exists_only_for_conv1d():
    assert params_of("Conv1D", [10, 2], filters=4, kernel_size=3, padding="causal")["padding"] == "causal"
    assert refused([8, 8, 3], L("Conv2D", filters=4, kernel_size=3, padding="causal"))[0]["loc"][-1] == "padding"


@pytest.mark.parametrize("alias, canonical", [
    ("MaxPool2D", "MaxPooling2D"), ("AvgPool2D", "AveragePooling2D"), ("MaxPool1D", "MaxPooling1D"),
    ("AvgPool1D", "AveragePooling1D"), ("GlobalAvgPool2D", "GlobalAveragePooling2D"),
    ("GlobalMaxPool2D", "GlobalMaxPooling2D"), ("GlobalAvgPool1D", "GlobalAveragePooling1D"),
    ("Convolution2D", "Conv2D"), ("Convolution1D", "Conv1D"), ("Convolution2DTranspose", "Conv2DTranspose"),
    ("SeparableConvolution2D", "SeparableConv2D"),
])
def test_aliases_are_the_same_layer(alias, canonical):
    assert lookup(alias) is lookup(canonical)


def test_alias_layers_are_named_after_the_keras_class():
    # keras.layers.MaxPool2D is MaxPooling2D, so its automatic name is max_pooling2d.
    assert validate([8, 8, 3], L("MaxPool2D")).layers[0].name == "max_pooling2d"


def test_unknown_type_suggests_the_right_spelling():
    assert suggest("conv2d") == "Conv2D"
    assert suggest("MaxPooling2d") == "MaxPooling2D"
    issue = refused([8, 8, 3], L("Conv2d", filters=1, kernel_size=1))[0]
    assert issue["loc"] == ["body", "layers", 0, "type"] and "Conv2D" in issue["msg"]


def test_pooling_strides_default_to_none_meaning_the_pool_size():
    assert params_of("MaxPooling2D", pool_size=3)["strides"] is None
    assert params_of("MaxPooling2D", pool_size=3, strides=None)["strides"] is None
    assert params_of("MaxPooling2D", pool_size=3, strides=1)["strides"] == (1, 1)


def test_padding_sides_int_means_every_side():
    assert params_of("ZeroPadding2D", padding=2)["padding"] == ((2, 2), (2, 2))


def test_padding_sides_pair_is_height_then_width():
    assert params_of("ZeroPadding2D", padding=[1, 3])["padding"] == ((1, 1), (3, 3))


def test_padding_sides_pair_of_pairs_is_top_bottom_left_right():
    assert params_of("Cropping2D", cropping=[[0, 1], [2, 3]])["cropping"] == ((0, 1), (2, 3))


@pytest.mark.parametrize("bad", [-1, [1], [1, 2, 3], [[1, 2, 3], [0, 0]], "1"])
def test_malformed_sides_are_refused(bad):
    assert refused([8, 8, 3], L("ZeroPadding2D", padding=bad))[0]["loc"][-1] == "padding"


def test_reshape_accepts_one_minus_one():
    assert params_of("Reshape", target_shape=[4, -1])["target_shape"] == (4, -1)


def test_reshape_refuses_two_minus_ones_and_zero():
    assert refused([8, 8, 3], L("Reshape", target_shape=[-1, -1]))[0]["loc"][-1] == "target_shape"
    assert refused([8, 8, 3], L("Reshape", target_shape=[0, 4]))[0]["loc"][-1] == "target_shape"


def test_layer_normalization_axis_may_be_a_list_but_batch_normalization_not():
    assert params_of("LayerNormalization", axis=[1, 2])["axis"] == (1, 2)
    assert refused([8, 8, 3], L("BatchNormalization", axis=[1, 2]))[0]["loc"][-1] == "axis"


def test_defaults_are_spelled_out_as_keras_constructor_arguments():
    params = params_of("Conv2D", filters=4, kernel_size=3)
    assert params == {"filters": 4, "kernel_size": (3, 3), "strides": (1, 1), "padding": "valid",
                      "data_format": None, "dilation_rate": (1, 1), "groups": 1, "activation": None,
                      "use_bias": True}


def test_unknown_argument_is_refused_with_the_known_ones_listed():
    issue = refused([8, 8, 3], L("Dense", units=2, unit=3))[0]
    assert issue["loc"] == ["body", "layers", 0, "unit"]
    assert "units" in issue["allowed"]


def test_missing_required_argument_is_refused():
    assert refused([8, 8, 3], L("Conv2D", kernel_size=3))[0]["loc"] == ["body", "layers", 0, "filters"]


def test_every_problem_is_reported_at_once():
    issues = refused([8, 8, 3], L("Conv2D", filters=0, kernel_size=3), L("Dense"), L("Nope"))
    assert {tuple(i["loc"]) for i in issues} == {("body", "layers", 0, "filters"), ("body", "layers", 1, "units"),
                                                  ("body", "layers", 2, "type")}


@pytest.mark.parametrize("layer, field", [
    (L("Conv2D", filters=6, kernel_size=3, groups=4), "groups"),
    (L("Conv2D", filters=4, kernel_size=3, strides=2, dilation_rate=2), "dilation_rate"),
    (L("Conv2DTranspose", filters=4, kernel_size=3, strides=2, output_padding=2), "output_padding"),
    (L("Dropout", rate=1.5), "rate"),
])
def test_arguments_keras_refuses_together_are_a_422(layer, field):
    assert refused([8, 8, 4], layer)[0]["loc"] == ["body", "layers", 0, field]


def test_depthwise_accepts_strides_with_dilation_as_keras_does():
    # Keras's DepthwiseConv2D constructor does not check this combination (Conv2D's does).
    assert params_of("DepthwiseConv2D", kernel_size=3, strides=2, dilation_rate=2)["strides"] == (2, 2)
