"""Two web processes behind one port (``uvicorn app.main:app --workers 2``) serve the same runs, on SQLite and on
PostgreSQL: a run started through one is listed by both, streamed and stopped through the other while the first
trains it, and ends stopped. Every answer names the process that gave it (``X-Served-By: <pid>@<host>``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from live_server import ROOT, free_port, read_events
from postgres_server import postgres_server

pytestmark = pytest.mark.keras

SMALL_SHAPES_CNN = {"input_shape": [24, 24, 3], "layers": [
    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"}, {"type": "MaxPooling2D"},
    {"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}]}
LONG_RUN = {"model": SMALL_SHAPES_CNN, "dataset": "shapes", "epochs": 50, "batch_size": 8}
START_S = 90
TRAIN_START_S = 240  # the training worker imports TensorFlow first
ATTEMPTS = 3
KEEP_CONNECTIONS = httpx.Limits(keepalive_expiry=600)  # httpx closes idle ones after 5 s; uvicorn after 120 s here


@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request, tmp_path) -> dict:
    settings = {"CNN_DATA_DIR": str(tmp_path)}  # the weights; and the SQLite store unless a database is named
    if request.param == "postgresql":
        settings["CNN_DATABASE_URL"] = request.getfixturevalue("postgres").create_database()
    return settings


class WebProcesses:
    """``uvicorn --workers 2`` on one loopback port; clients pinned to one process by their kept-alive connection."""

    def __init__(self, process: subprocess.Popen, url: str):
        self.process, self.url = process, url
        self.clients: list[httpx.Client] = []

    def client_on(self, pid: int | None = None, avoid: int | None = None) -> tuple[httpx.Client, int]:
        """A client whose connection is served by process ``pid`` (any but ``avoid`` if None): the kernel hands
        each new connection to one process or the other, so open connections until one lands right."""
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            client = httpx.Client(base_url=self.url, timeout=60, limits=KEEP_CONNECTIONS)
            self.clients.append(client)
            try:
                answered = served_by(client.get("/api/runs"))
            except httpx.TransportError:
                client.close()
                time.sleep(0.2)  # still starting
                continue
            if (pid is None or answered == pid) and answered != avoid:
                return client, answered
            client.close()
        raise AssertionError(f"no connection reached process {pid or f'other than {avoid}'} in {START_S} s")

    def web_pids(self) -> list[int]:
        """uvicorn's workers (its other child is multiprocessing's resource tracker)."""
        return spawned(self.process.pid)

    def trainer_pid(self) -> int:
        """The web process whose trainer has a TensorFlow worker (only one has trained in this server's life)."""
        deadline = time.monotonic() + TRAIN_START_S
        while time.monotonic() < deadline:
            trainers = [pid for pid in self.web_pids() if spawned(pid)]
            if trainers:
                assert len(trainers) == 1, trainers
                return trainers[0]
            time.sleep(0.2)  # polling the process tree while the run is claimed
        raise AssertionError(f"no web process started a training worker in {TRAIN_START_S} s")


@contextmanager
def two_web_processes(settings: dict):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "CNN_DATABASE_URL"}
    env.update({"CNN_WORKERS": "0", "CNN_TRAINING_WORKERS": "1", **settings})  # no feature-map workers: one trainer each
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--workers", "2", "--host", "127.0.0.1", "--port", str(port),
         "--timeout-keep-alive", "120", "--log-level", "warning"], cwd=ROOT, env=env)
    server = WebProcesses(process, f"http://127.0.0.1:{port}")
    try:
        yield server
    finally:
        for client in server.clients:
            client.close()
        tree = set(descendants(process.pid))
        process.terminate()  # uvicorn stops its workers, and each its trainer's TensorFlow worker
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid in tree:  # whatever outlived the supervisor: only processes this test started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def served_by(response: httpx.Response) -> int:
    pid, _, host = response.headers["x-served-by"].partition("@")
    assert host
    return int(pid)


def children(pid: int) -> list[int]:
    try:
        return [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    except FileNotFoundError:
        return []


def descendants(pid: int) -> list[int]:
    return [d for c in children(pid) for d in (c, *descendants(c))]


def spawned(pid: int) -> list[int]:
    """The children that multiprocessing started with its spawn method (uvicorn's workers, TensorFlow workers)."""
    def is_spawned(child: int) -> bool:
        try:
            return b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            return False

    return [child for child in children(pid) if is_spawned(child)]


def stream(client: httpx.Client, run_id: str, on_event=None, headers=None) -> tuple[list[tuple[str, dict, int]], int]:
    """The run's events until its stream ends, and the process that streamed them."""
    with client.stream("GET", f"/api/runs/{run_id}/events", headers=headers, timeout=TRAIN_START_S) as response:
        assert response.status_code == 200
        seen = read_events(response.iter_lines(), on_event)
    return seen, served_by(response)


def test_a_run_started_through_one_web_process_is_listed_streamed_and_stopped_through_the_other(store_settings):
    for _ in range(ATTEMPTS):
        with two_web_processes(store_settings) as server:
            if started_here_streamed_and_stopped_there(server):
                return
    raise AssertionError(f"in {ATTEMPTS} tries the process a run was started through never trained it")


def started_here_streamed_and_stopped_there(server: WebProcesses) -> bool:
    """False when the process the run was started through did not train it (its poke lost to the other process's
    poll, about 1 in 100): then there is nothing to prove with this server."""
    starter, starter_pid = server.client_on()
    started = starter.post("/api/runs", json=LONG_RUN)
    assert started.status_code == 202, started.text
    assert served_by(started) == starter_pid
    run_id = started.json()["id"]
    if server.trainer_pid() != starter_pid:
        starter.post(f"/api/runs/{run_id}/stop")
        return False
    other, other_pid = server.client_on(avoid=starter_pid)
    assert sorted(server.web_pids()) == sorted([starter_pid, other_pid])  # two workers of one uvicorn

    listed = [other.get("/api/runs"), starter.get("/api/runs")]
    assert [served_by(answer) for answer in listed] == [other_pid, starter_pid]
    assert all(run_id in [run["id"] for run in answer.json()["runs"]] for answer in listed)

    stops = []

    def stop_on_first_progress(kind, _):
        if kind == "progress" and not stops:  # on a connection of its own: the other one carries the stream
            stopper, _ = server.client_on(other_pid)
            stops.append(stopper.post(f"/api/runs/{run_id}/stop"))

    events, streamer_pid = stream(other, run_id, stop_on_first_progress)
    assert streamer_pid == other_pid and [served_by(stop) for stop in stops] == [other_pid]
    assert stops[0].status_code == 200 and stops[0].json()["status"] == "running"  # it stops after its batch
    kinds = [kind for kind, _, _ in events]
    assert "progress" in kinds and kinds[-1] == "end" and events[-1][1]["status"] == "stopped"
    assert kinds.count("epoch") < LONG_RUN["epochs"]

    ended = [other.get(f"/api/runs/{run_id}"), starter.get(f"/api/runs/{run_id}")]
    assert [served_by(answer) for answer in ended] == [other_pid, starter_pid]
    assert [answer.json()["status"] for answer in ended] == ["stopped", "stopped"]
    resumed, _ = stream(other, run_id, headers={"Last-Event-ID": str(events[-3][2])})
    assert resumed == events[-2:]
    assert server.trainer_pid() == starter_pid != other_pid  # trained by the first, stopped through the other
    return True
