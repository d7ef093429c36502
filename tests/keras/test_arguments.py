"""Arguments: what our catalogue accepts and refuses is what the Keras constructor accepts and refuses."""

from __future__ import annotations

import keras
import pytest
from fastapi.testclient import TestClient
from keras_compare import validated

from app.core.layers import KINDS
from app.core.layers.base import ACTIVATIONS
from app.main import app
from app.tf.build import keras_class

client = TestClient(app)


def L(type_name: str, **arguments) -> dict:
    return {"type": type_name, **arguments}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_every_activation_name_is_known_to_keras(name):
    assert callable(keras.activations.get(name))


@pytest.mark.parametrize("name", sorted({n for k in KINDS for n in (k.type, *k.aliases)}))
def test_every_type_name_and_alias_exists_in_keras_layers(name):
    assert issubclass(keras_class(name), keras.layers.Layer)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.type)
def test_aliases_are_the_same_keras_class(kind):
    for alias in kind.aliases:
        assert keras_class(alias) is keras_class(kind.type)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.type)
def test_every_catalogue_argument_is_a_keras_constructor_argument(kind):
    keras.utils.clear_session()
    required = {"filters": 2, "kernel_size": 3, "units": 2, "rate": 0.5, "activation": "relu", "scale": 1.0,
                "target_shape": [-1], "pool_size": 2, "init_values": 0.1, "projection_dim": 3}
    body = {"input_shape": [8, 8, 3], "layers": [L(kind.type, **{p.name: required[p.name]
                                                                  for p in kind.params if p.required})]}
    layer = validated(body).layers[0]
    assert set(layer.params) == {p.name for p in kind.params}
    keras_layer = keras_class(kind.type)(**layer.params)  # the defaults, spelled out, are accepted
    config = keras_layer.get_config()
    for name in layer.params:
        assert name in config, f"{kind.type}({name}=…) is not in Keras's config: {sorted(config)}"


# Arguments Keras's constructor refuses whatever the input: ours must be a 422 naming the field.
REFUSED = [
    (L("Conv2D", filters=6, kernel_size=3, groups=4), "groups"),
    (L("Conv1D", filters=5, kernel_size=3, groups=2), "groups"),
    (L("Conv2D", filters=4, kernel_size=3, strides=2, dilation_rate=2), "dilation_rate"),
    (L("Conv1D", filters=4, kernel_size=3, strides=[2], dilation_rate=[3]), "dilation_rate"),
    (L("Conv2D", filters=4, kernel_size=3, strides=[1, 2], dilation_rate=[2, 1]), "dilation_rate"),
    (L("Conv2DTranspose", filters=4, kernel_size=3, strides=2, dilation_rate=2), "dilation_rate"),
    (L("Conv2DTranspose", filters=4, kernel_size=3, strides=2, output_padding=2), "output_padding"),
    (L("Conv2DTranspose", filters=4, kernel_size=3, output_padding=[0, 1]), "output_padding"),
    (L("Conv2D", filters=0, kernel_size=3), "filters"),
    (L("Conv2D", filters=4, kernel_size=0), "kernel_size"),
    (L("Conv2D", filters=4, kernel_size=3, strides=[1, 0]), "strides"),
    (L("Conv2D", filters=4, kernel_size=3, padding="causal"), "padding"),
    (L("Conv2D", filters=4, kernel_size=3, padding="full"), "padding"),
    (L("Conv2D", filters=4, kernel_size=3, activation="not_an_activation"), "activation"),
    (L("Conv2D", filters=4, kernel_size=3, data_format="channels_middle"), "data_format"),
    (L("DepthwiseConv2D", kernel_size=3, depth_multiplier=0), "depth_multiplier"),
    (L("Dense", units=0), "units"),
    (L("Dropout", rate=1.5), "rate"),
    (L("Dropout", rate=-0.1), "rate"),
    (L("SpatialDropout2D", rate=2), "rate"),
    (L("ReLU", max_value=-1), "max_value"),
    (L("ReLU", negative_slope=-0.1), "negative_slope"),
    (L("ReLU", threshold=-1), "threshold"),
    (L("LeakyReLU", negative_slope=-0.3), "negative_slope"),
    (L("MaxPooling2D", pool_size=0), "pool_size"),
    (L("UpSampling2D", size=0), "size"),
    (L("Activation", activation="nope"), "activation"),
    (L("BatchNormalization", axis=[1, 2]), "axis"),
]


@pytest.mark.parametrize("layer, field", REFUSED, ids=[f"{l['type']}-{f}" for l, f in REFUSED])
def test_refused_argument_is_422_naming_the_field(layer, field):
    response = client.post("/api/shapes", json={"input_shape": [16, 16, 4], "layers": [layer]})
    assert response.status_code == 422, response.text
    assert ["body", "layers", 0, field] in [issue["loc"] for issue in response.json()["detail"]]


@pytest.mark.parametrize("layer, field", REFUSED, ids=[f"{l['type']}-{f}" for l, f in REFUSED])
def test_refused_argument_raises_in_the_keras_constructor(layer, field):
    arguments = {k: tuple(v) if isinstance(v, list) else v for k, v in layer.items() if k != "type"}
    with pytest.raises(Exception):
        keras_class(layer["type"])(**arguments)


def test_stricter_than_keras_only_where_every_input_fails():
    # Reshape with two -1 entries: Keras's constructor takes it, but no input can ever be reshaped so.
    response = client.post("/api/shapes", json={"input_shape": [4, 4], "layers": [L("Reshape", target_shape=[-1, -1])]})
    assert response.status_code == 422
    for shape in ((4, 4), (16,), (2, 8)):
        with pytest.raises(Exception):
            keras.layers.Reshape((-1, -1))(keras.Input(shape))


STRICTER = [
    ("BatchNormalization", {"momentum": 1.5}, [8, 8, 4]),
    ("BatchNormalization", {"momentum": -0.5}, [8, 8, 4]),
    ("BatchNormalization", {"epsilon": -1e-3}, [8, 8, 4]),
    ("LayerNormalization", {"epsilon": -1e-3}, [8, 8, 4]),
    ("LayerNormalization", {"axis": []}, [8, 8, 4]),
    ("LayerNormalization", {"axis": [-1, -1]}, [8, 8, 4]),
    ("ZeroPadding2D", {"padding": -1}, [8, 8, 4]),
]


@pytest.mark.parametrize("type_name, arguments, input_shape", STRICTER, ids=[f"{t}-{a}" for t, a, _ in STRICTER])
def test_meaningless_arguments_keras_accepts_are_refused_on_purpose(type_name, arguments, input_shape):
    """Keras builds these; we answer 422 because they mean nothing (documented in STRICTER_THAN_KERAS).
    If Keras starts refusing them, this test says the exception list can shrink."""
    from keras_compare import STRICTER_THAN_KERAS
    assert {(type_name, name) for name in arguments} <= STRICTER_THAN_KERAS
    response = client.post("/api/shapes", json={"input_shape": input_shape, "layers": [L(type_name, **arguments)]})
    assert response.status_code == 422
    keras.utils.clear_session()
    keras_class(type_name)(**arguments)(keras.Input(tuple(input_shape)))  # Keras: no complaint
