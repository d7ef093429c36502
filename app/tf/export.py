"""A model saved as a real ``.keras`` file, in a worker process: built from the validated spec with the given seed
(the same seed gives the same weights, those feature maps start from), or with a run's weights loaded into it (a
model opened from a file), and written to the path the web process chose, which it then serves and deletes."""

from __future__ import annotations

import gc
import os

import keras

from app.config import Settings
from app.core.spec import ModelSpec, validate_model
from app.tf.build import build
from app.tf.featuremaps import _load_weights


def run(payload: dict) -> dict:
    valid = validate_model(ModelSpec.model_validate(payload["model"]), Settings(**payload["settings"]))
    keras.utils.set_random_seed(payload["seed"])
    built = build(valid)
    if payload.get("weights"):
        _load_weights(built.model, payload["weights"])
    built.model.save(payload["path"])
    del built
    gc.collect()  # a model is a web of reference cycles: free it now, not at the collector's next full pass
    return {"bytes": os.path.getsize(payload["path"])}
