"""The engine: a model Keras cannot build is a result that names the failing layer."""

from __future__ import annotations

from core_helpers import L, run


def test_valid_model_reports_every_layer_and_totals():
    # conv (3·3·1 + 1)·4 = 40; dense (13·13·4 + 1)·10 = 6,770
    result = run([28, 28, 1], L("Conv2D", filters=4, kernel_size=3), L("MaxPooling2D"), L("Flatten"),
                 L("Dense", units=10))
    assert result["valid"] and result["error"] is None
    assert [row["output_shape"] for row in result["layers"]] == [
        [None, 26, 26, 4], [None, 13, 13, 4], [None, 676], [None, 10]]
    assert result["total_params"] == 40 + 6770 == result["trainable_params"]
    assert result["output_shape"] == [None, 10]


def test_invalid_layer_is_a_result_naming_index_and_name():
    result = run([3, 3, 3], L("Conv2D", filters=4, kernel_size=5))
    assert not result["valid"]
    assert result["error"]["layer"] == 0 and result["error"]["name"] == "conv2d"
    assert "5×5" in result["error"]["message"]["en"] and result["error"]["message"]["ko"]


def test_layers_after_the_failure_have_no_shape_or_params():
    result = run([8, 8, 3], L("Conv2D", filters=2, kernel_size=3), L("MaxPooling2D", pool_size=7),
                 L("Flatten"), L("Dense", units=2))
    assert result["error"]["layer"] == 1
    first, failed, *after = result["layers"]
    assert first["output_shape"] == [None, 6, 6, 2] and first["error"] is None
    assert failed["output_shape"] is None and failed["error"] is not None
    for row in after:
        assert row["output_shape"] is None and row["params"] is None and row["error"] is None
    assert result["output_shape"] is None and result["summary"] is None


def test_conv2d_after_flatten_says_the_input_is_the_wrong_rank():
    result = run([8, 8, 3], L("Flatten"), L("Conv2D", filters=2, kernel_size=3))
    assert result["error"]["layer"] == 1
    assert "4-D" in result["error"]["message"]["en"]


def test_dense_after_an_unknown_last_axis_fails():
    assert run([8, None], L("Dense", units=2))["error"]["layer"] == 0


def test_dense_on_an_image_acts_on_the_channels_only():
    # (3 + 1)·5 = 20 weights, shape keeps height and width
    row = run([8, 8, 3], L("Dense", units=5))["layers"][0]
    assert row["output_shape"] == [None, 8, 8, 5] and row["params"] == 20


def test_reshape_fills_in_the_minus_one():
    assert run([8, 8, 3], L("Reshape", target_shape=[4, -1]))["output_shape"] == [None, 4, 8 * 8 * 3 // 4]


def test_reshape_to_a_different_total_fails():
    assert run([8, 8, 3], L("Reshape", target_shape=[5, 5]))["error"]["layer"] == 0


def test_cropping_everything_fails_but_leaving_one_row_does_not():
    assert run([5, 5, 1], L("Cropping2D", cropping=[[2, 3], [0, 0]]))["error"]["layer"] == 0
    assert run([5, 5, 1], L("Cropping2D", cropping=[[2, 2], [0, 0]]))["output_shape"] == [None, 1, 5, 1]


def test_batch_normalization_axis_out_of_range_fails():
    assert run([8, 8, 3], L("BatchNormalization", axis=4))["error"]["layer"] == 0
    assert run([8, 8, 3], L("BatchNormalization", axis=-5))["error"]["layer"] == 0


def test_batch_normalization_on_the_batch_axis_fails_for_its_unknown_size():
    # (None, 8, 8, 3): axis 0 and axis -4 are the batch, whose size is unknown.
    assert run([8, 8, 3], L("BatchNormalization", axis=0))["error"]["layer"] == 0
    assert run([8, 8, 3], L("BatchNormalization", axis=-4))["error"]["layer"] == 0


def test_layer_normalization_without_weights_ignores_unknown_sizes():
    # No γ and no β: Keras creates no weight, so the unknown size never matters.
    assert run([None, None], L("LayerNormalization", scale=False, center=False))["valid"]
    assert run([None, 3], L("LayerNormalization", axis=1))["error"]["layer"] == 0


def test_softmax_on_a_missing_axis_builds_but_warns():
    # Keras builds it (shapes unchanged) and fails only when data runs through it.
    result = run([4, 10], L("Softmax", axis=5))
    assert result["valid"] and result["output_shape"] == [None, 4, 10]
    assert any("running it fails" in step["what"]["en"] for step in result["layers"][0]["explain"]["shape"])


def test_an_empty_model_outputs_its_input():
    result = run([4, 4])
    assert result["valid"] and result["output_shape"] == [None, 4, 4] and result["total_params"] == 0
