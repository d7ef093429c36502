"""Feature maps per second and training samples/s on the local backend, on one Ray node and on two, from one run.

    .venv/bin/python bench/scale.py            # a few minutes on 2 quiet cores
    .venv/bin/python bench/scale.py --quick    # a smoke run

Each column is a real server (bench/server.py, CNN_DATA_DIR a temporary folder) with two feature-map workers and
two training slots: local worker processes; then CNN_RAY_ADDRESS on a Ray cluster started here
(tests/ray_cluster.py: `ray start`, one CPU per node, loopback only) of one node, then of two (a worker node
joins the same cluster). Against each: the feature-map workers are warmed until both have answered, then
CLIENTS clients send POST /api/featuremaps (the CIFAR-10 tutorial CNN, the sample scene) until REQUESTS have
been answered; then two training runs are posted at once (the walk-through MNIST CNN), and followed until done.

Read with care: every node here is on this one 2-core machine, so a second node adds no cores; the columns show
what Ray costs beside local processes and that its placement works, not a speed-up. The per-core figures, and
the memory of each process (VmRSS of a feature-map worker, VmHWM of a training worker, from /proc), are what
docs/scaling.md plans capacity with. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):  # run as a script: the repo root (app, bench) and the tests' helpers
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from ray_cluster import RAY_ENV, ray_cluster  # noqa: E402

from app.runs.checks import MNIST_CNN  # noqa: E402
from bench.models import CIFAR10_CNN  # noqa: E402
from bench.procfs import CpuWindow, descendants  # noqa: E402
from bench.report import ms, percentile, progress, side_by_side, warn_if_disturbed  # noqa: E402
from bench.server import running_server  # noqa: E402

WARM_LIMIT_S = 600.0  # workers import TensorFlow as they start; on a busy machine that is slow
RUN_LIMIT_S = 1800.0


@dataclass
class Column:
    label: str
    maps_per_s: float = 0.0
    maps_latency_s: list[float] = field(default_factory=list)
    maps_failed: int = 0
    map_workers_mb: list[float] = field(default_factory=list)
    map_places: set = field(default_factory=set)
    run_samples_per_s: list[float] = field(default_factory=list)  # each run, in fit
    runs_wall_s: float = 0.0  # first run started → last run finished (TF start, fit, test, saving)
    runs_samples: int = 0
    train_peak_mb: list[float] = field(default_factory=list)
    run_places: set = field(default_factory=set)
    others_cores: float = 0.0
    web_mb: float = 0.0  # the web process (a Ray driver, on Ray)


def status_kb(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def place(answer: dict) -> str:
    return answer["node"] if answer.get("engine") == "ray" else "local"


def places(found: set) -> str:
    """
    >>> places({"local"}), places({"a1", "b2"})
    ('this machine', '2 Ray nodes')
    """
    if found == {"local"}:
        return "this machine"
    return f"{len(found)} Ray node{'s' * (len(found) != 1)}"


def megabytes(values: list[float]) -> str:
    return ", ".join(f"{mb:,.0f}" for mb in values) + " MB" if values else "-"


def post_maps(client: httpx.Client, seed: int) -> dict:
    response = client.post("/api/featuremaps", data={"model": json.dumps(CIFAR10_CNN), "sample": "scene",
                                                     "seed": str(seed)})
    if response.status_code != 200:
        raise RuntimeError(f"feature maps answered {response.status_code}: {response.text[:300]}")
    return response.json()


def warm(client: httpx.Client, workers: int) -> None:
    """Until every feature-map worker has answered once (each loads TensorFlow, then builds the model)."""
    seen: set[int] = set()
    deadline = time.monotonic() + WARM_LIMIT_S
    seed = 0
    while len(seen) < workers and time.monotonic() < deadline:
        threads = [threading.Thread(target=lambda s=s: seen.add(post_maps(client, s)["worker_pid"]))
                   for s in range(seed, seed + workers)]  # at once, so that both workers get one
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seed += workers
    if len(seen) < workers:
        raise RuntimeError(f"only {len(seen)} of {workers} feature-map workers answered in {WARM_LIMIT_S:.0f} s")


def measure_maps(client: httpx.Client, column: Column, clients: int, requests: int) -> None:
    lock, answers = threading.Lock(), []
    left = [requests]

    def one_client(index: int) -> None:
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            started = time.perf_counter()
            try:
                answer = post_maps(client, seed=index % 2)  # two models, so both workers' caches are used
            except (RuntimeError, httpx.HTTPError):
                with lock:
                    column.maps_failed += 1
                continue
            with lock:
                column.maps_latency_s.append(time.perf_counter() - started)
                answers.append(answer)

    started = time.perf_counter()
    threads = [threading.Thread(target=one_client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    column.maps_per_s = len(answers) / (time.perf_counter() - started)
    pids = {answer["worker_pid"] for answer in answers}
    column.map_workers_mb = [status_kb(pid, "VmRSS") / 1024 for pid in sorted(pids)]
    column.map_places = {place(answer) for answer in answers}


def measure_training(client: httpx.Client, column: Column, body: dict, runs: int) -> None:
    ids = []
    for _ in range(runs):
        response = client.post("/api/runs", json=body)
        if response.status_code != 202:
            raise RuntimeError(f"POST /api/runs answered {response.status_code}: {response.text[:300]}")
        ids.append(response.json()["id"])
    done = []
    deadline = time.monotonic() + RUN_LIMIT_S
    while len(done) < runs and time.monotonic() < deadline:
        time.sleep(0.5)  # polling runs that train
        done = [run for run in (client.get(f"/api/runs/{run_id}").json() for run_id in ids)
                if run["status"] in ("done", "stopped", "failed", "interrupted")]
    for run in done:
        if run["status"] != "done":
            raise RuntimeError(f"a run ended {run['status']}: {run.get('error')}")
    trained = client.get("/api/datasets").json()["datasets"]
    train_count = next(d["train_count"] for d in trained if d["id"] == body["dataset"])
    samples = int(train_count * (1 - body.get("validation_split", 0.1))) * body["epochs"]
    column.run_samples_per_s = [samples / sum(epoch["seconds"] for epoch in run["history"]) for run in done]
    column.runs_samples = samples * len(done)
    column.runs_wall_s = max(run["finished_at"] for run in done) - min(run["started_at"] for run in done)
    column.train_peak_mb = [status_kb(run["worker_pid"], "VmHWM") / 1024 for run in done if run["worker_pid"]]
    column.run_places = {place(run) for run in done}


def measure(label: str, env: dict[str, str], args, training: dict, cluster=None) -> Column:
    column = Column(label)
    progress(f"{label}: server with 2 feature-map workers and 2 training slots")
    with tempfile.TemporaryDirectory(prefix="cnn-blocks-bench-") as data_dir, \
            running_server(lambda client: client.get("/api/layers"),
                           env={"CNN_WORKERS": "2", "CNN_TRAINING_WORKERS": "2", "CNN_DATA_DIR": data_dir,
                                "CNN_JOB_TIMEOUT_S": str(WARM_LIMIT_S), "CNN_MAX_QUEUED_JOBS": "64",
                                "CNN_WORKER_START_TIMEOUT_S": str(WARM_LIMIT_S), **env}) as server, \
            httpx.Client(base_url=server.base_url, timeout=WARM_LIMIT_S) as client:
        progress(f"{label}: warming the feature-map workers")
        warm(client, 2)

        def ours() -> list:  # this process, the server and its workers, and every process of the Ray nodes
            return ["self", server.pid, *descendants(server.pid),
                    *(pid for node in (cluster.nodes if cluster else []) for pid in node.pids())]

        window = CpuWindow.open(time.perf_counter(), ours())
        progress(f"{label}: {args.requests} feature maps from {args.clients} clients")
        measure_maps(client, column, args.clients, args.requests)
        progress(f"{label}: two training runs at once ({training['dataset']}, {training['epochs']} epoch(s))")
        measure_training(client, column, training, runs=2)
        column.others_cores = window.others_cores(time.perf_counter(), ours())
        column.web_mb = status_kb(server.pid, "VmRSS") / 1024
    return column


def table(columns: list[Column], args, training: dict, start_s: list[float]) -> str:
    def cells(fn) -> list[str]:
        return [fn(column) for column in columns]

    def latency(column: Column, q: float) -> str:
        return ms(percentile(column.maps_latency_s, q)) if column.maps_latency_s else "-"

    rows = [
        ("FEATURE MAPS (CIFAR-10 CNN, scene, 2 workers)", []),
        (f"  requests/s, {args.clients} clients", cells(lambda c: f"{c.maps_per_s:.1f}")),
        ("  per worker per second", cells(lambda c: f"{c.maps_per_s / 2:.1f}")),
        ("  latency median", cells(lambda c: latency(c, 50))),
        ("  latency p90", cells(lambda c: latency(c, 90))),
        ("  failed", cells(lambda c: str(c.maps_failed))),
        ("  memory per worker (VmRSS)", cells(lambda c: megabytes(c.map_workers_mb))),
        ("  answered on", cells(lambda c: places(c.map_places))),
        ("", []),
        (f"TRAINING ({training['dataset']}, walk-through CNN, {training['epochs']} ep.)", []),
        ("  samples/s in fit, each run", cells(lambda c: ", ".join(f"{s:,.0f}" for s in c.run_samples_per_s))),
        ("  2 runs posted at once: wall s", cells(lambda c: f"{c.runs_wall_s:,.1f} s")),
        ("  2 runs: samples/s of wall time", cells(lambda c: f"{c.runs_samples / c.runs_wall_s:,.0f}")),
        ("  peak memory per run (VmHWM)", cells(lambda c: megabytes(c.train_peak_mb))),
        ("  trained on", cells(lambda c: places(c.run_places))),
        ("", []),
        ("WEB PROCESS memory (VmRSS), after", cells(lambda c: megabytes([c.web_mb]))),
        ("OTHER PROCESSES' CPU meanwhile (cores)", cells(lambda c: f"{c.others_cores:.2f}")),
    ]
    title = (f"CNN Blocks jobs: local worker processes vs a Ray cluster on this machine; Python "
             f"{platform.python_version()}, {os.cpu_count()} CPUs, ray {_ray_version()}")
    lines = side_by_side(title, [c.label for c in columns], rows, label_width=46, column_width=20)
    lines += ["", "Ray nodes started here (`ray start`, each): " + ", ".join(f"{s:.1f} s" for s in start_s),
              "All nodes share this machine's cores: a second node adds no CPU here (see docs/scaling.md)."]
    return "\n".join(lines)


def _ray_version() -> str:
    from importlib.metadata import version

    return version("ray")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests, the shapes dataset: a smoke run")
    args = parser.parse_args()
    args.clients = 4
    args.requests = 16 if args.quick else 80
    training = ({"model": {"input_shape": [24, 24, 3], "layers": [
                    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"}, {"type": "MaxPooling2D"},
                    {"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}]},
                 "dataset": "shapes", "epochs": 1, "batch_size": 32} if args.quick else
                {"model": MNIST_CNN, "dataset": "mnist", "epochs": 1, "batch_size": 64})
    columns = [measure("local processes", {}, args, training)]
    start_s = []
    os.environ.update(RAY_ENV)  # for the servers that join the cluster
    with ray_cluster(nodes=1) as cluster:
        env = {"CNN_RAY_ADDRESS": cluster.address}
        columns.append(measure("Ray, 1 node", env, args, training, cluster))
        progress("a second node joins the cluster")
        started = time.perf_counter()
        cluster.add_node()
        start_s.append(time.perf_counter() - started)
        columns.append(measure("Ray, 2 nodes", env, args, training, cluster))
    warn_if_disturbed(*(column.others_cores for column in columns))
    print(table(columns, args, training, start_s))
    if any(statistics.fmean(c.maps_latency_s or [0]) == 0 for c in columns):
        progress("a column has no feature-map answers: see the failures above")


if __name__ == "__main__":
    main()
