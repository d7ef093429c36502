"""The catalogue against the Keras constructors' own signatures: what is required, and every default.

`get_config()` only shows what a layer keeps; the signature is what `AveragePooling2D()` is checked
against when a learner runs the code we write, so it is the signature we compare with."""

from __future__ import annotations

import inspect

import pytest

from app.core.layers import KINDS
from app.tf.build import keras_class

EMPTY = inspect.Parameter.empty
CASES = [(kind, param) for kind in KINDS for param in kind.params]


def constructor(kind) -> inspect.Signature:
    return inspect.signature(keras_class(kind.type).__init__)


@pytest.mark.parametrize("kind, param", CASES, ids=[f"{k.type}.{p.name}" for k, p in CASES])
def test_each_argument_is_required_exactly_when_keras_requires_it_with_keras_default(kind, param):
    keras_param = constructor(kind).parameters.get(param.name)
    assert keras_param is not None, f"{kind.type}({param.name}=…) is not a Keras constructor argument"
    assert param.required == (keras_param.default is EMPTY)
    if not param.required:  # the same default, once both are normalised (3 and (3, 3) are one kernel size)
        assert param.default_value == (None if keras_param.default is None else param.parse(keras_param.default))


@pytest.mark.parametrize("kind", KINDS, ids=[k.type for k in KINDS])
def test_every_argument_keras_requires_is_in_the_catalogue(kind):
    required = {name for name, p in constructor(kind).parameters.items()
                if name != "self" and p.default is EMPTY and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    assert required <= {param.name for param in kind.params}


@pytest.mark.parametrize("kind", KINDS, ids=[k.type for k in KINDS])
def test_the_constructor_takes_trainable_exactly_where_the_catalogue_says(kind):
    """The Python we write passes trainable=False to a frozen layer's constructor, except where Keras's does not take
    it (SpatialDropout2D: no weights, so nothing to freeze)."""
    parameters = constructor(kind).parameters.values()
    takes = any(p.name == "trainable" or p.kind == p.VAR_KEYWORD for p in parameters)
    assert kind.takes_trainable == takes


@pytest.mark.parametrize("kind", [k for k in KINDS if any(p.required for p in k.params)], ids=lambda k: k.type)
def test_a_layer_without_its_required_arguments_fails_in_keras_as_in_our_api(kind):
    with pytest.raises(TypeError, match="required"):
        keras_class(kind.type)()
