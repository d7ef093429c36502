"""Layer names as a fresh Keras session gives them."""

from __future__ import annotations

import pytest
from core_helpers import L, refused, validate

from app.core.layers import KINDS
from app.core.layers.base import to_snake_case


@pytest.mark.parametrize("class_name, expected", [
    ("Conv2D", "conv2d"), ("Conv2DTranspose", "conv2d_transpose"), ("MaxPooling2D", "max_pooling2d"),
    ("GlobalAveragePooling2D", "global_average_pooling2d"), ("ReLU", "re_lu"), ("LeakyReLU", "leaky_re_lu"),
    ("ELU", "elu"), ("BatchNormalization", "batch_normalization"), ("UpSampling2D", "up_sampling2d"),
    ("SpatialDropout2D", "spatial_dropout2d"), ("DepthwiseConv2D", "depthwise_conv2d"),
])
def test_class_names_become_snake_case_like_keras(class_name, expected):
    assert to_snake_case(class_name) == expected


def test_every_kind_has_a_name_prefix():
    assert all(kind.name_prefix for kind in KINDS)


def test_automatic_names_count_per_class_from_zero():
    layers = validate([16, 16, 3], L("Conv2D", filters=2, kernel_size=3), L("MaxPooling2D"),
                      L("Conv2D", filters=2, kernel_size=3), L("Convolution2D", filters=2, kernel_size=1),
                      L("Flatten"), L("Dense", units=2)).layers
    assert [layer.name for layer in layers] == ["conv2d", "max_pooling2d", "conv2d_1", "conv2d_2", "flatten", "dense"]


def test_given_names_do_not_advance_the_automatic_count():
    layers = validate([4], L("Dense", units=2, name="hidden"), L("Dense", units=2)).layers
    assert [layer.name for layer in layers] == ["hidden", "dense"]
    assert [layer.given_name for layer in layers] == [True, False]


def test_a_given_name_clashing_with_an_automatic_one_is_refused():
    issues = refused([4], L("Dense", units=2), L("Dense", units=2, name="dense"))
    assert issues[0]["loc"] == ["body", "layers", 1, "name"]


def test_a_name_with_a_slash_is_refused():
    # Keras's constructor: "Argument `name` ... cannot contain character `/`".
    assert refused([4], L("Dense", units=2, name="block1/dense"))[0]["loc"] == ["body", "layers", 0, "name"]


def test_korean_names_are_fine():
    assert validate([4], L("Dense", units=2, name="출력층")).layers[0].name == "출력층"
