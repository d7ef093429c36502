"""Memory across many models, for bench/featuremaps.py: the server and its workers over real HTTP, and plain
Keras doing the same builds in one process.

Why it matters: a process that builds model after model keeps memory for each (a Keras model is a web of
reference cycles, freed only by the cycle collector's rare full passes), so a server that builds a new model per
request could grow without end. Ours caches CNN_WORKER_MODEL_CACHE models per worker, collects the evicted ones
and recycles each worker after CNN_WORKER_MAX_JOBS jobs; this measures what that gives when learners try many
stacks: the total before and after, each worker's memory over its life, and replacements.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.config import Settings
from bench.models import small_cnn_variants
from bench.plainkeras import fresh_keras_session
from bench.procfs import command_line, rss_kb
from bench.report import mb, ms, percentile, progress, row
from bench.server import RequestTimes, Server, time_requests, wait_for_quiet_children

TARGET_GROWTH_KB = 50 * 1024


@dataclass
class WorkerTrace:
    """A worker's resident memory after each request it lived through (from its second sighting on: when a
    worker is first seen mid-run it has just been spawned and is still importing TensorFlow)."""

    rss_kb: list[int] = field(default_factory=list)

    def growth_kb(self) -> int:
        return self.rss_kb[-1] - self.rss_kb[0] if self.rss_kb else 0


@dataclass
class MemoryFigures:
    models: int = 0
    requests_planned: int = 0
    before_kb: int = 0  # the web process and all its children
    end_kb: int = 0  # right after the last request
    after_kb: int = 0  # once the workers were idle again
    settled: bool = True
    peak_kb: int = 0
    web_before_kb: int = 0
    web_after_kb: int = 0
    times: RequestTimes = field(default_factory=RequestTimes)
    elapsed_s: float = 0.0
    workers: dict[int, WorkerTrace] = field(default_factory=dict)  # by PID, in the order first seen
    initial_workers: int = 0
    keras_before_kb: int = 0
    keras_after_kb: int = 0
    keras_after_clear_kb: int = 0
    keras_latencies_s: list[float] = field(default_factory=list)


def worker_pids(server: Server) -> list[int]:
    # The pool's workers are multiprocessing "spawn" children; the server's other child is multiprocessing's
    # resource tracker, which is counted in the memory sums but is not a worker.
    return [pid for pid in server.children() if "spawn_main" in command_line(pid)]


def total_rss_kb(server: Server) -> int:
    return rss_kb(server.pid) + sum(rss_kb(pid) for pid in server.children())


def note_workers(server: Server, figures: MemoryFigures) -> None:
    for pid in worker_pids(server):
        trace = figures.workers.get(pid)
        if trace is None:
            figures.workers[pid] = WorkerTrace()
        elif rss := rss_kb(pid):
            trace.rss_kb.append(rss)


def measure_server_memory(server: Server, requests: int, models: int, limit_s: float, figures: MemoryFigures,
                          send: Callable[[dict], object]) -> None:
    """`requests` feature-map requests cycling through `models` distinct small CNNs, one at a time; resident
    memory of the server and every child before, after each request, and once the workers are idle again."""
    bodies = small_cnn_variants(models)
    figures.models, figures.requests_planned = models, requests
    progress(f"memory: {requests} requests over {models} distinct models")
    wait_for_quiet_children(server.pid)
    figures.before_kb, figures.web_before_kb = total_rss_kb(server), rss_kb(server.pid)
    note_workers(server, figures)
    figures.initial_workers = len(figures.workers)

    def sample_memory() -> None:
        figures.peak_kb = max(figures.peak_kb, total_rss_kb(server))
        note_workers(server, figures)

    started = time.perf_counter()
    figures.times = time_requests(server, lambda index: send(bodies[index % models]), requests, limit_s,
                                  sample_memory)
    figures.elapsed_s = time.perf_counter() - started
    figures.end_kb = total_rss_kb(server)
    progress("memory: waiting for the workers to be idle (a replacement may still be importing TensorFlow)")
    figures.settled = wait_for_quiet_children(server.pid) is not None
    figures.after_kb, figures.web_after_kb = total_rss_kb(server), rss_kb(server.pid)


def measure_keras_memory(keras, requests: int, models: int, limit_s: float, figures: MemoryFigures,
                         build_and_call: Callable[[dict], object]) -> None:
    """The same builds and forward passes in one plain Keras process, with no clear_session or gc.collect
    between them, as a naive long-lived process would do: how much stays behind per model."""
    bodies = small_cnn_variants(models)
    progress(f"Keras memory: up to {requests} builds + calls over {models} models, one process")
    fresh_keras_session(keras)
    figures.keras_before_kb = rss_kb()
    started = time.perf_counter()
    for index in range(requests):
        if time.perf_counter() - started > limit_s:
            break
        sent = time.perf_counter()
        build_and_call(bodies[index % models])
        figures.keras_latencies_s.append(time.perf_counter() - sent)
    figures.keras_after_kb = rss_kb()
    fresh_keras_session(keras)
    figures.keras_after_clear_kb = rss_kb()


# --- the table ----------------------------------------------------------------------------------------------------

def signed_mb(kb: int) -> str:
    return ("+" if kb >= 0 else "−") + mb(abs(kb))


def cache_note(figures: MemoryFigures, settings: Settings) -> str:
    if figures.models > settings.worker_model_cache:
        return "more models than the cache: every request builds its model"
    return "all fit in the cache: each worker builds each model once"


def worker_growth_per_100_kb(figures: MemoryFigures) -> int | None:
    """Growth of a worker's memory per 100 requests it serves, pooled over the workers seen: what recycling
    bounds. None if no worker served two timed requests."""
    traces = [t for t in figures.workers.values() if len(t.rss_kb) >= 2]
    steps = sum(len(t.rss_kb) - 1 for t in traces)
    return round(100 * sum(t.growth_kb() for t in traces) / steps) if steps else None


def growth_lines(figures: MemoryFigures) -> list[str]:
    per_100 = worker_growth_per_100_kb(figures)
    largest = max((max(t.rss_kb) for t in figures.workers.values() if t.rss_kb), default=0)
    # A fresh worker first grows while TensorFlow warms up (kernels, allocator pools), then levels off; the
    # per-worker lines above show which, so the rate is not extrapolated to a whole worker's life.
    return [row("  a worker's growth while it lives, pooled",
                "n/a (no worker served two requests)" if per_100 is None else f"{signed_mb(per_100)} per 100 requests"),
            row("  largest worker seen", mb(largest))]


def worker_lines(figures: MemoryFigures) -> list[str]:
    lines = []
    for pid, trace in figures.workers.items():
        if trace.rss_kb:
            lines.append(f"    pid {pid}: {mb(trace.rss_kb[0])} → {mb(trace.rss_kb[-1])} over "
                         f"{len(trace.rss_kb)} requests")
        else:
            lines.append(f"    pid {pid}: started near the end, served no timed request")
    return lines


def keras_memory_lines(figures: MemoryFigures) -> list[str]:
    done = len(figures.keras_latencies_s)
    if not done:
        return []
    growth = figures.keras_after_kb - figures.keras_before_kb
    return [
        f"PLAIN KERAS, the same {done} builds + forward passes in one process, no clear_session or gc between",
        row("  resident before → after", f"{mb(figures.keras_before_kb)} → {mb(figures.keras_after_kb)}"),
        row("  growth", f"{signed_mb(growth)} ({signed_mb(round(100 * growth / done))} per 100 models)"),
        row("  after clear_session + gc", mb(figures.keras_after_clear_kb)),
        row("  build + call p50", ms(percentile(figures.keras_latencies_s, 50))),
    ]


def latency_lines(times: RequestTimes) -> list[str]:
    steady = times.steady_s
    lines = [row("  latency p50 / p99 / max", " / ".join(ms(v) for v in (percentile(steady, 50),
                                                                          percentile(steady, 99), max(steady))))]
    if times.after_replacement_s:
        waited = times.after_replacement_s
        lines.append(row("  first request on each recycled worker",
                         f"{len(waited)}, {ms(statistics.mean(waited))} on average (not in the line above)"))
    return lines


def memory_lines(figures: MemoryFigures, settings: Settings) -> list[str]:
    growth = figures.after_kb - figures.before_kb
    replacements = len(figures.workers) - figures.initial_workers
    settled = "" if figures.settled else " (workers still busy at the limit)"
    return [
        f"MEMORY: {figures.times.done} of {figures.requests_planned} requests over {figures.models} distinct small "
        "CNNs (32×32×3, uploaded PNG), cycling, over HTTP",
        row("  models / model cache per worker",
            f"{figures.models} / {settings.worker_model_cache}: {cache_note(figures, settings)}"),
        "  resident, web process + all its children",
        row("    before", mb(figures.before_kb)),
        row("    right after the last request", mb(figures.end_kb)),
        row("    once the workers were idle again", mb(figures.after_kb) + settled),
        row("    growth", signed_mb(growth)),
        row("    TARGET under 50 MB", "met" if growth < TARGET_GROWTH_KB else "MISSED"),
        row("    peak during the run", mb(figures.peak_kb)),
        row("  web process alone, before → after", f"{mb(figures.web_before_kb)} → {mb(figures.web_after_kb)}"),
        row("  worker PIDs seen / replacements", f"{len(figures.workers)} / {replacements}"),
        "  each worker's resident memory, first → last request it lived through:",
        *worker_lines(figures),
        *growth_lines(figures),
        *latency_lines(figures.times),
        row("  time taken", f"{figures.elapsed_s:.1f} s"),
        *keras_memory_lines(figures),
    ]
