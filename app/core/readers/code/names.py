"""Which Keras thing a dotted name is: ``tf.keras.layers.Conv2D``, ``keras.Input``, ``keras.optimizers.Adam``, ….

Names are compared as strings. ``tensorflow.keras``, ``tensorflow.python.keras``, ``tf_keras`` and ``keras``
(with or without ``src``) are all Keras; the class is the last part, the area (layers, optimizers, …) a part
before it, as old and new module paths alike put it (``keras.layers.convolutional.Convolution2D`` is Keras 1's).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.layers import lookup

# Keras 1 class names that Keras 3 no longer has, and the class they are now (their old arguments are renamed).
LEGACY_CLASSES = {"AtrousConvolution2D": "Conv2D", "AtrousConvolution1D": "Conv1D"}
# Functions of keras.layers that make a merge layer and call it on a list: layers.add([a, b]).
MERGE_FUNCTIONS = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply", "average": "Average",
                   "maximum": "Maximum", "minimum": "Minimum", "concatenate": "Concatenate"}
# Keras 1's merge([a, b], mode=…).
LEGACY_MERGE_MODES = {"sum": "Add", "concat": "Concatenate", "mul": "Multiply", "ave": "Average", "max": "Maximum"}
# Layers that change pictures only while training and never their shape, and hold no weights: left out.
TRAINING_ONLY_LAYERS = {"RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
                        "RandomBrightness", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                        "ActivityRegularization"}
APPLICATION_LAYERS = {"LayerScale", "CustomScaleLayer"}  # keras.applications' own layers, in the catalogue
OPTIMIZERS = {"adam": "adam", "sgd": "sgd", "rmsprop": "rmsprop", "adamw": "adamw", "adagrad": "adagrad"}
OTHER_OPTIMIZERS = {"adadelta", "adamax", "nadam", "ftrl", "lion", "lamb", "adafactor", "loss_scale_optimizer",
                    "lossscaleoptimizer", "muon"}
TF_NN_ACTIVATIONS = {"relu", "relu6", "elu", "selu", "softmax", "sigmoid", "tanh", "softplus", "softsign", "swish",
                     "silu", "gelu", "leaky_relu", "log_softmax"}
DATA_FORMAT_FUNCTIONS = {"image_data_format": "channels_last", "image_dim_ordering": "tf"}


@dataclass(frozen=True)
class Meaning:
    """What a name stands for: ``what`` is one of the kinds below, ``name`` the class or function it names."""

    what: str  # layer, identity, sequential, model, input, input_layer, merge_function, legacy_merge, optimizer,
    #            activation, data_format, application, unknown_layer, keras (something of Keras's we do not read)
    name: str


def keras_parts(path: str) -> list[str] | None:
    """The path from ``keras`` on, or None when it is not Keras's; ``tf.nn`` comes back as ``["nn", …]``.

    >>> keras_parts("tensorflow.keras.layers.Conv2D"), keras_parts("numpy.zeros"), keras_parts("tensorflow.nn.relu")
    (['keras', 'layers', 'Conv2D'], None, ['nn', 'relu'])
    """
    parts = path.split(".")
    if parts[0] == "tf_keras":
        parts = ["keras", *parts[1:]]
    if parts[0] == "tensorflow":
        parts = parts[1:]
        if parts[:2] in (["compat", "v1"], ["compat", "v2"]):
            parts = parts[2:]
        if parts[:1] == ["python"]:
            parts = parts[1:]
        if parts[:1] == ["nn"]:
            return parts
    return parts if parts[:1] == ["keras"] else None


def meaning(path: str) -> Meaning | None:
    """What a dotted name is in Keras, or None when it is not Keras's at all.

    >>> meaning("keras.layers.Conv2D"), meaning("tensorflow.keras.models.Sequential")
    (Meaning(what='layer', name='Conv2D'), Meaning(what='sequential', name='Sequential'))
    >>> meaning("keras.layers.convolutional.Convolution2D"), meaning("keras.optimizers.Adam")
    (Meaning(what='layer', name='Convolution2D'), Meaning(what='optimizer', name='Adam'))
    """
    parts = keras_parts(path)
    if parts is None:
        return None
    last, middle = parts[-1], set(parts[1:-1])
    if parts[0] == "nn":
        return Meaning("activation", last) if last in TF_NN_ACTIVATIONS and len(parts) == 2 else None
    if len(parts) == 1:
        return Meaning("keras", last)
    if "applications" in middle:
        return Meaning("layer" if last in APPLICATION_LAYERS else "application", last)
    if "optimizers" in middle:
        known = last.lower() in OPTIMIZERS or last.lower() in OTHER_OPTIMIZERS
        return Meaning("optimizer" if known else "keras", last)
    if "activations" in middle:
        return Meaning("activation", last)
    if last in DATA_FORMAT_FUNCTIONS and middle & {"backend", "config"}:
        return Meaning("data_format", last)
    if last == "Sequential":
        return Meaning("sequential", last)
    if last in ("Model", "Functional"):
        return Meaning("model", last)
    if last == "Input":
        return Meaning("input", last)
    if last == "InputLayer":
        return Meaning("input_layer", last)
    if "layers" in middle:
        return _layer_meaning(last)
    return Meaning("keras", last)


def _layer_meaning(name: str) -> Meaning:
    if lookup(name) is not None or name in LEGACY_CLASSES:
        return Meaning("layer", name)
    if name in MERGE_FUNCTIONS:
        return Meaning("merge_function", name)
    if name == "merge":
        return Meaning("legacy_merge", name)
    if name in TRAINING_ONLY_LAYERS:
        return Meaning("identity", name)
    if name[:1].isupper():
        return Meaning("unknown_layer", name)
    return Meaning("keras", name)


def is_keras_builder(path: str) -> bool:
    """Whether calling this name builds part of a model (a layer, a model, an input)."""
    found = meaning(path)
    return found is not None and found.what in ("layer", "identity", "sequential", "model", "input", "input_layer",
                                                "merge_function", "legacy_merge", "application", "unknown_layer",
                                                "activation")
