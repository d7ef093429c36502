"""Real Keras layers and models from a validated spec (``app.core.spec.validate_model``).

The catalogue's parameters already are Keras constructor arguments, normalised
(``kernel_size=(3, 3)``, ``padding="same"``), and each layer carries the name a
fresh Keras session would give it, so building is a lookup and a call.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import keras

from app.core.spec import INPUT, ValidLayer, ValidModel

# Layers that keras.applications define for themselves rather than in keras.layers.
APPLICATION_LAYERS = {
    "LayerScale": "keras.src.applications.convnext",
    "CustomScaleLayer": "keras.src.applications.inception_resnet_v2",
}


def keras_class(type_name: str) -> type[keras.layers.Layer]:
    module = importlib.import_module(APPLICATION_LAYERS[type_name]) if type_name in APPLICATION_LAYERS else keras.layers
    return getattr(module, type_name)


def build_layer(layer: ValidLayer) -> keras.layers.Layer:
    """One Keras layer; raises whatever the Keras constructor raises. Frozen as ``layer.trainable = False`` freezes
    it, which every layer takes (SpatialDropout2D's constructor does not take trainable=…)."""
    built = keras_class(layer.kind.type)(name=layer.name, **layer.params)
    built.trainable = layer.trainable
    return built


def model_input(model: ValidModel) -> keras.KerasTensor:
    return keras.Input(shape=model.input_shape[1:])


def call(keras_layer: keras.layers.Layer, layer: ValidLayer, tensors: dict) -> keras.KerasTensor:
    """The layer applied as the spec connects it: to a list when it lists its inputs and merges them."""
    if layer.listed and layer.kind.merge:
        return keras_layer([tensors[name] for name in layer.inputs])
    return keras_layer(tensors[layer.inputs[0]])


@dataclass
class Built:
    model: keras.Model
    layers: list[keras.layers.Layer]  # one per spec layer, in the spec's order (unused ones included)
    outputs: list[keras.KerasTensor]  # each layer's output, same order


def build(model: ValidModel) -> Built:
    """A Sequential model for a plain stack, so that ``summary()`` lists the same rows as the core's (no
    InputLayer row); ``keras.Model(input, last layer)`` when the spec names inputs. Raises where Keras refuses."""
    if not model.functional:
        sequential = keras.Sequential([model_input(model), *(build_layer(layer) for layer in model.layers)],
                                      name="sequential")
        return Built(sequential, list(sequential.layers), [layer.output for layer in sequential.layers])
    tensors = {INPUT: model_input(model)}
    layers = []
    for layer in model.layers:
        layers.append(build_layer(layer))
        tensors[layer.name] = call(layers[-1], layer, tensors)
    functional = keras.Model(tensors[INPUT], tensors[model.layers[-1].name], name="functional")
    return Built(functional, layers, [tensors[layer.name] for layer in model.layers])


def build_model(model: ValidModel) -> keras.Model:
    return build(model).model


@dataclass
class LayerByLayer:
    """The result of calling the layers one after the other on a symbolic input."""

    layers: list[keras.layers.Layer]  # those that were built, in order
    failed_index: int | None = None  # the first layer Keras refused, None if all built
    error: Exception | None = None


def build_layer_by_layer(model: ValidModel) -> LayerByLayer:
    """Each layer called on its inputs, as the user's code would, stopping at the first exception (constructor
    or call)."""
    tensors = {INPUT: model_input(model)}
    built: list[keras.layers.Layer] = []
    for layer in model.layers:
        try:
            keras_layer = build_layer(layer)
            tensors[layer.name] = call(keras_layer, layer, tensors)
        except Exception as error:  # Keras raises ValueError, TypeError, tf errors…: any refusal counts
            return LayerByLayer(built, layer.index, error)
        built.append(keras_layer)
    return LayerByLayer(built)
