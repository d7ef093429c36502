"""The TensorFlow jobs on a real Ray cluster of two nodes on this machine (tests/ray_cluster.py: `ray start
--head` and `ray start --address`, loopback only): feature maps and training through the app, each answer naming
the node that ran it; a node killed while it trains a run fails that run with the reason, and the next jobs work;
jobs over their time limit are killed. One cluster for the module: a node takes 10-20 s to start."""

from __future__ import annotations

import json
import os
import tempfile
import time

import httpx
import pytest
from live_server import serve_app
from ray_cluster import RAY_ENV, ray_cluster
from test_runs import SMALL_SHAPES_CNN, events, finished, start

pytestmark = [pytest.mark.keras, pytest.mark.ray]

SMALL = {"input_shape": [16, 16, 3], "layers": [{"type": "Conv2D", "filters": 4, "kernel_size": 3}]}
READY_S = 300  # actors import TensorFlow as they start: slow on a busy 2-core machine


@pytest.fixture(scope="module")
def cluster():
    with pytest.MonkeyPatch.context() as patch:
        for name, value in RAY_ENV.items():  # for the servers and the in-process app that join it
            patch.setenv(name, value)
        with ray_cluster(nodes=2) as running:
            yield running


@pytest.fixture(scope="module")
def url(cluster):
    # Two feature-map actors and two training runs at once: with one CPU per node, one run per node.
    with serve_app(workers=2, training_workers=2, ray_address=cluster.address, job_timeout_s=READY_S,
                   worker_start_timeout_s=READY_S) as base:
        yield base


def maps(url: str, model=SMALL, seed: int = 0, **data) -> httpx.Response:
    form = {"model": json.dumps(model), "sample": "circle", "seed": str(seed)} if model else {"sample": "circle"}
    return httpx.post(f"{url}/api/featuremaps", data={**form, **data}, timeout=READY_S)


def running_on_a_node(url: str, run_id: str) -> dict:
    """The run once its task has started on a node and said which (its first write to the store)."""
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        run = httpx.get(f"{url}/api/runs/{run_id}", timeout=30).json()
        if run["node"] and run["progress"]:
            return run
        assert run["status"] in ("queued", "running"), run
        time.sleep(0.5)  # the task imports TensorFlow, then trains
    raise AssertionError(f"run {run_id} did not start training on a node in {READY_S} s")


def test_feature_maps_run_in_actors_on_the_cluster_and_say_which_node(cluster, url):
    ids = {node.node_id for node in cluster.nodes}
    first = maps(url)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["engine"] == "ray" and body["node"] in ids and body["worker_pid"] > 0
    assert [layer["name"] for layer in body["layers"]] == ["conv2d"] and body["layers"][0]["image"].startswith("data:")
    again = maps(url).json()  # the same model goes to the same actor, whose cache holds it
    assert (again["node"], again["worker_pid"]) == (body["node"], body["worker_pid"])
    assert again["layers"] == body["layers"]  # and the same seed gives the same maps


def test_a_short_training_runs_as_a_task_on_a_node_and_its_weights_draw_maps(cluster, url):
    run = start(url, model=SMALL_SHAPES_CNN, dataset="shapes", epochs=2, batch_size=32)
    kinds = [kind for kind, _, _ in events(url, run["id"])]
    done = finished(url, run["id"])
    assert done["status"] == "done" and len(done["history"]) == 2, done
    assert kinds.count("epoch") == 2 and kinds[-1] == "end"  # progress streamed back through the run store
    assert done["engine"] == "ray" and done["node"] in {node.node_id for node in cluster.nodes}
    assert done["results"]["test"]["accuracy"] > 0.34  # better than guessing among 3 shapes
    trained = httpx.post(f"{url}/api/featuremaps", data={"run_id": run["id"], "sample": "triangle"}, timeout=READY_S)
    assert trained.status_code == 200 and trained.json()["engine"] == "ray", trained.text
    assert "kernels_before" in trained.json()["layers"][0]  # its weights file, read by an actor, on a shared dir


def test_a_node_that_dies_fails_the_run_it_trains_with_the_reason_and_the_next_jobs_work(cluster, url):
    head, worker = cluster.nodes
    seeds = {}  # which seed's model each node's actor answers (the same model always goes to the same actor)
    for seed in range(12):
        seeds.setdefault(maps(url, seed=seed).json()["node"], seed)
    assert set(seeds) == {head.node_id, worker.node_id}  # the two actors were spread over the two nodes
    # One CPU per node and a CPU per run: the second run has to go to the node the first one left free.
    runs = [start(url, model=SMALL_SHAPES_CNN, dataset="shapes", epochs=50, batch_size=8) for _ in range(2)]
    placed = {running_on_a_node(url, run["id"])["node"]: run["id"] for run in runs}
    assert set(placed) == {head.node_id, worker.node_id}, placed

    worker.kill()
    failed = finished(url, placed[worker.node_id])
    assert failed["status"] == "failed", failed
    assert "the node running it died" in failed["error"]["en"] and worker.node_id[:12] in failed["error"]["en"]
    assert "노드" in failed["error"]["ko"]
    assert httpx.post(f"{url}/api/runs/{placed[head.node_id]}/stop", timeout=30).status_code == 200
    assert finished(url, placed[head.node_id])["status"] == "stopped"  # the other node's run went on till stopped

    # That model's actor died with the node: the job is run once more, on the other actor, and answered.
    retried = maps(url, seed=seeds[worker.node_id])
    assert retried.status_code == 200 and retried.json()["node"] == head.node_id, retried.text
    after = maps(url, seed=99)
    assert after.status_code == 200 and after.json()["node"] == head.node_id, after.text
    next_run = start(url, model=SMALL_SHAPES_CNN, dataset="shapes", epochs=1, batch_size=32)
    done = finished(url, next_run["id"])
    assert done["status"] == "done" and done["node"] == head.node_id, done


def test_jobs_over_their_time_limit_are_killed_a_504_or_a_failed_run_and_the_next_job_works(cluster):
    """In this process, so that the limits can change between requests (the app reads its settings per job)."""
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(ray_address=cluster.address, workers=1, training_workers=1, data_dir=data_dir,
                            job_timeout_s=READY_S, worker_start_timeout_s=READY_S, max_train_s=READY_S)
        try:
            with TestClient(create_app(settings)) as client:
                def post(seed: int = 0):
                    return client.post("/api/featuremaps", data={"model": json.dumps(SMALL), "sample": "circle",
                                                                 "seed": str(seed)})

                first = post()
                assert first.status_code == 200, first.text
                settings.job_timeout_s = 0.01
                late = post(seed=1)  # a model the actor has not built yet: far more than 10 ms of work
                assert late.status_code == 504 and "CNN_JOB_TIMEOUT_S" in late.json()["message"]["en"], late.text
                assert gone(first.json()["worker_pid"])  # the actor was killed, not left running the job
                settings.job_timeout_s = READY_S
                again = post()
                assert again.status_code == 200 and again.json()["worker_pid"] != first.json()["worker_pid"]

                settings.max_train_s = 20.0
                run = client.post("/api/runs", json={"model": SMALL_SHAPES_CNN, "dataset": "shapes", "epochs": 50,
                                                     "batch_size": 8}).json()
                over = until_final(client, run["id"])
                assert over["status"] == "failed" and "CNN_MAX_TRAIN_S" in over["error"]["en"], over
                if over["worker_pid"]:  # it had started training: its process was killed with it
                    assert gone(over["worker_pid"])
        finally:
            import ray

            ray.shutdown()  # this process leaves the cluster


def gone(pid: int, within_s: float = 30) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)  # Ray kills it a moment after it is told
    return False


def until_final(client, run_id: str) -> dict:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["status"] in ("done", "stopped", "failed", "interrupted"):
            return run
        time.sleep(0.5)  # the trainer works in the app's loop meanwhile
    raise AssertionError(f"run {run_id} did not end in {READY_S} s")
