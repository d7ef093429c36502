"""One training run, in a TensorFlow worker: plain Keras ``fit()`` on the chosen dataset, progress written to
the run store as it goes (the web process streams it from there), then the held-out test, the confusion
matrix, misclassified examples, and the trained model saved as a real ``.keras`` file."""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from app.config import Settings
from app.core.spec import ModelSpec, validate_model
from app.datasets.registry import Arrays, find, load
from app.imaging import drawable, png_data_url
from app.jobs.outcome import here
from app.runs.store import RunStore
from app.tf.build import build_model

MISCLASSIFIED_SHOWN = 12
OPTIMIZERS = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop,
              "adamw": keras.optimizers.AdamW, "adagrad": keras.optimizers.Adagrad}


class Reporter(keras.callbacks.Callback):
    """Writes progress (a few times a second at most) and each epoch's metrics; honours a stop request after
    the current batch."""

    def __init__(self, store: RunStore, run_id: str, epochs: int, batches: int, batch_size: int, interval_s: float):
        super().__init__()
        self.store, self.run_id, self.epochs, self.batches = store, run_id, epochs, batches
        self.batch_size, self.interval_s = batch_size, interval_s
        self.history: list[dict] = []
        self.stopped = False
        self.epoch = 0
        self.started = self.last_report = self.epoch_started = time.monotonic()
        self.done_batches = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.epoch_started = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        self.done_batches += 1
        now = time.monotonic()
        if now - self.last_report < self.interval_s:
            return
        self.last_report = now
        elapsed = now - self.started
        left = self.epochs * self.batches - self.done_batches
        progress = {"epoch": self.epoch + 1, "epochs": self.epochs, "batch": batch + 1, "batches": self.batches,
                    "samples_per_s": round(self.done_batches * self.batch_size / elapsed, 1),
                    "eta_s": round(elapsed / self.done_batches * left, 1), **_numbers(logs)}
        self.store.update(self.run_id, progress=progress)
        self.store.add_event(self.run_id, "progress", progress)
        if self.store.stop_requested(self.run_id):
            self.stopped = True
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        entry = {"epoch": epoch + 1, **_numbers(logs), "seconds": round(time.monotonic() - self.epoch_started, 2)}
        self.history.append(entry)
        self.store.update(self.run_id, history=self.history)
        self.store.add_event(self.run_id, "epoch", entry)


def _numbers(logs) -> dict:
    return {name: round(float(value), 6) for name, value in (logs or {}).items()}


def run(payload: dict) -> dict:
    store = RunStore(payload["db_url"])
    run_id, request = payload["run_id"], payload["request"]
    store.update(run_id, **here())  # which engine, node and process train it: the run's answer says so
    dataset = find(request["dataset"], Path(payload["data_dir"]))
    data = load(dataset, Path(payload["datasets_dir"]))
    keras.utils.set_random_seed(request["seed"])
    tf.config.experimental.enable_op_determinism()  # the same request and seed give the same history
    model = build_model(validate_model(ModelSpec.model_validate(request["model"]), Settings()))
    trainer = _with_augmentation(model, request["augment"])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=payload["from_logits"])
    trainer.compile(optimizer=OPTIMIZERS[request["optimizer"]](learning_rate=request["learning_rate"]), loss=loss,
                    metrics=["accuracy"])
    x, y = _shuffled(data, request["seed"])
    train_count = len(x) - int(len(x) * request["validation_split"])
    batches = -(-train_count // request["batch_size"])
    reporter = Reporter(store, run_id, request["epochs"], batches, request["batch_size"], payload["progress_interval_s"])
    trainer.fit(x, y, epochs=request["epochs"], batch_size=request["batch_size"], callbacks=[reporter], verbose=0,
                validation_split=request["validation_split"], shuffle=True)
    results = _evaluate(model, loss, data, len(dataset.classes))
    weights = Path(payload["weights_path"])
    weights.parent.mkdir(parents=True, exist_ok=True)
    model.save(weights.with_suffix(".keras"))
    model.save_weights(weights.with_suffix(".weights.h5"))  # what feature maps load into a model built from the spec
    status = "stopped" if reporter.stopped else "done"
    store.update(run_id, status=status, results=results, progress=None, finished_at=time.time(),
                 weights=str(weights.with_suffix(".keras")))
    store.add_event(run_id, "end", {"status": status, "test": results["test"]})
    return {"status": status}


def _with_augmentation(model: keras.Model, augment: dict) -> keras.Model:
    """Random changes to each training picture, active only while training; the saved model is without them."""
    steps = []
    if augment.get("flip"):
        steps.append(keras.layers.RandomFlip("horizontal"))
    if augment.get("rotation"):
        steps.append(keras.layers.RandomRotation(augment["rotation"]))
    if augment.get("zoom"):
        steps.append(keras.layers.RandomZoom(augment["zoom"]))
    if augment.get("translation"):
        steps.append(keras.layers.RandomTranslation(augment["translation"], augment["translation"]))
    if not steps:
        return model
    return keras.Sequential([keras.Input(model.input_shape[1:]), *steps, model], name="with_augmentation")


def _shuffled(data: Arrays, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled once, by the seed, before Keras takes the last part for validation (the files are by class)."""
    order = np.random.default_rng(seed).permutation(len(data.y_train))
    return data.x_train[order].astype(np.float32) / 255.0, data.y_train[order]


def _evaluate(model: keras.Model, loss, data: Arrays, classes: int) -> dict:
    model.compile(loss=loss, metrics=["accuracy"])  # so the saved file scores as reported when loaded
    x_test = data.x_test.astype(np.float32) / 255.0
    scores = model.evaluate(x_test, data.y_test, verbose=0, return_dict=True)
    predicted = np.argmax(model.predict(x_test, verbose=0), axis=-1)
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (data.y_test, predicted), 1)
    wrong = np.flatnonzero(predicted != data.y_test)[:MISCLASSIFIED_SHOWN]
    return {
        "test": {"loss": round(float(scores["loss"]), 6), "accuracy": round(float(scores["accuracy"]), 6)},
        "confusion": confusion.tolist(),
        "per_class": [round(float(confusion[c, c] / max(1, confusion[c].sum())), 4) for c in range(classes)],
        "misclassified": [{"image": png_data_url(drawable(data.x_test[i])), "true": int(data.y_test[i]),
                           "predicted": int(predicted[i])} for i in wrong],
    }
