"""The formulas shown to learners, with the numbers worked out by hand in each test."""

from __future__ import annotations

from core_helpers import L, formulas, run


def row(input_shape: list, layer: dict) -> dict:
    return run(input_shape, layer)["layers"][0]


def test_conv2d_params_are_kernel_times_channels_plus_bias_times_filters():
    # (3·3·3 + 1)·32 = 28·32 = 896
    conv = row([32, 32, 3], L("Conv2D", filters=32, kernel_size=3))
    assert formulas(conv, "params") == ["(3·3·3 + 1)·32 = 896"]
    assert conv["trainable_params"] == 896


def test_conv2d_without_bias_drops_the_plus_one():
    conv = row([32, 32, 3], L("Conv2D", filters=32, kernel_size=3, use_bias=False))
    assert formulas(conv, "params") == ["3·3·3·32 = 864"]


def test_valid_convolution_formula_floors():
    conv = row([32, 32, 3], L("Conv2D", filters=32, kernel_size=3))
    assert formulas(conv, "shape")[:2] == ["⌊(32 − 3) / 1⌋ + 1 = 30"] * 2
    assert conv["output_shape"] == [None, 30, 30, 32]


def test_same_convolution_formula_is_a_ceiling():
    conv = row([32, 32, 3], L("Conv2D", filters=8, kernel_size=3, padding="same", strides=2))
    assert formulas(conv, "shape")[:2] == ["⌈32 / 2⌉ = 16"] * 2


def test_dilated_convolution_formula_shows_the_span():
    # span 2·(3 − 1) + 1 = 5: ⌊(32 − 5) / 1⌋ + 1 = 28
    conv = row([32, 32, 3], L("Conv2D", filters=8, kernel_size=3, dilation_rate=2))
    assert formulas(conv, "shape")[0] == "⌊(32 − 2·(3 − 1) − 1) / 1⌋ + 1 = 28"


def test_large_numbers_carry_thousands_separators():
    # (3·3·512 + 1)·512 = 4,609·512 = 2,359,808
    conv = row([14, 14, 512], L("Conv2D", filters=512, kernel_size=3, padding="same"))
    assert formulas(conv, "params") == ["(3·3·512 + 1)·512 = 2,359,808"]


def test_dense_params_are_inputs_plus_bias_times_units():
    # (1,600 + 1)·64 = 102,464
    dense = row([1600], L("Dense", units=64))
    assert formulas(dense, "params") == ["(1,600 + 1)·64 = 102,464"]


def test_batch_normalization_learns_two_and_tracks_two_per_channel():
    # γ and β are trained; the moving mean and variance are not: 2·32 each.
    bn = row([30, 30, 32], L("BatchNormalization"))
    assert (bn["trainable_params"], bn["non_trainable_params"]) == (2 * 32, 2 * 32)
    assert formulas(bn, "params") == ["2·32 = 64", "2·32 = 64"]


def test_batch_normalization_without_scale_and_center_still_tracks_statistics():
    bn = row([10], L("BatchNormalization", scale=False, center=False))
    assert (bn["trainable_params"], bn["non_trainable_params"]) == (0, 2 * 10)


def test_layer_normalization_over_several_axes_learns_one_per_value():
    # γ and β over 8·8·3 = 192 values each
    ln = row([8, 8, 3], L("LayerNormalization", axis=[1, 2, 3]))
    assert ln["trainable_params"] == 2 * 192


def test_depthwise_params_are_one_kernel_per_channel_times_multiplier():
    # (3·3 + 1)·8·2 = 160
    dw = row([16, 16, 8], L("DepthwiseConv2D", kernel_size=3, depth_multiplier=2))
    assert dw["trainable_params"] == 160
    assert formulas(dw, "params") == ["(3·3 + 1)·8·2 = 160"]


def test_separable_params_are_depthwise_plus_pointwise():
    # depthwise 3·3·8·1 = 72; pointwise (8·1 + 1)·16 = 144
    sep = row([16, 16, 8], L("SeparableConv2D", filters=16, kernel_size=3))
    assert sep["trainable_params"] == 72 + 144
    assert formulas(sep, "params") == ["3·3·8·1 = 72", "(8·1 + 1)·16 = 144"]


def test_transposed_convolution_formula_and_params():
    # same: 7·2 = 14; params (3·3·8 + 1)·4 = 292
    up = row([7, 7, 8], L("Conv2DTranspose", filters=4, kernel_size=3, strides=2, padding="same"))
    assert formulas(up, "shape") == ["7·2 = 14", "7·2 = 14"]
    assert up["output_shape"] == [None, 14, 14, 4]
    assert up["trainable_params"] == 292


def test_pooling_formula_and_no_weights():
    pool = row([30, 30, 32], L("MaxPooling2D"))
    assert formulas(pool, "shape") == ["⌊(30 − 2) / 2⌋ + 1 = 15"] * 2
    assert pool["params"] == 0


def test_padding_and_cropping_formulas_add_and_subtract_each_side():
    pad = row([28, 28, 1], L("ZeroPadding2D", padding=[[1, 2], [0, 3]]))
    assert formulas(pad, "shape") == ["28 + 1 + 2 = 31", "28 + 0 + 3 = 31"]
    crop = row([28, 28, 1], L("Cropping2D", cropping=[[1, 2], [0, 3]]))
    assert formulas(crop, "shape") == ["28 − 1 − 2 = 25", "28 − 0 − 3 = 25"]


def test_unknown_sizes_are_explained_as_unknown():
    conv = row([None, 32, 3], L("Conv2D", filters=4, kernel_size=3))
    assert formulas(conv, "shape")[0] == "None → None"
    assert conv["output_shape"] == [None, None, 30, 4]


def test_flatten_formula_multiplies_the_axes():
    flat = row([5, 5, 64], L("Flatten"))
    assert formulas(flat, "shape") == ["5·5·64 = 1,600"]


def test_every_layer_explains_itself_in_english_and_korean():
    result = run([32, 32, 3], L("Conv2D", filters=4, kernel_size=3), L("MaxPooling2D"), L("Flatten"), L("Dense", units=2))
    for layer in result["layers"]:
        assert layer["explain"]["text"]["en"] and layer["explain"]["text"]["ko"]
        for step in layer["explain"]["shape"] + layer["explain"]["params"]:
            assert set(step["what"]) == {"en", "ko"}
