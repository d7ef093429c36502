"""Plain Keras in the benchmark's own process: the reference our figures are printed beside.

Imported only after the HTTP phases, so TensorFlow's threads and memory cannot disturb the client then.
"""

from __future__ import annotations

import gc
import os
import time
from importlib.metadata import version


def import_keras():
    """(keras, seconds the import took), on the CPU like the server's worker."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # less of TF's start-up chatter on stderr
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # CPU only, as on the server's worker
    started = time.perf_counter()
    import keras

    return keras, time.perf_counter() - started


def keras_versions(keras) -> str:
    return f"Keras {keras.__version__}, TensorFlow {version('tensorflow')}"


def keras_sequential(keras, body: dict):
    """keras.Sequential from the very same layer dicts: `type` names the class, the rest are its arguments."""
    layers = [getattr(keras.layers, spec["type"])(**{k: v for k, v in spec.items() if k != "type"})
              for spec in body["layers"]]
    return keras.Sequential([keras.Input(shape=tuple(body["input_shape"])), *layers])


def fresh_keras_session(keras) -> None:
    gc.collect()  # drop the previous model first, so clear_session can let its memory go
    keras.backend.clear_session()
    gc.collect()
