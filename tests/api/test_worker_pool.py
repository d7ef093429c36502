"""The worker pool cannot wedge: failed starts are retried, crashes are explained, retirements are warm.

Real worker processes running real TensorFlow, behind the app in a TestClient."""

import json
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.jobs import pool as pool_module
from app.main import create_app

pytestmark = pytest.mark.keras  # starts TensorFlow workers

SMALL = {"input_shape": [16, 16, 3], "layers": [{"type": "Conv2D", "filters": 4, "kernel_size": 3}]}
# About a second of work per request here: long enough to kill its worker mid-job.
SLOW = {"input_shape": [384, 384, 3], "layers": [
    {"type": "Conv2D", "filters": 64, "kernel_size": 3, "padding": "same"},
    {"type": "Conv2D", "filters": 64, "kernel_size": 3, "padding": "same"},
    {"type": "Conv2D", "filters": 64, "kernel_size": 3, "padding": "same"}]}
START_S = 90  # a worker importing TensorFlow on a busy 2-core machine


def post(client, model=SMALL):
    return client.post("/api/featuremaps", data={"model": json.dumps(model), "sample": "circle"})


def until_ok(client, seconds=START_S):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = post(client)
        if response.status_code == 200:
            return response
        time.sleep(0.2)  # the pool retries in the background; poll it like a patient user
    raise AssertionError(f"no 200 within {seconds} s; last: {response.status_code} {response.text}")


def live_workers() -> list:
    return [child for child in multiprocessing.active_children() if child.name == "cnn-blocks-worker"]


def test_a_worker_that_cannot_start_is_reported_retried_and_the_pool_recovers_by_itself(monkeypatch):
    real_worker, failing = pool_module.Worker, threading.Event()

    def worker_or_no_descriptors(settings):
        if failing.is_set():
            raise OSError(24, "Too many open files")
        return real_worker(settings)

    monkeypatch.setattr(pool_module, "Worker", worker_or_no_descriptors)
    with TestClient(create_app(Settings(workers=1, worker_restart_backoff_s=0.2))) as client:
        until_ok(client)
        failing.set()
        worker = client.app.state.workers.workers[0]
        os.kill(worker.pid, signal.SIGKILL)
        worker.process.join(timeout=10)
        refused = post(client)
        assert refused.status_code == 503 and "Too many open files" in refused.json()["message"]["en"]
        assert int(refused.headers["Retry-After"]) >= 1
        assert post(client).status_code == 503  # still refused at once, not a wait for the job timeout
        failing.clear()
        until_ok(client)  # no request needed to restart it: the backoff timer did
        assert len(live_workers()) == 1  # nothing of the dead worker or the failed starts is left running


def test_a_worker_killed_mid_job_says_how_it_died_and_is_replaced():
    with TestClient(create_app(Settings(workers=1))) as client:
        until_ok(client)
        pool = client.app.state.workers
        worker, answers = pool.workers[0], []
        thread = threading.Thread(target=lambda: answers.append(post(client, SLOW)))
        thread.start()
        while worker.jobs < 2 and thread.is_alive():
            time.sleep(0.01)  # until the slow job is in the worker's hands
        time.sleep(0.2)
        os.kill(worker.pid, signal.SIGKILL)
        thread.join(timeout=60)
        assert answers[0].status_code == 503
        message = answers[0].json()["message"]
        assert "SIGKILL" in message["en"] and "None" not in message["en"] and "SIGKILL" in message["ko"]
        until_ok(client)
        assert pool.workers[0].pid != worker.pid


def test_a_retiring_worker_hands_over_to_a_successor_that_has_already_loaded():
    jobs_before_retiring = pool_module.SUCCESSOR_LEAD + 5  # the successor starts loading after 5 jobs
    with TestClient(create_app(Settings(workers=1, worker_max_jobs=jobs_before_retiring))) as client:
        until_ok(client)
        pool = client.app.state.workers
        first = pool.workers[0].pid
        deadline = time.monotonic() + START_S
        while pool.workers[0].pid == first and time.monotonic() < deadline:
            assert post(client).status_code == 200
            time.sleep(0.05)
        assert pool.workers[0].pid != first, "the worker was never retired"
        assert post(client).status_code == 200
        assert pool.cold_jobs == 1  # only the very first job waited for TensorFlow to load
        assert len(live_workers()) == 1


def test_a_caller_who_leaves_while_the_worker_loads_tensorflow_does_not_kill_it():
    import asyncio

    async def leave_early_then_ask_again():
        pool = pool_module.WorkerPool(Settings(workers=1))
        pool.start()
        try:
            starting = pool.workers[0]
            job = asyncio.ensure_future(pool.run("featuremaps", {}))
            await asyncio.sleep(0.5)  # TensorFlow is still importing
            job.cancel()
            await asyncio.gather(job, return_exceptions=True)
            assert starting.alive() and pool.workers[0] is starting
            await starting.wait_ready()  # and it goes on to load
            return starting.ready
        finally:
            pool.close()

    # A fresh thread, so a loop another test left running in this one (Playwright's) cannot interfere.
    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, leave_early_then_ask_again()).result()
