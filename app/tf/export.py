"""A model saved as a real ``.keras`` file, in a worker process: built from the validated spec with the given seed
(the same seed gives the same weights, those feature maps start from), or with a run's weights loaded into it (a
model opened from a file), and written to the path the web process chose, which it then serves and deletes."""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path

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
    if payload.get("path"):  # a worker on this machine: the web process serves the file from there
        built.model.save(payload["path"])
        answer = {"size": os.path.getsize(payload["path"])}
    else:  # a worker elsewhere (a cluster): the file comes back as bytes
        with tempfile.TemporaryDirectory(prefix="cnn-export-") as folder:
            path = Path(folder) / "model.keras"
            built.model.save(path)
            answer = {"size": path.stat().st_size, "content": path.read_bytes()}
    del built
    gc.collect()  # a model is a web of reference cycles: free it now, not at the collector's next full pass
    return answer
