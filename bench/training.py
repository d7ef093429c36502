"""A training run over real HTTP beside plain Keras fit() on the same data, model and settings: one run, one table.

    .venv/bin/python bench/training.py            # 3 epochs (a few minutes on 2 quiet cores)
    .venv/bin/python bench/training.py --quick    # 1 epoch, a smoke run

Why: a run is plain Keras fit() in a TensorFlow worker, with progress written to a database a few times a second,
then the test, the confusion matrix and the saved .keras file. What does all that cost beside fit() alone?

Ours: a real server (bench/server.py; CNN_WORKERS=0 so no feature-map worker competes, CNN_DATA_DIR a temporary
folder) gets POST /api/runs with the walk-through MNIST CNN (app.runs.checks.MNIST_CNN), and GET /api/runs/{id}
is polled until done. Time to done is POST to done, including the training worker's start (the first run starts
it: spawn, import TensorFlow); time in fit is the sum of the epochs' `seconds` in the history. The start cost is
read from the first epoch seen by the poll, less that epoch's seconds.

Plain Keras: then, in this process (TensorFlow is imported only after the server has stopped), the same split
(app.datasets.registry.load), the same model (app.tf.build.build_model from the validated spec), seed, optimizer,
batch size, epochs and validation_split, shuffled as app/tf/train.py does, model.fit(verbose=0). Its fit()
wall time is the reference; its epochs are also timed the way our worker times them, to compare like with like.
Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ on the path, not the repo root where `app` and `bench` live.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402  (pydantic only: no TensorFlow in this process yet)
from app.datasets.registry import DATASETS, load  # noqa: E402
from app.runs.checks import MNIST_CNN, RunRequest  # noqa: E402
from bench.plainkeras import import_keras, keras_versions  # noqa: E402
from bench.procfs import CpuWindow  # noqa: E402
from bench.report import progress, row, side_by_side, warn_if_disturbed  # noqa: E402
from bench.server import running_server  # noqa: E402

POLL_S = 0.1  # how often the run is read: the resolution of the start-up figure
RUN_LIMIT_S = 1800.0  # the server's own limit for one run (CNN_MAX_TRAIN_S)


@dataclass
class Figures:
    """One side's run."""

    done_s: float = 0.0  # ours: POST → done; Keras: fit() wall
    epoch_s: list[float] = field(default_factory=list)  # each epoch as the worker's Reporter times it
    before_fit_s: float = 0.0  # ours: POST → first batch; Keras: import + data + build + compile
    after_fit_s: float = 0.0  # evaluate (ours also: predictions, confusion matrix, .keras saved)
    final_loss: float = 0.0
    test_accuracy: float = 0.0
    others_cores: float = 0.0

    @property
    def fit_s(self) -> float:
        return sum(self.epoch_s)


# --- ours, over HTTP ----------------------------------------------------------------------------------------------

def follow(client: httpx.Client, run_id: str, posted: float) -> tuple[dict, float | None]:
    """Poll until the run ends; returns it and when its first epoch was first seen (perf_counter)."""
    first_epoch_seen = None
    deadline = posted + RUN_LIMIT_S
    while time.perf_counter() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["history"] and first_epoch_seen is None:
            first_epoch_seen = time.perf_counter()
        if run["status"] in ("done", "stopped", "failed", "interrupted"):
            return run, first_epoch_seen
        time.sleep(POLL_S)
    raise RuntimeError(f"run {run_id} did not end within {RUN_LIMIT_S:.0f} s")


def run_ours(body: dict) -> Figures:
    ours = Figures()
    with tempfile.TemporaryDirectory(prefix="cnn-blocks-bench-") as data_dir, \
            running_server(lambda client: client.get("/api/layers"),
                           env={"CNN_WORKERS": "0", "CNN_DATA_DIR": data_dir}) as server, \
            httpx.Client(base_url=server.base_url, timeout=60.0) as client:
        progress(f"HTTP: POST /api/runs, {body['epochs']} epoch(s); the training worker starts with it")
        window = CpuWindow.open(time.perf_counter(), ["self", server.pid, *server.children()])
        posted = time.perf_counter()
        response = client.post("/api/runs", json=body)
        if response.status_code != 202:
            raise RuntimeError(f"POST /api/runs answered {response.status_code}: {response.text[:300]}")
        run, first_epoch_seen = follow(client, response.json()["id"], posted)
        ours.done_s = time.perf_counter() - posted
        ours.others_cores = window.others_cores(time.perf_counter(), ["self", server.pid, *server.children()])
    if run["status"] != "done":
        raise RuntimeError(f"the run ended {run['status']}: {run.get('error')}")
    ours.epoch_s = [epoch["seconds"] for epoch in run["history"]]
    ours.before_fit_s = first_epoch_seen - posted - ours.epoch_s[0]
    ours.after_fit_s = ours.done_s - ours.before_fit_s - ours.fit_s
    ours.final_loss, ours.test_accuracy = run["history"][-1]["loss"], run["results"]["test"]["accuracy"]
    return ours


# --- plain Keras, in this process ---------------------------------------------------------------------------------

def run_keras(request: RunRequest, settings: Settings) -> tuple[Figures, str]:
    """As a notebook would, with what the worker does to make a run repeatable; returns also the versions."""
    keras_figures = Figures()
    started = time.perf_counter()
    progress("Keras: importing, building")
    keras, _ = import_keras()
    import tensorflow as tf

    from app.core.spec import validate_model
    from app.tf.build import build_model

    data = load(DATASETS[request.dataset], settings.datasets_dir)
    keras.utils.set_random_seed(request.seed)
    tf.config.experimental.enable_op_determinism()  # as the worker does: the same seed gives the same history
    model = build_model(validate_model(request.model, settings))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=request.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    order = np.random.default_rng(request.seed).permutation(len(data.y_train))  # app/tf/train.py's _shuffled
    x, y = data.x_train[order].astype(np.float32) / 255.0, data.y_train[order]
    epoch_started = []
    timer = keras.callbacks.LambdaCallback(  # the worker's Reporter's clock, nothing else
        on_epoch_begin=lambda epoch, logs: epoch_started.append(time.monotonic()),
        on_epoch_end=lambda epoch, logs: keras_figures.epoch_s.append(time.monotonic() - epoch_started[-1]))
    keras_figures.before_fit_s = time.perf_counter() - started

    progress(f"Keras: fit(), {request.epochs} epoch(s)")
    window = CpuWindow.open(time.perf_counter(), ["self"])
    fit_started = time.perf_counter()
    history = model.fit(x, y, epochs=request.epochs, batch_size=request.batch_size, callbacks=[timer], verbose=0,
                        validation_split=request.validation_split, shuffle=True)
    keras_figures.done_s = time.perf_counter() - fit_started
    keras_figures.others_cores = window.others_cores(time.perf_counter(), ["self"])

    evaluated = time.perf_counter()
    scores = model.evaluate(data.x_test.astype(np.float32) / 255.0, data.y_test, verbose=0, return_dict=True)
    keras_figures.after_fit_s = time.perf_counter() - evaluated
    keras_figures.final_loss, keras_figures.test_accuracy = history.history["loss"][-1], scores["accuracy"]
    return keras_figures, keras_versions(keras)


# --- the table ----------------------------------------------------------------------------------------------------

def secs(seconds: float) -> str:
    return f"{seconds:,.2f} s"


def overhead(ours: float, keras: float) -> str:
    return f"{(ours / keras - 1) * 100:+.1f} %"


def render_table(ours: Figures, keras: Figures, samples: int, versions: str) -> str:
    fit_wall_s = keras.done_s
    title = (f"CNN Blocks POST /api/runs vs plain Keras fit(): MNIST CNN, {samples:,} training samples × "
             f"{len(ours.epoch_s)} epoch(s), batch 64; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
             f"{versions}")
    rows = [
        ("time to done", [secs(ours.done_s), secs(fit_wall_s)]),
        ("  (ours: POST → done over HTTP, incl. TF worker", []),
        ("   start; Keras: fit() only)", []),
        ("time in fit", [secs(ours.fit_s), secs(fit_wall_s)]),
        ("  (ours: sum of epoch seconds; Keras: fit() wall)", []),
        ("samples/s in fit", [f"{samples * len(ours.epoch_s) / ours.fit_s:,.0f}",
                              f"{samples * len(keras.epoch_s) / fit_wall_s:,.0f}"]),
        ("overhead vs plain Keras, fit", [overhead(ours.fit_s, fit_wall_s), ""]),
        ("overhead vs plain Keras, whole", [overhead(ours.done_s, fit_wall_s), ""]),
        ("test accuracy", [f"{ours.test_accuracy:.4f}", f"{keras.test_accuracy:.4f}"]),
        ("last epoch's training loss", [f"{ours.final_loss:.6f}", f"{keras.final_loss:.6f}"]),
        ("", []),
        ("LIKE FOR LIKE: epochs timed the same way", []),
        ("  each epoch's seconds", [" ".join(f"{s:.2f}" for s in ours.epoch_s),
                                    " ".join(f"{s:.2f}" for s in keras.epoch_s)]),
        ("  sum", [secs(ours.fit_s), secs(keras.fit_s)]),
        ("  overhead vs plain Keras", [overhead(ours.fit_s, keras.fit_s), ""]),
        ("", []),
        ("AROUND FIT", []),
        ("  before the first batch", [secs(ours.before_fit_s), secs(keras.before_fit_s)]),
        ("    (ours: POST → first batch, the TF worker's", []),
        ("     start, data, build; Keras: import, data, build)", []),
        ("  after fit (ours: test, confusion, .keras", [secs(ours.after_fit_s), secs(keras.after_fit_s)]),
        ("     saved; Keras: evaluate)", []),
        ("  whole: before + fit + after",
         [secs(ours.done_s), secs(keras.before_fit_s + fit_wall_s + keras.after_fit_s)]),
    ]
    lines = side_by_side(title, ["ours (HTTP)", "plain Keras"], rows, label_width=52, column_width=22)
    lines += [
        "",
        f"First-run TensorFlow worker start cost ≈ {secs(ours.before_fit_s)} (POST → first batch, read to "
        f"±{POLL_S:.1f} s; POST → done minus time in fit: {secs(ours.done_s - ours.fit_s)})",
        "",
        "OTHER PROCESSES' CPU on this machine meanwhile (should be ~0)",
        row("  during our run", f"{ours.others_cores:.2f} of {os.cpu_count()} cores", 52),
        row("  during Keras's fit()", f"{keras.others_cores:.2f} of {os.cpu_count()} cores", 52),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch instead of 3, for smoke runs")
    args = parser.parse_args(argv)
    body = {"model": MNIST_CNN, "dataset": "mnist", "epochs": 1 if args.quick else 3, "batch_size": 64, "seed": 1}
    request, settings = RunRequest.model_validate(body), Settings()
    train_count = len(load(DATASETS["mnist"], settings.datasets_dir).y_train)
    samples = train_count - int(train_count * request.validation_split)  # what fit() trains on, as the worker
    ours = run_ours(body)  # first: before TensorFlow is in this process
    keras, versions = run_keras(request, settings)
    print(render_table(ours, keras, samples, versions))
    warn_if_disturbed(ours.others_cores, keras.others_cores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
