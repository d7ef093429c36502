"""Shape arithmetic by hand: each expectation is the formula written out in the test."""

from __future__ import annotations

import pytest

from app.core.shapes import (
    conv_length,
    effective_kernel,
    flatten,
    format_shape,
    join_channels,
    normalize_axis,
    pool_length,
    product,
    split_channels,
    transpose_length,
)


def test_valid_padding_shrinks_by_kernel_minus_one():
    assert conv_length(32, 3, 1, "valid") == 32 - 3 + 1


def test_same_padding_keeps_spatial_size():
    assert conv_length(32, 3, 1, "same") == 32
    assert conv_length(7, 5, 1, "same") == 7


@pytest.mark.parametrize("size, stride, expected", [(32, 2, 16), (33, 2, 17), (7, 3, 3), (1, 4, 1)])
def test_same_padding_with_stride_is_ceiling_of_size_over_stride(size, stride, expected):
    assert conv_length(size, 3, stride, "same") == expected


def test_valid_padding_with_stride_floors():
    # ⌊(31 − 3) / 2⌋ + 1 = 14 + 1
    assert conv_length(31, 3, 2, "valid") == 15


def test_dilation_widens_the_kernel_span():
    # span = 2·(3 − 1) + 1 = 5, so ⌊(32 − 5) / 1⌋ + 1 = 28
    assert effective_kernel(3, 2) == 5
    assert conv_length(32, 3, 1, "valid", dilation=2) == 28


def test_causal_padding_keeps_length_like_same():
    assert conv_length(10, 3, 1, "causal", dilation=4) == 10
    assert conv_length(10, 3, 3, "causal") == 4  # ⌈10 / 3⌉


def test_kernel_larger_than_input_gives_a_non_positive_length():
    assert conv_length(3, 5, 1, "valid") == 3 - 5 + 1 <= 0


def test_unknown_size_stays_unknown():
    assert conv_length(None, 3, 2, "valid") is None
    assert pool_length(None, 2, 2, "same") is None
    assert transpose_length(None, 3, 2, "same", None) is None


def test_pooling_two_by_two_halves_and_drops_the_odd_row():
    assert pool_length(30, 2, 2, "valid") == 15
    assert pool_length(31, 2, 2, "valid") == 15
    assert pool_length(31, 2, 2, "same") == 16


def test_overlapping_pooling():
    # AlexNet-style 3×3 windows every 2: ⌊(55 − 3) / 2⌋ + 1 = 27
    assert pool_length(55, 3, 2, "valid") == 27


def test_transpose_same_multiplies_by_stride():
    assert transpose_length(7, 3, 2, "same", None) == 14


def test_transpose_valid_adds_the_kernel_overhang():
    # (7 − 1)·2 + max(3, 2) = 15;  with a 1×1 kernel and stride 3: (6 − 1)·3 + max(1, 3) = 18
    assert transpose_length(7, 3, 2, "valid", None) == 15
    assert transpose_length(6, 1, 3, "valid", None) == 18


def test_transpose_output_padding_is_added_after_the_base_size():
    # valid: (7 − 1)·2 + 3 + 1 = 16;  same: (7 − 1)·2 + 3 mod 2 + 1 = 14
    assert transpose_length(7, 3, 2, "valid", 1) == 16
    assert transpose_length(7, 3, 2, "same", 1) == 14
    assert transpose_length(7, 4, 2, "same", 0) == 12  # (7 − 1)·2 + 4 mod 2 + 0


def test_flatten_multiplies_all_but_the_batch_axis():
    assert flatten((None, 5, 5, 64)) == (None, 5 * 5 * 64)
    assert flatten((None, 10)) == (None, 10)
    assert flatten((None, 4, None)) == (None, None)


def test_product_is_unknown_if_any_dimension_is():
    assert product((2, 3, 4)) == 24
    assert product((2, None)) is None
    assert product(()) == 1


def test_channels_first_and_last_split_the_same_way():
    assert split_channels((None, 3, 32, 30), "channels_first") == ((32, 30), 3)
    assert split_channels((None, 32, 30, 3), "channels_last") == ((32, 30), 3)
    assert join_channels(None, (16, 15), 8, "channels_first") == (None, 8, 16, 15)
    assert join_channels(None, (16, 15), 8, "channels_last") == (None, 16, 15, 8)


def test_shapes_print_like_keras():
    assert format_shape((None, 30, 30, 32)) == "(None, 30, 30, 32)"
    assert format_shape((None, 10)) == "(None, 10)"


@pytest.mark.parametrize("axis, rank, expected", [(-1, 4, 3), (0, 4, 0), (3, 4, 3), (-4, 4, 0), (4, 4, None),
                                                  (-5, 4, None)])
def test_axis_indices_count_from_the_end_when_negative(axis, rank, expected):
    assert normalize_axis(axis, rank) == expected
