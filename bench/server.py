"""A real uvicorn server for a benchmark: started on a free loopback port, stopped by its PID.

Shared by the benchmarks so each measures the same way: launch, wait for the first 200, optionally wait
until the TensorFlow worker processes have finished starting, and on the way out stop exactly the processes
this run started (the server, then any child that outlived it), printing the server's log if anything failed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.procfs import cpu_seconds, descendants, rss_kb
from bench.report import progress

ROOT = Path(__file__).resolve().parent.parent
SERVER_START_LIMIT_S = 30.0
WORKER_SETTLE_LIMIT_S = 90.0  # importing TensorFlow in the server's worker takes seconds; bound the wait

# Sends one request on the client and returns its response; the server counts as up once this is a 200.
Probe = Callable[[httpx.Client], httpx.Response]


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, log, env: dict[str, str] | None = None) -> subprocess.Popen:
    # No access log: we measure the app, and a log line per request would be measured too.
    command = [sys.executable, "-m", "app.server", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})


def wait_for_first_answer(server: subprocess.Popen, base_url: str, probe: Probe) -> None:
    """Poll with `probe` until it answers 200; fail fast if the server dies."""
    deadline = time.monotonic() + SERVER_START_LIMIT_S
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"uvicorn exited with code {server.returncode} before answering")
            try:
                if probe(client).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.005)
    raise RuntimeError(f"uvicorn did not answer within {SERVER_START_LIMIT_S:.0f} s")


def children_cpu(server_pid: int) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in descendants(server_pid)}


def cpu_used_since(before: dict[int, float], now: dict[int, float]) -> float:
    """CPU the children used between two readings; a child that appeared counts whole, one that left not at all
    (summing totals instead would go negative when a worker is replaced)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())


def wait_for_quiet_children(server_pid: int, quiet_cpu_s: float = 0.02, window_s: float = 0.5,
                            poll_s: float = 0.05) -> float | None:
    """Wait until the server's child processes (its TensorFlow workers) stop using CPU, so their start-up does
    not compete with the load on a small machine.

    Returns the time.perf_counter() at which they last used CPU, i.e. when they went idle (to within `poll_s`,
    or one clock tick of background noise later), or None if they were still busy at the limit."""
    deadline = time.perf_counter() + WORKER_SETTLE_LIMIT_S
    last_busy = window_start = time.perf_counter()
    previous = window_reading = children_cpu(server_pid)
    while time.perf_counter() < deadline:
        time.sleep(poll_s)
        now, reading = time.perf_counter(), children_cpu(server_pid)
        if cpu_used_since(previous, reading) > 0:
            last_busy = now
        previous = reading
        if now - window_start >= window_s:
            if cpu_used_since(window_reading, reading) < quiet_cpu_s:
                return last_busy
            window_start, window_reading = now, reading
    return None


def stop_server(server: subprocess.Popen, children: list[int]) -> None:
    """Stop exactly the process we started, by its PID: SIGTERM (uvicorn then stops its workers), SIGKILL if it
    lingers. Children it left behind are reported, and ended by their own PIDs."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    time.sleep(0.5)
    for pid in children:
        if rss_kb(pid):  # still there
            progress(f"server child {pid} outlived the server; stopping it")
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


@dataclass
class Server:
    """A running server as the benchmark sees it."""

    process: subprocess.Popen
    port: int
    launched: float  # time.perf_counter() just before the launch
    first_answer_s: float = 0.0  # from launch to the probe's first 200

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def children(self) -> list[int]:
        return descendants(self.pid)


@contextmanager
def running_server(probe: Probe, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A uvicorn server that has answered `probe` with a 200; stopped (with its children) when the block ends.
    `env` adds to this process's environment, e.g. {"CNN_WORKERS": "1"}."""
    port = free_loopback_port()
    with tempfile.TemporaryFile() as log:
        progress(f"starting uvicorn on 127.0.0.1:{port}")
        launched = time.perf_counter()
        server = Server(start_server(port, log, env), port, launched)
        children: list[int] = []
        try:
            wait_for_first_answer(server.process, server.base_url, probe)
            server.first_answer_s = time.perf_counter() - launched
            yield server
            children = server.children()
        except BaseException:
            children = server.children()
            log.seek(0)
            sys.stderr.write("--- uvicorn output ---\n" + log.read().decode(errors="replace")[-3000:] + "\n")
            raise
        finally:
            stop_server(server.process, children)


# --- requests one at a time, with the server's work behind each --------------------------------------------------

@dataclass
class RequestTimes:
    """Latencies of requests sent one at a time, and the CPU each side spent on them.

    A request that is the first after the server replaced a child process (a worker recycled after its job
    limit) waits for the new worker to start; it is kept apart in `after_replacement_s`, and the CPU totals
    cover only the steady requests, so the two kinds of figures do not blur each other."""

    steady_s: list[float] = field(default_factory=list)
    after_replacement_s: list[float] = field(default_factory=list)
    web_cpu_s: float = 0.0  # totals over the steady requests
    children_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    children_seen: list[int] = field(default_factory=list)  # every child PID seen, in order

    @property
    def done(self) -> int:
        return len(self.steady_s) + len(self.after_replacement_s)

    def per_steady_request(self, total_s: float) -> float:
        return total_s / max(1, len(self.steady_s))


def time_requests(server: Server, send: Callable[[int], object], count: int, limit_s: float,
                  after_each: Callable[[], None] | None = None) -> RequestTimes:
    """Call send(0), send(1), ... one at a time, `count` times or until `limit_s` has passed; `after_each` runs
    outside the timing (e.g. to sample memory)."""
    times = RequestTimes()
    children = children_cpu(server.pid)
    times.children_seen.extend(children)
    deadline = time.perf_counter() + limit_s
    replaced = False
    for index in range(count):
        if time.perf_counter() > deadline:
            break
        web, client, started = cpu_seconds(server.pid), time.process_time(), time.perf_counter()
        send(index)
        elapsed, client_cpu = time.perf_counter() - started, time.process_time() - client
        now = children_cpu(server.pid)
        if replaced:
            times.after_replacement_s.append(elapsed)
        else:
            times.steady_s.append(elapsed)
            times.web_cpu_s += cpu_seconds(server.pid) - web
            times.children_cpu_s += cpu_used_since(children, now)
            times.client_cpu_s += client_cpu
        # The pool replaces a worker as it hands back the answer, so the *next* request is the one that waits.
        replaced = bool(set(now) - set(children))
        times.children_seen.extend(pid for pid in now if pid not in times.children_seen)
        children = now
        if after_each:
            after_each()
    return times
