"""Training runs end to end on the real server: real datasets, real Keras fit() in a worker, live events over
SSE, stop, the .keras file opened in another process, trained feature maps, and a server killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest
from live_server import ROOT, read_events, serve_app

from app.runs.checks import MNIST_CNN

pytestmark = pytest.mark.keras

SMALL_SHAPES_CNN = {"input_shape": [24, 24, 3], "layers": [
    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"}, {"type": "MaxPooling2D"},
    {"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}]}
TRAINED_S = 600
WIDE = {"input_shape": [28, 28, 1], "layers": [  # 1.6 MB of activations per picture and layer
    {"type": "Conv2D", "filters": 512, "kernel_size": 3, "padding": "same"},
    {"type": "Conv2D", "filters": 512, "kernel_size": 3, "padding": "same"},
    {"type": "GlobalAveragePooling2D"}, {"type": "Dense", "units": 10}]}


@pytest.fixture(scope="module")
def url():
    with serve_app(workers=1) as base:
        yield base


def start(url: str, **body) -> dict:
    response = httpx.post(f"{url}/api/runs", json=body, timeout=30)
    assert response.status_code == 202, response.text
    return response.json()


def events(url: str, run_id: str, on_event=None, headers=None) -> list[tuple[str, dict, int]]:
    """Every event of the run's stream until it ends, as (kind, data, id); `on_event(kind, data)` is told each
    one as it arrives."""
    with httpx.stream("GET", f"{url}/api/runs/{run_id}/events", timeout=TRAINED_S, headers=headers) as stream:
        return read_events(stream.iter_lines(), on_event)


def finished(url: str, run_id: str) -> dict:
    deadline = time.monotonic() + TRAINED_S
    while time.monotonic() < deadline:
        run = httpx.get(f"{url}/api/runs/{run_id}", timeout=30).json()
        if run["status"] in ("done", "stopped", "failed", "interrupted"):
            return run
        time.sleep(0.5)  # polling a run the worker is training
    raise AssertionError(f"run {run_id} did not finish in {TRAINED_S} s")


def test_the_datasets_are_listed_with_classes_counts_and_samples(url):
    listing = {d["id"]: d for d in httpx.get(f"{url}/api/datasets", timeout=60).json()["datasets"]}
    assert listing["mnist"]["input_shape"] == [28, 28, 1] and listing["mnist"]["test_count"] == 1996
    assert listing["fashion_mnist"]["train_count"] == 60_000 and listing["fashion_mnist"]["test_count"] == 10_000
    assert listing["fashion_mnist"]["classes"][9] == {"en": "Ankle boot", "ko": "앵클 부츠"}
    assert listing["shapes"]["input_shape"] == [24, 24, 3] and len(listing["shapes"]["classes"]) == 3
    assert all(d["samples"][0]["image"].startswith("data:image/png;base64,") for d in listing.values())


@pytest.mark.parametrize("body, status, words", [
    ({"model": MNIST_CNN, "dataset": "imagenet"}, 422, "no dataset 'imagenet'"),
    ({"model": {**MNIST_CNN, "input_shape": [32, 32, 3]}, "dataset": "mnist"}, 422,
     "MNIST images are (28, 28, 1); set the input to that"),
    ({"model": {**MNIST_CNN, "layers": MNIST_CNN["layers"][:-1]}, "dataset": "mnist"}, 422,
     "the last Dense has 64 units; MNIST has 10 classes: set units=10"),
    ({"model": {**MNIST_CNN, "layers": MNIST_CNN["layers"][:2]}, "dataset": "mnist"}, 422,
     "end with Flatten and Dense(units=10)"),
    ({"model": {**MNIST_CNN, "layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 40}]}, "dataset": "mnist"},
     422, "larger than its 28×28 input"),
    ({"model": MNIST_CNN, "dataset": "mnist", "epochs": 10_000}, 422, "CNN_MAX_EPOCHS"),
    ({"model": WIDE, "dataset": "mnist", "batch_size": 1024}, 413, "CNN_MAX_TRAIN_MEMORY_MB"),
    ({"model": MNIST_CNN, "dataset": "mnist", "optimizer": "magic"}, 422, "optimizer"),
])
def test_a_run_that_cannot_work_is_refused_before_anything_is_built(url, body, status, words):
    response = httpx.post(f"{url}/api/runs", json=body, timeout=30)
    assert response.status_code == status, response.text
    assert words in response.json()["message"]["en"] + json.dumps(response.json()["detail"])
    assert response.json()["message"]["ko"]


def test_the_walkthrough_cnn_learns_mnist_in_three_epochs_with_live_epochs_and_a_keras_file_that_scores_it(url):
    run = start(url, model=MNIST_CNN, dataset="mnist", epochs=3, batch_size=64, seed=1)
    assert run["status"] == "queued" and run["loss"]["from_logits"] is False
    status_at_first_epoch = []

    def watch(kind, _):
        if kind == "epoch" and not status_at_first_epoch:
            status_at_first_epoch.append(httpx.get(f"{url}/api/runs/{run['id']}", timeout=30).json()["status"])

    stream = events(url, run["id"], watch)
    assert status_at_first_epoch == ["running"]  # epochs arrive while it trains, not at the end
    kinds = [kind for kind, _, _ in stream]
    assert kinds.count("epoch") == 3 and kinds[-1] == "end" and "progress" in kinds
    done = finished(url, run["id"])
    assert done["status"] == "done" and [e["epoch"] for e in done["history"]] == [1, 2, 3]
    assert set(done["history"][0]) >= {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
    accuracy = done["results"]["test"]["accuracy"]
    assert accuracy >= 0.95
    confusion = done["results"]["confusion"]
    assert len(confusion) == 10 and sum(map(sum, confusion)) == 1996
    assert done["results"]["misclassified"] and len(done["results"]["per_class"]) == 10
    assert [kind for kind, _, _ in events(url, run["id"])] == kinds  # a late client gets the whole story
    resumed = events(url, run["id"], headers={"Last-Event-ID": str(stream[-3][2])})
    assert resumed == stream[-2:]  # and Last-Event-ID resumes after the last one seen
    assert scored_elsewhere(url, run["id"]) == pytest.approx(accuracy, abs=1e-4)


def scored_elsewhere(url: str, run_id: str) -> float:
    """Download the .keras file and score it on the same held-out digits in a fresh Python process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(httpx.get(f"{url}/api/runs/{run_id}/model.keras", timeout=60).content)
        code = ("import sys, keras; from app.config import get_settings; from app.datasets.registry import DATASETS, load; "
                "d = load(DATASETS['mnist'], get_settings().datasets_dir); m = keras.saving.load_model(sys.argv[1]); "
                "print(m.evaluate(d.x_test / 255.0, d.y_test, verbose=0, return_dict=True)['accuracy'])")
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300, check=True)
        return float(out.stdout.strip().splitlines()[-1])


def test_the_shapes_dataset_trains_and_the_trained_maps_differ_from_untrained_ones(url):
    run = start(url, model=SMALL_SHAPES_CNN, dataset="shapes", epochs=3, batch_size=32)
    done = finished(url, run["id"])
    assert done["status"] == "done" and len(done["history"]) == 3
    assert done["results"]["test"]["accuracy"] >= 0.6  # well past guessing (1/3) after three short epochs
    trained = httpx.post(f"{url}/api/featuremaps", data={"run_id": run["id"], "sample": "triangle"}, timeout=120)
    untrained = httpx.post(f"{url}/api/featuremaps", timeout=120,
                           data={"model": json.dumps(SMALL_SHAPES_CNN), "sample": "triangle", "seed": "1"})
    assert trained.status_code == untrained.status_code == 200, trained.text
    after, before = trained.json()["layers"][0]["kernels"], trained.json()["layers"][0]["kernels_before"]
    assert after["image"] != untrained.json()["layers"][0]["kernels"]["image"]
    assert before["image"] == untrained.json()["layers"][0]["kernels"]["image"]  # where training started (seed 1)


def test_a_frozen_layer_ends_training_with_the_weights_it_started_with(url):
    first, *rest = SMALL_SHAPES_CNN["layers"]
    run = start(url, model={**SMALL_SHAPES_CNN, "layers": [{**first, "trainable": False}, *rest]}, dataset="shapes",
                epochs=2, batch_size=32)
    done = finished(url, run["id"])
    assert done["status"] == "done", done
    maps = httpx.post(f"{url}/api/featuremaps", data={"run_id": run["id"], "sample": "circle"}, timeout=120)
    assert maps.status_code == 200, maps.text
    conv = maps.json()["layers"][0]
    assert conv["kernels"]["image"] == conv["kernels_before"]["image"]


RESIDUAL_SHAPES_CNN = {"input_shape": [24, 24, 3], "layers": [
    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same"},
    {"type": "Add", "inputs": ["conv2d", "conv2d_1"]}, {"type": "MaxPooling2D"},
    {"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}]}


def test_a_model_with_a_skip_connection_trains_and_its_file_is_that_graph(url, tmp_path):
    run = start(url, model=RESIDUAL_SHAPES_CNN, dataset="shapes", epochs=2, batch_size=32)
    done = finished(url, run["id"])
    assert done["status"] == "done" and done["results"]["test"]["accuracy"] > 0.34, done
    maps = httpx.post(f"{url}/api/featuremaps", data={"run_id": run["id"], "sample": "circle"}, timeout=120)
    assert maps.status_code == 200, maps.text
    assert [layer["name"] for layer in maps.json()["layers"]][2] == "add"
    path = tmp_path / "residual.keras"
    path.write_bytes(httpx.get(f"{url}/api/runs/{run['id']}/model.keras", timeout=60).content)
    script = ("import sys, keras; model = keras.saving.load_model(sys.argv[1]); "
              "print([node.operation.name for node in model.get_layer('add')._inbound_nodes[0].parent_nodes])")
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert out.stdout.strip().splitlines()[-1] == "['conv2d', 'conv2d_1']", out.stderr[-2000:]


def test_a_stopped_run_keeps_the_weights_it_reached(url):
    run = start(url, model=MNIST_CNN, dataset="fashion_mnist", epochs=20, batch_size=64)

    def stop_on_first_progress(kind, _):
        if kind == "progress" and not stop_on_first_progress.sent:
            stop_on_first_progress.sent = True
            assert httpx.post(f"{url}/api/runs/{run['id']}/stop", timeout=30).status_code == 200

    stop_on_first_progress.sent = False
    events(url, run["id"], stop_on_first_progress)
    done = finished(url, run["id"])
    assert done["status"] == "stopped" and len(done["history"]) < 20
    assert httpx.get(f"{url}/api/runs/{run['id']}/model.keras", timeout=60).status_code == 200


def test_a_server_killed_during_a_run_keeps_finished_runs_and_marks_the_running_one_interrupted():
    with tempfile.TemporaryDirectory() as data_dir:
        with serve_app(workers=0, data_dir=data_dir) as first:
            finished_run = start(first, model=SMALL_SHAPES_CNN, dataset="shapes", epochs=1)
            assert finished(first, finished_run["id"])["status"] == "done"
            long_run = start(first, model=MNIST_CNN, dataset="fashion_mnist", epochs=30)
            events_until_epoch(first, long_run["id"])
            kill_with_children(serve_app.process.pid)
        with serve_app(workers=0, data_dir=data_dir, run_stale_s=3) as second:
            interrupted = finished(second, long_run["id"])  # once its silence is longer than CNN_RUN_STALE_S
            kept = httpx.get(f"{second}/api/runs/{finished_run['id']}", timeout=30).json()
    assert interrupted["status"] == "interrupted" and len(interrupted["history"]) >= 1 and interrupted["error"]["en"]
    assert kept["status"] == "done" and kept["results"]["test"]["accuracy"] > 0


def test_a_server_stopped_while_a_browser_watches_a_run_ends_within_its_grace_and_interrupts_the_run_at_once():
    """Ctrl-C or a deploy (SIGTERM) while someone watches a run's events: the open stream would hold the server up
    until the run ended. The server ends after CNN_SHUTDOWN_GRACE_S, takes its training worker with it, and the run
    is interrupted then, not when another server notices its silence (CNN_RUN_STALE_S, an hour here)."""
    with tempfile.TemporaryDirectory() as data_dir:
        with serve_app(workers=0, data_dir=data_dir, shutdown_grace_s=1) as first:
            run = start(first, model=MNIST_CNN, dataset="fashion_mnist", epochs=30)
            watcher = threading.Thread(target=watch_quietly, args=(first, run["id"]), daemon=True)
            watcher.start()
            events_until_epoch(first, run["id"])
            server = serve_app.process
            workers = children_of(server.pid)
            server.terminate()
            server.wait(timeout=120)  # without the grace: until the 30 epochs end
        with serve_app(workers=0, data_dir=data_dir, run_stale_s=3600) as second:
            interrupted = httpx.get(f"{second}/api/runs/{run['id']}", timeout=30).json()
    assert workers and all(ended(pid) for pid in workers)
    assert interrupted["status"] == "interrupted" and "shut down" in interrupted["error"]["en"]
    assert 1 <= len(interrupted["history"]) < 30


def ended(pid: int, within_s: float = 30) -> bool:
    """Whether the process has exited (a zombie counts: orphans wait for whoever reaps them here)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.2)  # the resource tracker leaves once it sees its parent's pipe close
    return False


def watch_quietly(url: str, run_id: str) -> None:
    """A browser's event stream, open until the server goes away."""
    try:
        events(url, run_id)
    except httpx.HTTPError:
        pass


def events_until_epoch(url: str, run_id: str) -> None:
    with httpx.stream("GET", f"{url}/api/runs/{run_id}/events", timeout=TRAINED_S) as stream:
        for line in stream.iter_lines():
            if line == "event: epoch":
                return


def children_of(pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]


def kill_with_children(pid: int) -> None:
    """SIGKILL the server and, after it, the workers it can no longer stop (only processes this test started)."""
    children = children_of(pid)
    os.kill(pid, signal.SIGKILL)
    for child in children:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_the_same_request_and_seed_give_the_same_history(url):
    histories = []
    for _ in range(2):
        run = start(url, model=SMALL_SHAPES_CNN, dataset="shapes", epochs=2, batch_size=32, seed=7)
        done = finished(url, run["id"])
        histories.append([{k: v for k, v in epoch.items() if k != "seconds"} for epoch in done["history"]])
    assert histories[0] == histories[1] and len(histories[0]) == 2


def test_an_uploaded_zip_of_class_folders_trains_like_any_dataset(url):
    import io
    import zipfile

    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for label, colour in enumerate((30, 220)):  # dark squares and light squares
            for i in range(20):
                picture = io.BytesIO()
                Image.fromarray(np.full((20, 20, 3), colour + i, dtype=np.uint8)).save(picture, "PNG")
                archive.writestr(f"{('dark', 'light')[label]}/{i}.png", picture.getvalue())
    created = httpx.post(f"{url}/api/datasets", files={"file": ("mine.zip", buffer.getvalue(), "application/zip")},
                         data={"name": "Squares", "image_size": "16"}, timeout=60)
    assert created.status_code == 201, created.text
    model = {"input_shape": [16, 16, 3], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 2}]}
    run = start(url, model=model, dataset=created.json()["id"], epochs=2, batch_size=8)
    assert run["loss"]["from_logits"] is True  # no softmax at the end: the run says so
    done = finished(url, run["id"])
    assert done["status"] == "done" and done["results"]["test"]["accuracy"] >= 0.5


def test_a_training_worker_that_dies_fails_its_run_with_the_reason_and_the_next_run_works():
    with serve_app(workers=0) as base:  # the only TensorFlow worker is the trainer's
        run = start(base, model=MNIST_CNN, dataset="fashion_mnist", epochs=30)
        events_until_epoch(base, run["id"])
        trainers = [int(c) for task in Path(f"/proc/{serve_app.process.pid}/task").iterdir()
                    for c in (task / "children").read_text().split()
                    if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert len(trainers) == 1
        os.kill(trainers[0], signal.SIGKILL)
        failed = finished(base, run["id"])
        assert failed["status"] == "failed" and "SIGKILL" in failed["error"]["en"] and failed["error"]["ko"]
        assert len(failed["history"]) >= 1  # the epochs it completed are kept
        after = start(base, model=SMALL_SHAPES_CNN, dataset="shapes", epochs=1)
        assert finished(base, after["id"])["status"] == "done"
