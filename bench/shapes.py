"""POST /api/shapes over real HTTP, our core in-process, and plain Keras building the same models: one run, one table.

    .venv/bin/python bench/shapes.py            # full run (a few minutes on 2 cores)
    .venv/bin/python bench/shapes.py --quick    # smoke run, well under a minute

Order matters. The server (a real uvicorn subprocess on a free loopback port, stopped by its PID at the end) is
measured first, before this process imports TensorFlow, so TF's threads and memory cannot disturb the client;
and only once the server's TensorFlow worker has finished starting, so its import does not steal the CPU.
Every figure printed is measured in this run; progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from importlib.util import find_spec
from itertools import repeat
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ on the path, not the repo root where `app` and `bench` live.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.applications import application_body  # noqa: E402
from bench.loadgen import run_load  # noqa: E402
from bench.models import BENCH_MODELS  # noqa: E402
from bench.plainkeras import fresh_keras_session, import_keras, keras_sequential, keras_versions  # noqa: E402
from bench.procfs import CpuWindow, cpu_seconds, maps_mention, rss_kb  # noqa: E402
from bench.report import mb, ms, percentile, progress, side_by_side, warn_if_disturbed  # noqa: E402
from bench.server import WORKER_SETTLE_LIMIT_S, Server, running_server, wait_for_quiet_children  # noqa: E402

SHAPES_PATH = "/api/shapes"
JSON_HEADERS = {"content-type": "application/json"}


@dataclass
class Plan:
    """How much work each phase does; every loop is also capped in time so a slow machine still finishes."""

    warmup: int
    sequential: int
    sequential_limit_s: float
    concurrent: int
    connections: int
    concurrent_limit_s: float
    core_runs: int
    keras_builds: int


def make_plan(args: argparse.Namespace) -> Plan:
    if args.quick:
        plan = Plan(warmup=50, sequential=300, sequential_limit_s=5, concurrent=1000, connections=args.concurrency,
                    concurrent_limit_s=5, core_runs=200, keras_builds=1)
    else:
        plan = Plan(warmup=200, sequential=2000, sequential_limit_s=60, concurrent=6000,
                    connections=args.concurrency, concurrent_limit_s=60, core_runs=2000, keras_builds=5)
    if args.requests:
        plan.sequential, plan.concurrent = args.requests, 3 * args.requests
    return plan


# --- what is measured ---------------------------------------------------------------------------------------------

APPLICATIONS = ("ResNet50", "NASNetLarge")  # Keras's side: keras.applications.X(weights=None)


@dataclass
class ModelFigures:
    name: str
    body: dict
    application: str | None = None  # built by keras.applications on Keras's side, else keras.Sequential
    layers: int = 0
    response_bytes: int = 0
    our_params: int | None = None
    latencies_s: list[float] = field(default_factory=list)  # the same body again: the answer cache's case
    edited_latencies_s: list[float] = field(default_factory=list)  # each body new (last layer renamed): layer memos
    sequential_server_cpu_s: float = 0.0  # per request
    sequential_client_cpu_s: float = 0.0
    throughput_rps: float = 0.0
    concurrent_done: int = 0
    concurrent_server_cpu_s: float = 0.0  # per request
    concurrent_client_cpu_s: float = 0.0
    core_s: list[float] = field(default_factory=list)
    core_first_s: list[float] = field(default_factory=list)  # with every memo emptied first: a model never seen
    keras_params: int | None = None
    keras_first_build_s: float = 0.0
    keras_builds_s: list[float] = field(default_factory=list)
    keras_first_rss_growth_kb: int = 0


@dataclass
class ServerFigures:
    start_to_first_answer_s: float = 0.0
    rss_after_start_kb: int = 0
    rss_after_requests_kb: int = 0
    tensorflow_loaded: bool = False
    workers_settled_s: float | None = None  # from launch; None if they never went quiet within the limit
    worker_pids: list[int] = field(default_factory=list)
    workers_rss_kb: int = 0
    others_cores: float = 0.0  # CPU other processes on the machine used meanwhile


@dataclass
class KerasFigures:
    import_s: float = 0.0
    rss_before_kb: int = 0
    rss_kept_after_clear_kb: int = 0
    others_cores: float = 0.0
    versions: str = ""


# --- HTTP measurements --------------------------------------------------------------------------------------------

def post_checked(client: httpx.Client, body: bytes) -> httpx.Response:
    response = client.post(SHAPES_PATH, content=body, headers=JSON_HEADERS)
    if response.status_code != 200:
        raise RuntimeError(f"/api/shapes answered {response.status_code}: {response.text[:300]}")
    return response


def measure_sequential(base_url: str, server_pid: int, figures: ModelFigures, plan: Plan) -> None:
    """Latency of one request at a time over one keep-alive httpx connection, after a warm-up."""
    body = json.dumps(figures.body).encode()
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        first = post_checked(client, body)
        answer = first.json()
        figures.our_params, figures.layers = answer["total_params"], len(answer["layers"])
        figures.response_bytes = len(first.content)
        for _ in range(plan.warmup):
            post_checked(client, body)
        server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
        figures.latencies_s = timed_posts(client, repeat(body, plan.sequential), plan.sequential_limit_s)
    done = len(figures.latencies_s)
    figures.sequential_server_cpu_s = (cpu_seconds(server_pid) - server_cpu) / done
    figures.sequential_client_cpu_s = (time.process_time() - client_cpu) / done


def edited_bodies(body: dict, count: int) -> list[bytes]:
    """The model as the page sends it after each edit: here the last layer renamed, so no whole answer is found
    again but every other layer is (as for most edits; a change near the input changes every shape after it)."""
    def renamed(i: int) -> dict:
        return {**body, "layers": [*body["layers"][:-1], {**body["layers"][-1], "name": f"edited_{i}"}]}
    return [json.dumps(renamed(i)).encode() for i in range(count)]


def measure_edited(base_url: str, figures: ModelFigures, plan: Plan) -> None:
    """Latency of one request at a time, each body one the server has not seen whole."""
    bodies = edited_bodies(figures.body, plan.sequential)
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        post_checked(client, bodies[0])  # the connection, and the one layer that differs, once
        figures.edited_latencies_s = timed_posts(client, bodies[1:], plan.sequential_limit_s)


def timed_posts(client: httpx.Client, bodies: Iterable[bytes], limit_s: float) -> list[float]:
    """Each body posted in turn and timed, until they run out or ``limit_s`` has passed."""
    latencies, deadline = [], time.perf_counter() + limit_s
    for body in bodies:
        if time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        post_checked(client, body)
        latencies.append(time.perf_counter() - started)
    return latencies


def measure_throughput(port: int, server_pid: int, figures: ModelFigures, plan: Plan) -> None:
    """Requests per second with several connections busy at once, and the CPU each side spent per request:
    with two cores shared by client and server, the split shows which side was the limit."""
    body = json.dumps(figures.body).encode()
    server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
    result = run_load(port, SHAPES_PATH, body, plan.connections, plan.concurrent, plan.concurrent_limit_s)
    figures.concurrent_done, figures.throughput_rps = result.requests, result.per_second
    figures.concurrent_server_cpu_s = (cpu_seconds(server_pid) - server_cpu) / result.requests
    figures.concurrent_client_cpu_s = (time.process_time() - client_cpu) / result.requests


def measure_server(server: Server, models: list[ModelFigures], plan: Plan, figures: ServerFigures) -> None:
    ours = ["self", server.pid, *figures.worker_pids]
    window = CpuWindow.open(time.perf_counter(), ours)
    for model in models:
        progress(f"HTTP: {model.name}: sequential latency (httpx), the same model again, then edited")
        measure_sequential(server.base_url, server.pid, model, plan)
        measure_edited(server.base_url, model, plan)
        progress(f"HTTP: {model.name}: throughput, {plan.connections} connections")
        measure_throughput(server.port, server.pid, model, plan)
    figures.others_cores = window.others_cores(time.perf_counter(), ours)
    figures.rss_after_requests_kb = rss_kb(server.pid)
    figures.workers_rss_kb = sum(rss_kb(p) for p in figures.worker_pids)
    figures.tensorflow_loaded = maps_mention(server.pid, "tensorflow")


def run_http_phase(plan: Plan, models: list[ModelFigures], figures: ServerFigures) -> None:
    body = json.dumps(models[0].body).encode()
    with running_server(lambda client: client.post(SHAPES_PATH, content=body, headers=JSON_HEADERS)) as server:
        figures.start_to_first_answer_s = server.first_answer_s
        figures.rss_after_start_kb = rss_kb(server.pid)
        progress("waiting for the server's worker processes to finish starting")
        went_quiet = wait_for_quiet_children(server.pid)
        if went_quiet is not None:
            figures.workers_settled_s = went_quiet - server.launched
        figures.worker_pids = server.children()
        measure_server(server, models, plan, figures)


# --- our core, in this process ------------------------------------------------------------------------------------

def measure_core(figures: ModelFigures, plan: Plan) -> None:
    """What the route does, minus HTTP and its answer cache: parse the body, validate, infer every layer, build the
    JSON bytes. First with every memo emptied before each run (a model never seen), then with them kept."""
    from app.config import get_settings
    from app.core.engine import infer_model
    from app.core.memo import forget_everything
    from app.core.spec import ModelSpec, validate_model
    from app.routes.shapes import json_bytes

    settings = get_settings()

    def answer() -> bytes:
        return json_bytes(infer_model(validate_model(ModelSpec.model_validate(figures.body), settings)).to_json())

    for runs, forget in ((figures.core_first_s, True), (figures.core_s, False)):
        for _ in range(min(plan.warmup, plan.core_runs)):
            answer()
        for _ in range(plan.core_runs):
            if forget:
                forget_everything()
            started = time.perf_counter()
            answer()
            runs.append(time.perf_counter() - started)


# --- plain Keras, in this process ---------------------------------------------------------------------------------

def time_keras_build(keras, figures: ModelFigures) -> tuple[float, int, int]:
    """One build in a fresh session: (seconds, parameter count, RSS growth in kB while the model is alive)."""
    fresh_keras_session(keras)
    rss_before = rss_kb()
    started = time.perf_counter()
    model = (getattr(keras.applications, figures.application)(weights=None) if figures.application
             else keras_sequential(keras, figures.body))
    params = model.count_params()
    seconds = time.perf_counter() - started
    return seconds, params, rss_kb() - rss_before


def measure_keras(keras, figures: ModelFigures, plan: Plan) -> None:
    """The first build in a process pays for allocating and touching the weights; later ones reuse that memory.
    Both are reported: a one-off question costs the first, a warm process the median."""
    figures.keras_first_build_s, figures.keras_params, figures.keras_first_rss_growth_kb = time_keras_build(
        keras, figures)
    for _ in range(plan.keras_builds):
        seconds, _, _ = time_keras_build(keras, figures)
        figures.keras_builds_s.append(seconds)


def run_keras_phase(plan: Plan, models: list[ModelFigures], figures: KerasFigures) -> None:
    progress("Keras: importing")
    keras, figures.import_s = import_keras()
    figures.versions = keras_versions(keras)
    figures.rss_before_kb = rss_kb()
    window = CpuWindow.open(time.perf_counter(), ["self"])
    for model in models:
        progress(f"Keras: {model.name}: {1 + plan.keras_builds} builds")
        measure_keras(keras, model, plan)
    figures.others_cores = window.others_cores(time.perf_counter(), ["self"])
    fresh_keras_session(keras)
    figures.rss_kept_after_clear_kb = rss_kb() - figures.rss_before_kb


# --- the table ----------------------------------------------------------------------------------------------------

def times(ratio: float) -> str:
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def model_rows(models: list[ModelFigures], plan: Plan) -> list[tuple[str, list[str]]]:
    def each(render) -> list[str]:
        return [render(m) for m in models]

    def http_p50(m: ModelFigures) -> float:
        return percentile(m.latencies_s, 50)

    def keras_median(m: ModelFigures) -> float:
        return statistics.median(m.keras_builds_s)

    return [
        ("layers / total params (ours)", each(lambda m: f"{m.layers} / {m.our_params:,}")),
        ("total params (Keras)", each(lambda m: f"{m.keras_params:,}"
                                       + (" same" if m.keras_params == m.our_params else " DIFFERENT"))),
        ("response body", each(lambda m: f"{m.response_bytes / 1024:,.1f} KB")),
        ("", []),
        ("OURS over HTTP, one request at a time", []),
        ("  (httpx keep-alive client)", []),
        ("  the same model again: latency p50", each(lambda m: ms(http_p50(m)))),
        ("  latency p99", each(lambda m: ms(percentile(m.latencies_s, 99)))),
        ("  requests timed", each(lambda m: f"{len(m.latencies_s):,}")),
        ("  after an edit: latency p50", each(lambda m: ms(percentile(m.edited_latencies_s, 50)))),
        ("  latency p99", each(lambda m: ms(percentile(m.edited_latencies_s, 99)))),
        ("  server CPU per request", each(lambda m: ms(m.sequential_server_cpu_s))),
        ("  client CPU per request", each(lambda m: ms(m.sequential_client_cpu_s))),
        (f"OURS over HTTP, {plan.connections} connections busy", []),
        ("  (lean asyncio HTTP/1.1 client)", []),
        ("  throughput", each(lambda m: f"{m.throughput_rps:,.0f} req/s")),
        ("  requests timed", each(lambda m: f"{m.concurrent_done:,}")),
        ("  server CPU per request", each(lambda m: ms(m.concurrent_server_cpu_s))),
        ("  client CPU per request", each(lambda m: ms(m.concurrent_client_cpu_s))),
        ("OURS in-process, core p50", []),
        ("  (parse+validate+infer+JSON bytes)", []),
        ("  a model never seen (memos emptied)", each(lambda m: ms(percentile(m.core_first_s, 50)))),
        ("  seen before (layers remembered)", each(lambda m: ms(percentile(m.core_s, 50)))),
        ("", []),
        ("PLAIN KERAS, Sequential or", []),
        ("  keras.applications build", []),
        ("  first build in this process", each(lambda m: ms(m.keras_first_build_s))),
        (f"  median of the next {plan.keras_builds}", each(lambda m: ms(keras_median(m)))),
        ("  RSS growth, first build", each(lambda m: mb(m.keras_first_rss_growth_kb))),
        ("", []),
        ("SPEED-UP, Keras build time / ours", []),
        ("  median build / our HTTP p50", each(lambda m: times(keras_median(m) / http_p50(m)))),
        ("  median build / our HTTP p50, edited", each(
            lambda m: times(keras_median(m) / percentile(m.edited_latencies_s, 50)))),
        ("  median build / our core, never seen", each(
            lambda m: times(keras_median(m) / percentile(m.core_first_s, 50)))),
        ("  first build / our HTTP p50", each(lambda m: times(m.keras_first_build_s / http_p50(m)))),
    ]


def uvicorn_stack() -> str:
    """What uvicorn picks by itself ("auto"): the C parser and loop when installed, else the pure-Python ones."""
    http = "httptools" if find_spec("httptools") else "h11 (httptools not installed)"
    loop = "uvloop" if find_spec("uvloop") else "asyncio (uvloop not installed)"
    return f"uvicorn {version('uvicorn')}, HTTP {http}, loop {loop}"


def server_lines(server: ServerFigures) -> list[str]:
    settled = (f"{server.workers_settled_s:.1f} s after launch" if server.workers_settled_s is not None
               else f"still busy after {WORKER_SETTLE_LIMIT_S:.0f} s (figures may be disturbed)")
    return [
        "SERVER (python -m app.server: uvicorn, 1 process, started by this run)",
        f"  {uvicorn_stack()}",
        f"  launch to first 200 from /api/shapes     {server.start_to_first_answer_s:.2f} s",
        f"  resident memory after start              {mb(server.rss_after_start_kb)}",
        f"  resident memory after all requests       {mb(server.rss_after_requests_kb)}",
        f"  TensorFlow mapped into the web process   {'YES' if server.tensorflow_loaded else 'no'}",
        f"  child processes (TF worker etc.)         {len(server.worker_pids)}, "
        f"{mb(server.workers_rss_kb)} resident, quiet {settled}",
    ]


def render_table(models, server: ServerFigures, keras: KerasFigures, plan: Plan) -> str:
    title = (f"CNN Blocks POST /api/shapes vs plain Keras: Python {platform.python_version()}, "
             f"{os.cpu_count()} CPUs, {keras.versions}")
    lines = side_by_side(title, [m.name for m in models], model_rows(models, plan), label_width=40, column_width=20)
    lines += [
        "",
        *server_lines(server),
        "KERAS (in this process)",
        f"  import keras                             {keras.import_s:.2f} s",
        f"  RSS still held after clear_session + gc  {mb(keras.rss_kept_after_clear_kb)}",
        "OTHER PROCESSES' CPU on this machine meanwhile (should be ~0)",
        f"  during the HTTP runs                     {server.others_cores:.2f} of {os.cpu_count()} cores",
        f"  during the Keras builds                  {keras.others_cores:.2f} of {os.cpu_count()} cores",
    ]
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests and builds, for smoke runs")
    parser.add_argument("--requests", type=int, metavar="N",
                        help="sequential requests per model (the throughput run sends 3N)")
    parser.add_argument("--concurrency", type=int, default=8, metavar="C",
                        help="keep-alive connections kept busy in the throughput run (default 8)")
    args = parser.parse_args(argv)
    if (args.requests is not None and args.requests < 1) or args.concurrency < 1:
        parser.error("--requests and --concurrency must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    plan = make_plan(parse_args(argv))
    models = [ModelFigures(name, body) for name, body in BENCH_MODELS.items()]
    progress("keras.applications configs (a Keras subprocess the first time, then .cache/bench)")
    models += [ModelFigures(name, application_body(name), name) for name in APPLICATIONS]
    server, keras = ServerFigures(), KerasFigures()
    run_http_phase(plan, models, server)  # first: before TensorFlow is in this process
    for model in models:
        progress(f"core: {model.name}")
        measure_core(model, plan)
    run_keras_phase(plan, models, keras)
    print(render_table(models, server, keras, plan))
    warn_if_disturbed(server.others_cores, keras.others_cores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
