"""POST /api/featuremaps over real HTTP beside plain Keras doing the same forward pass, and the server's memory
across many models: one run, one table.

    .venv/bin/python bench/featuremaps.py            # full run (about 2.5 minutes on 2 quiet cores)
    .venv/bin/python bench/featuremaps.py --quick    # smoke run, under a minute

Order matters. The server (a real uvicorn subprocess on a free loopback port, stopped by its PID at the end) is
measured first, before this process imports TensorFlow, so TF's threads and memory cannot disturb the client;
and only once the server's TensorFlow worker has finished starting; the memory run over many models follows
on the same server (bench/fmmemory.py). Then plain Keras runs the same forward pass
in this process on the very same input array, and the worker's job itself runs here too: that splits our time
into the forward pass, the drawing (stats, PNG mosaics) and the rest (HTTP, route, pipe to the worker).
Every figure printed is measured in this run; progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ on the path, not the repo root where `app` and `bench` live.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402  (pydantic only: no TensorFlow in this process yet)
from app.imaging import decode_upload, to_model_input  # noqa: E402
from bench.fmmemory import MemoryFigures, measure_keras_memory, measure_server_memory, memory_lines  # noqa: E402
from bench.models import CIFAR10_CNN, VGG16_BLOCKS_1_2  # noqa: E402
from bench.plainkeras import fresh_keras_session, import_keras, keras_sequential, keras_versions  # noqa: E402
from bench.procfs import CpuWindow, maps_mention, rss_kb  # noqa: E402
from bench.report import mb, ms, percentile, progress, row, side_by_side, warn_if_disturbed  # noqa: E402
from bench.server import (  # noqa: E402
    WORKER_SETTLE_LIMIT_S,
    RequestTimes,
    Server,
    running_server,
    time_requests,
    wait_for_quiet_children,
)

MAPS_PATH = "/api/featuremaps"
SAMPLE = "scene"  # the server's own photo-like sample picture (128×128, resized by the server)
SEED = 0


@dataclass
class Plan:
    """How much work each phase does; every loop is also capped in time so a slow machine still finishes."""

    warm_requests: int  # per model; the sample-picture run sends a quarter of these
    warm_limit_s: float  # per model and loop
    memory_requests: int
    memory_models: int
    memory_limit_s: float


def make_plan(args: argparse.Namespace) -> Plan:
    if args.quick:
        plan = Plan(warm_requests=30, warm_limit_s=4, memory_requests=100, memory_models=10, memory_limit_s=40)
    else:
        plan = Plan(warm_requests=200, warm_limit_s=30, memory_requests=500, memory_models=50, memory_limit_s=300)
    if args.requests:
        plan.warm_requests = args.requests
    if args.memory_requests:
        plan.memory_requests = args.memory_requests
    if args.memory_models:
        plan.memory_models = args.memory_models
    return plan


@dataclass
class Case:
    """One model, one picture: what we measure over HTTP and what plain Keras does with the same input."""

    name: str
    body: dict
    target_s: float  # warm latency we aim for
    target_text: str
    png: bytes = b""
    input_array: np.ndarray | None = None
    layers: int = 0
    response_bytes: int = 0
    cold_s: float = 0.0
    warm: RequestTimes = field(default_factory=RequestTimes)  # the uploaded PNG again and again
    sample_warm: RequestTimes = field(default_factory=RequestTimes)  # the server's own sample picture
    job_s: list[float] = field(default_factory=list)  # the worker's job alone, in this process
    keras_build_s: float = 0.0
    keras_cold_s: float = 0.0  # build + first call
    keras_warm_s: list[float] = field(default_factory=list)


def make_cases() -> list[Case]:
    return [Case("CIFAR-10 CNN", CIFAR10_CNN, 0.050, "about 50 ms"),
            Case("VGG16 blocks 1-2", VGG16_BLOCKS_1_2, 1.0, "under 1 s")]


@dataclass
class ServerFigures:
    first_answer_s: float = 0.0
    worker_ready_s: float | None = None  # from launch; None if the workers never went quiet within the limit
    web_rss_kb: int = 0
    tensorflow_in_web: bool = False
    others_cores: float = 0.0


# --- pictures -----------------------------------------------------------------------------------------------------

def photo_like_png(height: int, width: int, seed: int = SEED) -> bytes:
    """A generated picture with what photos have and flat drawings lack: gradients, edges at every angle and
    fine noise, so the PNG costs what a photo's costs to decode and every filter has something to answer."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    pixels = np.stack([0.3 + 0.5 * y, 0.5 + 0.3 * x, 0.9 - 0.5 * y], axis=-1)
    for _ in range(6):
        cy, cx, radius = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.05, 0.25)
        pixels[(y - cy) ** 2 + (x - cx) ** 2 < radius ** 2] = rng.uniform(0, 1, 3)
    pixels += rng.normal(0, 0.04, pixels.shape)
    buffer = io.BytesIO()
    Image.fromarray((np.clip(pixels, 0, 1) * 255).astype(np.uint8), "RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def prepare_picture(case: Case, settings: Settings) -> None:
    """A PNG at the model's input size, and the array the server makes of it (the app's own conversion)."""
    height, width, channels = case.body["input_shape"]
    case.png = photo_like_png(height, width)
    picture = decode_upload(case.png, settings.max_upload_bytes, settings.max_image_pixels)
    case.input_array = to_model_input(picture, height, width, channels)


# --- over HTTP ----------------------------------------------------------------------------------------------------

def post_maps(client: httpx.Client, body: dict, png: bytes | None = None, sample: str | None = None) -> httpx.Response:
    """One feature-map request: the model as a JSON form field, and an uploaded PNG or a sample id."""
    form = {"model": json.dumps(body), "seed": str(SEED)}
    if sample:
        form["sample"] = sample
    files = {"image": ("picture.png", png, "image/png")} if png else None
    response = client.post(MAPS_PATH, data=form, files=files)
    if response.status_code != 200:
        raise RuntimeError(f"{MAPS_PATH} answered {response.status_code}: {response.text[:300]}")
    return response


def measure_case_over_http(client: httpx.Client, server: Server, case: Case, plan: Plan) -> None:
    """Cold: the first request for this model (the worker builds it). Warm: the same request again and again,
    with the web process's, the workers' and this client's CPU per request to show who did the work."""
    progress(f"HTTP: {case.name}: cold request, then up to {plan.warm_requests} warm ones")
    wait_for_quiet_children(server.pid)  # a worker just recycled would still be importing TensorFlow
    started = time.perf_counter()
    first = post_maps(client, case.body, png=case.png)
    case.cold_s = time.perf_counter() - started
    case.layers, case.response_bytes = len(first.json()["layers"]), len(first.content)
    case.warm = time_requests(server, lambda _: post_maps(client, case.body, png=case.png),
                              plan.warm_requests, plan.warm_limit_s)
    case.sample_warm = time_requests(server, lambda _: post_maps(client, case.body, sample=SAMPLE),
                                     max(1, plan.warm_requests // 4), plan.warm_limit_s / 4)


def run_http_phase(plan: Plan, cases: list[Case], figures: ServerFigures, memory: MemoryFigures) -> None:
    with running_server(lambda client: client.get("/api/samples")) as server:
        figures.first_answer_s = server.first_answer_s
        progress("waiting for the server's TensorFlow worker to finish starting")
        went_quiet = wait_for_quiet_children(server.pid)
        figures.worker_ready_s = None if went_quiet is None else went_quiet - server.launched
        window = CpuWindow.open(time.perf_counter(), ["self", server.pid, *server.children()])
        with httpx.Client(base_url=server.base_url, timeout=120.0) as client:
            for case in cases:
                measure_case_over_http(client, server, case, plan)
            measure_server_memory(server, plan.memory_requests, plan.memory_models, plan.memory_limit_s, memory,
                                  lambda body: post_maps(client, body, png=cases[0].png))
        figures.others_cores = window.others_cores(time.perf_counter(), ["self", server.pid, *server.children()])
        figures.web_rss_kb = rss_kb(server.pid)
        figures.tensorflow_in_web = maps_mention(server.pid, "tensorflow")


# --- plain Keras, and our worker's job, in this process -----------------------------------------------------------

def every_layer_model(keras, body: dict):
    """What the worker builds: the Sequential model, and a Model whose outputs are every layer's output."""
    model = keras_sequential(keras, body)
    return keras.Model(model.inputs, [layer.output for layer in model.layers])


def forward(probe, array: np.ndarray) -> list[np.ndarray]:
    """One forward pass, every output brought back as NumPy (as the worker does before drawing)."""
    return [np.asarray(out) for out in probe([array], training=False)]


def measure_keras_cold(keras, case: Case):
    """Build + first call in a fresh session, as a notebook would; returns the built model for the warm calls."""
    fresh_keras_session(keras)
    keras.utils.set_random_seed(SEED)
    started = time.perf_counter()
    probe = every_layer_model(keras, case.body)
    case.keras_build_s = time.perf_counter() - started
    forward(probe, case.input_array)
    case.keras_cold_s = time.perf_counter() - started
    return probe


def worker_job(case: Case, settings: Settings) -> Callable[[], object]:
    """The worker's own job (app.tf.featuremaps.run: decoding the picture, cached model, forward pass, stats, PNG
    mosaics) with the payload the route sends, ready to call: our time minus HTTP, the route and the pipe."""
    from app.core.engine import infer_model
    from app.core.spec import ModelSpec, validate_model
    from app.core.summary import FLOAT32_BYTES
    from app.tf import featuremaps as job

    spec = ModelSpec.model_validate(case.body)
    weights = sum(infer_model(validate_model(spec, settings)).totals()) * FLOAT32_BYTES
    payload = {"model": spec.model_dump(), "seed": SEED, "picture": case.png, "input_shape": case.input_array.shape[1:],
               "weight_bytes": weights, "settings": settings.model_dump()}
    job.run(payload)  # builds and caches the model: not what is timed
    return lambda: job.run(payload)


def measure_in_process(keras, case: Case, plan: Plan, settings: Settings) -> None:
    """Plain Keras cold, then warm Keras calls and warm worker jobs taken in turns, so that a change in the
    machine's load (it is shared) weighs on both alike and their difference, the drawing, stays fair."""
    progress(f"Keras: {case.name}: build, first call, then up to {plan.warm_requests} calls and worker jobs")
    probe = measure_keras_cold(keras, case)
    run_job = worker_job(case, settings)
    deadline = time.perf_counter() + 2 * plan.warm_limit_s
    while len(case.keras_warm_s) < plan.warm_requests and time.perf_counter() < deadline:
        started = time.perf_counter()
        forward(probe, case.input_array)
        case.keras_warm_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        run_job()
        case.job_s.append(time.perf_counter() - started)


@dataclass
class KerasFigures:
    import_s: float = 0.0
    versions: str = ""
    others_cores: float = 0.0


def run_keras_phase(plan: Plan, cases: list[Case], settings: Settings, figures: KerasFigures,
                    memory: MemoryFigures) -> None:
    progress("Keras: importing")
    keras, figures.import_s = import_keras()
    figures.versions = keras_versions(keras)
    window = CpuWindow.open(time.perf_counter(), ["self"])
    for case in cases:
        measure_in_process(keras, case, plan, settings)
    measure_keras_memory(keras, plan.memory_requests, plan.memory_models, plan.memory_limit_s, memory,
                         lambda body: forward(every_layer_model(keras, body), cases[0].input_array))
    figures.others_cores = window.others_cores(time.perf_counter(), ["self"])


# --- the table ----------------------------------------------------------------------------------------------------

def verdict(value: float, target: float) -> str:
    return "met" if value <= target else f"MISSED ({value / target:.1f}x)"


def recycled(case: Case) -> str:
    """Requests that waited for a replacement worker (kept out of the warm figures), and how long they took."""
    waited = case.warm.after_replacement_s + case.sample_warm.after_replacement_s
    return f"{ms(max(waited))} ({len(waited)})" if waited else "none in this run"


def case_rows(cases: list[Case]) -> list[tuple[str, list[str]]]:
    def each(render) -> list[str]:
        return [render(c) for c in cases]

    def http_p50(c: Case) -> float:
        return percentile(c.warm.steady_s, 50)

    def keras_warm(c: Case) -> float:
        return statistics.median(c.keras_warm_s)

    def job_p50(c: Case) -> float:
        return percentile(c.job_s, 50)

    return [
        ("input / layers", each(lambda c: "×".join(map(str, c.body["input_shape"])) + f" / {c.layers}")),
        ("uploaded PNG / response body", each(lambda c: f"{len(c.png) / 1024:,.0f} KB / "
                                                          f"{c.response_bytes / 1024:,.0f} KB")),
        ("", []),
        ("OURS over HTTP (route + worker + mosaics)", []),
        ("  cold: first request for the model", each(lambda c: ms(c.cold_s))),
        ("    (the first model is also the worker's first job)", []),
        ("  warm p50, uploaded PNG", each(lambda c: ms(http_p50(c)))),
        ("  warm p99, uploaded PNG", each(lambda c: ms(percentile(c.warm.steady_s, 99)))),
        ("  warm requests timed", each(lambda c: f"{len(c.warm.steady_s):,}")),
        (f"  warm p50, sample={SAMPLE} (requests)", each(lambda c: ms(percentile(c.sample_warm.steady_s, 50))
                                                          + f" ({len(c.sample_warm.steady_s)})")),
        ("  first request on a recycled worker", each(recycled)),
        ("  web process CPU / warm request", each(lambda c: ms(c.warm.per_steady_request(c.warm.web_cpu_s)))),
        ("  worker CPU / warm request", each(lambda c: ms(c.warm.per_steady_request(c.warm.children_cpu_s)))),
        ("  client CPU / warm request", each(lambda c: ms(c.warm.per_steady_request(c.warm.client_cpu_s)))),
        ("  TARGET, warm", each(lambda c: c.target_text)),
        ("  warm p50 against the target", each(lambda c: verdict(http_p50(c), c.target_s))),
        ("OURS in-process: the worker's job alone", []),
        ("  (cached model: forward + stats + PNGs) p50", each(lambda c: ms(job_p50(c)))),
        ("", []),
        ("PLAIN KERAS, one process, same input", []),
        ("  (Model with every layer's output, called)", []),
        ("  cold: build + first call", each(lambda c: ms(c.keras_cold_s))),
        ("    of which build", each(lambda c: ms(c.keras_build_s))),
        ("    (the first model is also this process's first)", []),
        ("  warm median", each(lambda c: ms(keras_warm(c)))),
        ("  warm p99", each(lambda c: ms(percentile(c.keras_warm_s, 99)))),
        ("  calls timed", each(lambda c: f"{len(c.keras_warm_s):,}")),
        ("", []),
        ("WHERE OUR WARM TIME GOES (p50s)", []),
        ("  forward pass (plain Keras warm)", each(lambda c: ms(keras_warm(c)))),
        ("  + drawing: job − forward pass", each(lambda c: ms(job_p50(c) - keras_warm(c)))),
        ("  + HTTP, route, pipe: HTTP − job", each(lambda c: ms(http_p50(c) - job_p50(c)))),
        ("  = ours over HTTP, warm", each(lambda c: ms(http_p50(c)))),
        ("  ours / plain Keras, warm", each(lambda c: f"{http_p50(c) / keras_warm(c):.1f}x")),
        ("  ours / plain Keras, cold", each(lambda c: f"{c.cold_s / c.keras_cold_s:.1f}x")),
    ]


def server_lines(server: ServerFigures, settings: Settings) -> list[str]:
    ready = (f"{server.worker_ready_s:.1f} s" if server.worker_ready_s is not None
             else f"still busy after {WORKER_SETTLE_LIMIT_S:.0f} s (figures may be disturbed)")
    return [
        "SERVER (python -m app.server, started by this run)",
        f"  settings: CNN_WORKERS={settings.workers}, CNN_WORKER_MAX_JOBS={settings.worker_max_jobs}, "
        f"CNN_WORKER_MODEL_CACHE={settings.worker_model_cache}",
        row("  launch to first 200 (GET /api/samples)", f"{server.first_answer_s:.2f} s"),
        row("  launch to worker ready (TF imported, idle)", ready),
        row("  web process resident at the end", mb(server.web_rss_kb)),
        row("  TensorFlow mapped into the web process", "YES" if server.tensorflow_in_web else "no"),
    ]


def render_table(cases: list[Case], server: ServerFigures, keras: KerasFigures, memory: MemoryFigures,
                 settings: Settings) -> str:
    title = (f"CNN Blocks POST {MAPS_PATH} vs plain Keras: Python {platform.python_version()}, "
             f"{os.cpu_count()} CPUs, {keras.versions}")
    lines = side_by_side(title, [c.name for c in cases], case_rows(cases), label_width=46, column_width=22)
    lines += [
        "",
        *server_lines(server, settings),
        row("  import keras in this process", f"{keras.import_s:.2f} s"),
        "",
        *memory_lines(memory, settings),
        "",
        "OTHER PROCESSES' CPU on this machine meanwhile (should be ~0)",
        row("  during the HTTP runs", f"{server.others_cores:.2f} of {os.cpu_count()} cores"),
        row("  during the Keras runs", f"{keras.others_cores:.2f} of {os.cpu_count()} cores"),
    ]
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer requests (memory: 100 requests over 10 models), for smoke runs")
    parser.add_argument("--requests", type=int, metavar="N", help="warm requests (and Keras calls) per model")
    parser.add_argument("--memory-requests", type=int, metavar="N", help="requests in the memory run (default 500)")
    parser.add_argument("--memory-models", type=int, metavar="M", help="distinct models they cycle through (50)")
    args = parser.parse_args(argv)
    if any(value is not None and value < 1 for value in (args.requests, args.memory_requests, args.memory_models)):
        parser.error("counts must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    plan = make_plan(parse_args(argv))
    settings = Settings()  # what the server reads from the same environment
    cases = make_cases()
    for case in cases:
        prepare_picture(case, settings)
    server, keras, memory = ServerFigures(), KerasFigures(), MemoryFigures()
    run_http_phase(plan, cases, server, memory)  # first: before TensorFlow is in this process
    run_keras_phase(plan, cases, settings, keras, memory)
    print(render_table(cases, server, keras, memory, settings))
    warn_if_disturbed(server.others_cores, keras.others_cores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
