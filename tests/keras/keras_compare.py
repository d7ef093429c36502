"""Our rows next to real Keras's for the same spec: the helpers every Keras comparison test uses."""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras

from app.config import Settings
from app.core.engine import infer_model
from app.core.spec import ModelSpec, validate_model
from app.tf.build import build_layer_by_layer, build_model

# Arguments Keras's constructor takes and builds with, but that mean nothing; the catalogue refuses them on
# purpose (a 422 that says what is allowed). None of them can change a shape except negative zero-padding.
STRICTER_THAN_KERAS = {
    ("BatchNormalization", "momentum"),  # outside [0, 1]
    ("BatchNormalization", "epsilon"),  # negative
    ("LayerNormalization", "epsilon"),  # negative
    ("LayerNormalization", "axis"),  # an empty list (no axis, scalar γ and β), or an axis twice ([-1, -1]: 3·3 weights)
    ("ZeroPadding2D", "padding"),  # negative: Keras shrinks the image (a crop) instead of padding
}


def spec(input_shape: list, *layers: dict) -> dict:
    return {"input_shape": list(input_shape), "layers": list(layers)}


def validated(body: dict):
    return validate_model(ModelSpec.model_validate(body), Settings())


def ours(body: dict) -> dict:
    return infer_model(validated(body)).to_json()


def weight_count(weights) -> int:
    return sum(math.prod(w.shape) for w in weights)


@dataclass
class KerasResult:
    rows: list[dict]  # one per layer Keras built: name, output_shape, trainable, non-trainable
    failed_index: int | None
    error: Exception | None


def keras_result(body: dict) -> KerasResult:
    """Build the spec layer by layer in a fresh Keras session (so automatic names restart)."""
    keras.utils.clear_session()
    built = build_layer_by_layer(validated(body))
    keras.utils.clear_session()
    rows = [{
        "name": layer.name,
        "output_shape": list(layer.output.shape),
        "trainable_params": weight_count(layer.trainable_weights),
        "non_trainable_params": weight_count(layer.non_trainable_weights),
    } for layer in built.layers]
    return KerasResult(rows, built.failed_index, built.error)


def our_rows(result: dict) -> list[dict]:
    keys = ("name", "output_shape", "trainable_params", "non_trainable_params")
    return [{key: row[key] for key in keys} for row in result["layers"] if row["output_shape"] is not None]


def assert_same_as_keras(body: dict) -> tuple[dict, KerasResult]:
    """Validity, the first failing layer, and every built layer's name, shape and counts agree."""
    mine, theirs = ours(body), keras_result(body)
    our_failure = mine["error"]["layer"] if mine["error"] else None
    assert our_failure == theirs.failed_index, (
        f"first failing layer: ours {our_failure} ({mine['error']}), Keras {theirs.failed_index} ({theirs.error!r})")
    assert mine["valid"] == (theirs.failed_index is None)
    assert our_rows(mine) == theirs.rows
    if mine["valid"]:
        model = build_model(validated(body))  # the whole model: a layer that does not lead to the output is left out
        assert (mine["trainable_params"], mine["non_trainable_params"]) == (
            weight_count(model.trainable_weights), weight_count(model.non_trainable_weights))
    return mine, theirs
