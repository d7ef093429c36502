"""POST /api/export format=keras and a run's training code, on the real server with real workers: the untrained
.keras file loads in another process with our parameter count and is the same for the same seed; a run's file is
the run's own; a model opened with weights comes back with those weights; a run's exported training code compiles
and says what the run did. (The code itself is not run to the end: keras.datasets downloads MNIST, and this
machine has no internet.)"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from live_server import ROOT, serve_app

from app.runs.checks import MNIST_CNN

RESIDUAL = {"input_shape": [24, 24, 3], "layers": [
    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same"},
    {"type": "Add", "inputs": ["conv2d", "conv2d_1"]}, {"type": "MaxPooling2D"},
    {"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}]}
LOGITS_MNIST = {**MNIST_CNN, "layers": [*MNIST_CNN["layers"][:-1], {"type": "Dense", "units": 10}]}
LOADER = """
import json, sys
import numpy as np, keras
out = []
for path in sys.argv[1:]:
    model = keras.saving.load_model(path)
    out.append({"params": model.count_params(), "names": [layer.name for layer in model.layers],
                "weights": [w.tolist() for w in model.get_weights()[:2]]})
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def url():
    with serve_app(workers=1) as base:
        yield base


def export(url: str, **body) -> httpx.Response:
    return httpx.post(f"{url}/api/export", json=body, timeout=300)


def load_elsewhere(*paths: Path) -> list[dict]:
    done = subprocess.run([sys.executable, "-c", LOADER, *map(str, paths)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def finished(url: str, run_id: str) -> dict:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        run = httpx.get(f"{url}/api/runs/{run_id}", timeout=30).json()
        if run["status"] in ("done", "stopped", "failed", "interrupted"):
            return run
        time.sleep(0.5)  # polling a run the worker is training
    raise AssertionError(f"run {run_id} did not finish")


def test_an_untrained_keras_file_loads_elsewhere_with_our_count_and_the_same_weights_for_the_same_seed(url, tmp_path):
    paths = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        response = export(url, model=RESIDUAL, format="keras", seed=seed)
        assert response.status_code == 200, response.text
        assert response.headers["content-disposition"] == 'attachment; filename="model.keras"'
        paths.append(tmp_path / f"{name}.keras")
        paths[-1].write_bytes(response.content)
    a, b, c = load_elsewhere(*paths)
    shapes = httpx.post(f"{url}/api/shapes", json=RESIDUAL, timeout=30).json()
    assert a["params"] == shapes["total_params"] == c["params"]
    assert a["names"] == ["input_layer", "conv2d", "conv2d_1", "add", "max_pooling2d", "flatten", "dense"]
    assert a["weights"] == b["weights"] and a["weights"] != c["weights"]
    # Round trip: blocks -> .keras -> POST /api/import -> the same blocks (rows, connections, totals).
    opened = httpx.post(f"{url}/api/import", files={"file": ("a.keras", paths[0].read_bytes())}, timeout=60)
    assert opened.status_code == 200, opened.text

    def rows(answer: dict) -> list[tuple]:
        return [(r["name"], r["type"], r["output_shape"], r["params"], r["inputs"]) for r in answer["layers"]]

    assert rows(opened.json()["shapes"]) == rows(shapes)
    assert opened.json()["shapes"]["total_params"] == shapes["total_params"]


def test_a_runs_file_is_the_runs_own_and_its_code_compiles_and_says_what_the_run_did(url, tmp_path):
    body = {"model": RESIDUAL, "dataset": "shapes", "epochs": 1, "batch_size": 32, "optimizer": "rmsprop",
            "learning_rate": 0.002, "validation_split": 0.25, "seed": 5,
            "augment": {"flip": True, "rotation": 0.1, "zoom": 0.0, "translation": 0.05}}
    run = httpx.post(f"{url}/api/runs", json=body, timeout=30).json()
    assert finished(url, run["id"])["status"] == "done"
    keras_file = export(url, format="keras", run_id=run["id"])
    assert keras_file.status_code == 200
    assert keras_file.content == httpx.get(f"{url}/api/runs/{run['id']}/model.keras", timeout=60).content
    code = export(url, format="python", run_id=run["id"]).text
    path = tmp_path / "train.py"
    path.write_text(code)
    subprocess.run([sys.executable, "-m", "py_compile", str(path)], check=True)
    calls = called(code)
    assert calls["keras.utils.set_random_seed"] == ["5"]
    assert calls["keras.utils.image_dataset_from_directory"][0] == (
        "'shapes/train', image_size=(24, 24), color_mode='rgb', batch_size=32, "
        "class_names=['circle', 'triangle', 'rectangle'], validation_split=0.25, subset='both', seed=5")
    assert calls["keras.optimizers.RMSprop"] == ["learning_rate=0.002"]
    assert calls["keras.losses.SparseCategoricalCrossentropy"][0] == "from_logits=False"
    assert calls["layers.RandomFlip"] == ["'horizontal'"] and calls["layers.RandomRotation"] == ["0.1"]
    assert calls["layers.RandomTranslation"] == ["0.05, 0.05"] and "layers.RandomZoom" not in calls
    assert calls["trainer.fit"] == ["train_ds, epochs=1, validation_data=val_ds"]
    assert calls["model.evaluate"] == ["test_ds"] and calls["model.save"] == ["'model.keras'"]
    drawing = export(url, format="svg", run_id=run["id"]).text
    assert "Trained on Hand-drawn shapes: 1 epoch, test accuracy" in drawing


def test_an_mnist_run_without_softmax_is_trained_from_logits_on_keras_datasets(url, tmp_path):
    run = httpx.post(f"{url}/api/runs", json={"model": LOGITS_MNIST, "dataset": "mnist", "epochs": 1, "seed": 2},
                     timeout=30).json()
    assert finished(url, run["id"])["status"] == "done"
    code = export(url, format="python", run_id=run["id"], lang="ko").text
    compile(code, "train.py", "exec")
    calls = called(code)
    assert calls["keras.datasets.mnist.load_data"] == [""]
    assert calls["keras.losses.SparseCategoricalCrossentropy"] == ["from_logits=True"]
    assert calls["keras.optimizers.Adam"] == ["learning_rate=0.001"]
    assert calls["model.fit"] == ["x_train, y_train, epochs=1, batch_size=64, validation_split=0.2, shuffle=True"]
    assert "x_train = x_train.reshape((-1, 28, 28, 1)).astype(\"float32\") / 255.0" in code
    assert "# 정수 레이블; 마지막 레이어에 softmax가 없어 출력이 로짓입니다." in code


def test_a_model_opened_with_weights_comes_back_with_them(url, tmp_path):
    original = tmp_path / "original.keras"
    script = ("import sys, keras; keras.utils.set_random_seed(9); m = keras.Sequential([keras.Input((8, 8, 3)), "
              "keras.layers.Conv2D(4, 3, name='c'), keras.layers.Flatten(name='f'), keras.layers.Dense(2, name='d')]); "
              "m.save(sys.argv[1])")
    subprocess.run([sys.executable, "-c", script, str(original)], check=True, timeout=300,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    opened = httpx.post(f"{url}/api/import", files={"file": ("original.keras", original.read_bytes())}, timeout=60).json()
    response = export(url, format="keras", run_id=opened["run_id"])
    assert response.status_code == 200, response.text
    (tmp_path / "back.keras").write_bytes(response.content)
    first, back = load_elsewhere(original, tmp_path / "back.keras")
    assert back["weights"] == first["weights"] and back["names"] == first["names"]
    code = export(url, format="python", run_id=opened["run_id"]).text
    assert code.endswith('model.load_weights("original.keras")\n')


def called(code: str) -> dict[str, list[str]]:
    """Each call in the code by its dotted name, with its arguments as written: what the script will do."""
    out: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call):
            args = [ast.unparse(a) for a in node.args] + [ast.unparse(k) for k in node.keywords]
            out.setdefault(ast.unparse(node.func), []).append(", ".join(args))
    return out


def test_a_worker_on_another_machine_sends_the_file_back_as_bytes(tmp_path):
    from app.config import Settings
    from app.tf.export import run

    payload = {"model": RESIDUAL, "seed": 3, "settings": Settings().model_dump(), "path": None, "weights": None}
    answer = run(payload)
    (tmp_path / "bytes.keras").write_bytes(answer["content"])
    assert answer["size"] == len(answer["content"])
    (loaded,) = load_elsewhere(tmp_path / "bytes.keras")
    assert loaded["names"][1:] == ["conv2d", "conv2d_1", "add", "max_pooling2d", "flatten", "dense"]
