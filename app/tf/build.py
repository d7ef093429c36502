"""Real Keras layers and models from a validated spec (``app.core.spec.validate_model``).

The catalogue's parameters already are Keras constructor arguments, normalised
(``kernel_size=(3, 3)``, ``padding="same"``), and each layer carries the name a
fresh Keras session would give it, so building is a lookup and a call.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras

from app.core.spec import ValidLayer, ValidModel


def build_layer(layer: ValidLayer) -> keras.layers.Layer:
    """One Keras layer; raises whatever the Keras constructor raises."""
    layer_class = getattr(keras.layers, layer.kind.type)
    return layer_class(name=layer.name, **layer.params)


def build_layers(model: ValidModel) -> list[keras.layers.Layer]:
    return [build_layer(layer) for layer in model.layers]


def model_input(model: ValidModel) -> keras.KerasTensor:
    return keras.Input(shape=model.input_shape[1:])


def build_model(model: ValidModel, name: str = "sequential") -> keras.Model:
    """A built Sequential model; raises at the first layer Keras refuses.

    Sequential rather than a functional Model so that ``summary()`` lists the
    same rows as the core's summary (no InputLayer row).
    """
    return keras.Sequential([model_input(model), *build_layers(model)], name=name)


@dataclass
class LayerByLayer:
    """The result of calling the layers one after the other on a symbolic input."""

    layers: list[keras.layers.Layer]  # those that were built, in order
    failed_index: int | None = None  # the first layer Keras refused, None if all built
    error: Exception | None = None


def build_layer_by_layer(model: ValidModel) -> LayerByLayer:
    """``x = layer(x)`` for each layer, stopping at the first exception (constructor or call)."""
    x = model_input(model)
    built: list[keras.layers.Layer] = []
    for layer in model.layers:
        try:
            keras_layer = build_layer(layer)
            x = keras_layer(x)
        except Exception as error:  # Keras raises ValueError, TypeError, tf errors…: any refusal counts
            return LayerByLayer(built, layer.index, error)
        built.append(keras_layer)
    return LayerByLayer(built)
