"""The real server in a subprocess (``python -m app.server``) on a free loopback port, for tests that need
real connections: the browser tests and the connection/hardening tests. Stopped by its PID at the end."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER_START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)  # polling the port while the server starts
    raise RuntimeError(f"the server did not answer {url} within {SERVER_START_TIMEOUT_S} s")


@contextmanager
def serve_app(workers: int, **settings):
    """Yield the server's URL; `settings` become CNN_* variables, e.g. header_timeout_s=1. The process is
    reachable as ``serve_app.process`` meanwhile (its PID, for memory and children).

    Each server trains (one training worker) in a data directory of its own unless one is given: servers of
    parallel tests sharing a run store would train each other's runs."""
    with tempfile.TemporaryDirectory(prefix="cnn-blocks-server-") as own_dir:
        settings = {"data_dir": own_dir, "training_workers": 1, **settings}
        with _serve(workers, settings) as url:
            yield url


@contextmanager
def _serve(workers: int, settings: dict):
    port = free_port()
    env = {**os.environ, "CNN_WORKERS": str(workers),
           **{f"CNN_{name.upper()}": str(value) for name, value in settings.items()}}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.server", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    serve_app.process = process
    try:
        _wait_until_answering(f"{url}/api/layers", process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def read_events(lines, on_event=None) -> list[tuple[str, dict, int]]:
    """Server-Sent Events as (kind, data, id), from a stream's lines until it ends; `on_event(kind, data)` is told
    each one as it arrives."""
    seen, fields = [], {}
    for line in lines:
        if line:  # "field: value" lines until a blank line ends the event, in whatever order they come
            name, _, value = line.partition(": ")
            fields[name] = value
            continue
        if "data" in fields:
            seen.append((fields.get("event"), json.loads(fields["data"]), int(fields.get("id", 0))))
            if on_event:
                on_event(*seen[-1][:2])
        fields = {}
    return seen
