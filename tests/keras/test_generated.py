"""Random stacks, valid and invalid: our core and real Keras agree on every layer.

For each generated model: whether it builds, the first layer Keras refuses,
and every earlier layer's name, output shape and parameter counts.
"""

from __future__ import annotations

import keras
import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from keras_compare import STRICTER_THAN_KERAS, assert_same_as_keras, spec, validated
from keras_strategies import DERANDOMIZE, WILD_LAYER, any_models, examples, image_models, sequence_models

from app.core.layers import lookup
from app.core.spec import SpecError
from app.tf.build import keras_class

SETTINGS = dict(deadline=None, derandomize=DERANDOMIZE, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def check(body: dict) -> None:
    try:
        validated(body)
    except SpecError:
        assume(False)  # a 422: covered by test_constructor_refusals
    mine, _ = assert_same_as_keras(body)
    event("valid" if mine["valid"] else f"fails at layer {mine['error']['layer']}")


# Deliberately invalid stacks, one per way a model can fail.
@example(spec([5, 5, 3], {"type": "Conv2D", "filters": 4, "kernel_size": 7}))  # kernel bigger than input
@example(spec([8, 8, 3], {"type": "Flatten"}, {"type": "Conv2D", "filters": 4, "kernel_size": 3}))  # 2-D into Conv2D
@example(spec([8, 8, None], {"type": "Dense", "units": 3}))  # Dense after a None axis
@example(spec([8, 8, 3], {"type": "BatchNormalization", "axis": 4}))  # axis out of range
@example(spec([8, 8, 3], {"type": "Cropping2D", "cropping": [[4, 4], [0, 0]]}))  # cropping everything
@example(spec([8, 8, 3], {"type": "Reshape", "target_shape": [5, -1]}))  # 192 values do not split by 5
@example(spec([8, 8, 3], {"type": "MaxPooling2D", "pool_size": 3}, {"type": "MaxPooling2D", "pool_size": 3}))
@given(image_models())
@settings(max_examples=examples(130), **SETTINGS)
def test_generated_image_stacks_match_keras(body):
    check(body)


@example(spec([None, 4], {"type": "Conv1D", "filters": 2, "kernel_size": 3, "padding": "causal"},
              {"type": "GlobalAveragePooling1D"}))
@example(spec([6, None], {"type": "Conv1D", "filters": 2, "kernel_size": 3}))  # unknown channels
@given(sequence_models())
@settings(max_examples=examples(70), **SETTINGS)
def test_generated_sequence_stacks_match_keras(body):
    check(body)


@example(spec([4, 4, 4, 4], {"type": "Conv2D", "filters": 1, "kernel_size": 1}))  # 3 spatial axes into Conv2D
@given(any_models())
@settings(max_examples=examples(60), **SETTINGS)
def test_generated_stacks_of_any_rank_match_keras(body):
    check(body)


def _keras_arguments(layer: dict) -> dict:
    return {k: tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v
            for k, v in layer.items() if k != "type"}


def _fitting_input(type_name: str) -> tuple[int, ...]:
    kind = lookup(type_name)
    return (8, 4) if 3 in (kind.rank, kind.min_rank) else (8, 8, 4)


@given(WILD_LAYER)
@settings(max_examples=examples(150), **SETTINGS)
def test_generated_arguments_are_refused_exactly_when_keras_refuses_them(layer):
    """Accepted: Keras's constructor takes the normalised arguments. Refused (422): Keras's constructor,
    or its first call on any input, refuses them too, unless we are deliberately stricter."""
    layer_class = keras_class(layer["type"])
    try:
        params = validated(spec([8, 8, 4], layer)).layers[0].params
    except SpecError as error:
        fields = {issue.loc[-1] for issue in error.issues}
        if all((lookup(layer["type"]).type, field) in STRICTER_THAN_KERAS for field in fields):
            event("422, deliberately stricter than Keras")
            return
        event("422")
        with pytest.raises(Exception):
            layer_class(**_keras_arguments(layer))(keras.Input(_fitting_input(layer["type"])))
        return
    event("accepted")
    layer_class(**params)  # must not raise
