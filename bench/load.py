"""Mixed load on a real server: many clients at once, mostly shape questions, some feature maps.

    .venv/bin/python bench/load.py                # 50 clients for 60 s
    .venv/bin/python bench/load.py --quick        # 10 clients for 10 s, a smoke run
    .venv/bin/python bench/load.py --clients 20 --seconds 30

Why: the other benchmarks send one request at a time, but a classroom is many people at once, sharing one web
process and one TensorFlow worker. Each client holds one keep-alive connection and loops: 90 % POST /api/shapes
(the CIFAR-10 CNN, its widths varied), 10 % POST /api/featuremaps (a few small 32×32×3 CNNs, sample picture
"circle"). What it measures, per endpoint: every outcome counted by status (refusals such as 429/503, timeouts
and connection errors are findings, not failures of the run), and latency p50/p99 over all answers and over
the 200s: do shape answers stay fast while feature maps queue for the worker? And the resident memory of the
server and its workers before and after: does the load leave anything behind?

A client answered 429/503 with Retry-After counts it, waits as asked but at most 1 s, and goes on. The server
(uvicorn on a free loopback port, started by this run) is stopped at the end; progress goes to stderr, the
tables to stdout. The client is bench/loadgen.py's idea (pre-built request bytes on asyncio streams, so it costs
little CPU), extended to any status, multipart bodies and reconnection.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import platform
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ on the path, not the repo root where `app` and `bench` live.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402  (pydantic only: no TensorFlow in this process)
from bench.fmmemory import signed_mb, total_rss_kb, worker_pids  # noqa: E402
from bench.loadgen import HOST  # noqa: E402
from bench.models import CIFAR10_CNN, small_cnn_variants  # noqa: E402
from bench.procfs import CpuWindow, rss_kb  # noqa: E402
from bench.report import mb, ms, percentile, progress, row, warn_if_disturbed  # noqa: E402
from bench.server import Server, running_server, wait_for_quiet_children  # noqa: E402

SHAPES, MAPS = "/api/shapes", "/api/featuremaps"
MAPS_SHARE = 0.10
SAMPLE = "circle"
MAP_MODELS = 4  # distinct feature-map models: within the worker's model cache (8), as a learner's few tries
REQUEST_TIMEOUT_S = 90.0  # beyond the server's own job timeout (60 s), so the server speaks first
RETRY_AFTER_CAP_S = 1.0
RECONNECT_PAUSE_S = 0.1  # after a connection error, so a dead server is not hammered in a tight loop
MEMORY_POLL_S = 0.5
# Outcomes without an HTTP answer. A dropped connection is usually one the server closed after its previous
# answer (e.g. after a 500), so it is counted against the request that found it closed, not the one that caused it.
NO_CONNECTION, DROPPED = "could not connect", "connection dropped, no answer"
CLIENT_TIMEOUT = f"no answer in {REQUEST_TIMEOUT_S:.0f} s"
OUTCOME_ROWS = ["200", "413", "422", "429", "503", "504", NO_CONNECTION, DROPPED, CLIENT_TIMEOUT]  # always shown


# --- the requests, built once as bytes ------------------------------------------------------------------------------

def http_post(port: int, path: str, content_type: str, body: bytes) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def multipart(fields: dict[str, str], boundary: str = "cnn-blocks-load-boundary") -> tuple[str, bytes]:
    """(content type, body) of a multipart/form-data form of text fields."""
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    return f"multipart/form-data; boundary={boundary}", ("".join(parts) + f"--{boundary}--\r\n").encode()


def cifar_variants() -> list[dict]:
    """The CIFAR-10 CNN with its convolution widths and hidden Dense layer varied: 12 distinct bodies."""
    variants = []
    for filters in (16, 32, 48, 64):
        for units in (32, 64, 128):
            body = copy.deepcopy(CIFAR10_CNN)
            body["layers"][0]["filters"], body["layers"][2]["filters"] = filters, 2 * filters
            body["layers"][4]["filters"], body["layers"][6]["units"] = 2 * filters, units
            variants.append(body)
    return variants


def build_requests(port: int) -> dict[str, list[bytes]]:
    shapes = [http_post(port, SHAPES, "application/json", json.dumps(body).encode()) for body in cifar_variants()]
    maps = [http_post(port, MAPS, *multipart({"model": json.dumps(body), "sample": SAMPLE}))
            for body in small_cnn_variants(MAP_MODELS)]
    return {SHAPES: shapes, MAPS: maps}


# --- one exchange on a keep-alive connection -------------------------------------------------------------------------

@dataclass
class Answer:
    status: int
    body: bytes
    retry_after_s: float | None  # from a Retry-After header in seconds (an HTTP date counts as the cap)
    closes: bool  # the server will close the connection after this answer


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> tuple[bytes, bool]:
    """The body as framed, and whether it ran to the end of the connection."""
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"])), False
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append((await reader.readexactly(size + 2))[:-2])  # the chunk, without its CRLF
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
            pass
        return b"".join(chunks), False
    return await reader.read(), True


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> Answer:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    body, to_end = await read_body(reader, headers)
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        try:
            retry_after = float(retry_after)
        except ValueError:
            retry_after = RETRY_AFTER_CAP_S
    closes = to_end or headers.get("connection", "").lower() == "close"
    return Answer(int(status_line.split(" ", 2)[1]), body, retry_after, closes)


# --- the clients ---------------------------------------------------------------------------------------------------

@dataclass
class EndpointStats:
    outcomes: Counter = field(default_factory=Counter)  # "200", "503", DROPPED, ...
    answer_s: list[float] = field(default_factory=list)  # every HTTP answer, whatever its status
    ok_s: list[float] = field(default_factory=list)  # the 200s
    retry_waits: int = 0
    retry_wait_s: float = 0.0
    first_reason: dict[str, str] = field(default_factory=dict)  # what the first answer of each non-200 said

    def answered(self, answer: Answer, elapsed_s: float) -> None:
        status = str(answer.status)
        self.outcomes[status] += 1
        self.answer_s.append(elapsed_s)
        if answer.status == 200:
            self.ok_s.append(elapsed_s)
        elif status not in self.first_reason:
            retry_after = "none" if answer.retry_after_s is None else f"{answer.retry_after_s:g} s"
            self.first_reason[status] = f"(Retry-After: {retry_after}) {reason(answer.body)}"


def reason(body: bytes, limit: int = 110) -> str:
    """The English words of a refusal ({"detail": [{"msg": ...}, ...]} or {"detail": {"message": {"en": ...}}}),
    else the raw text, shortened."""
    try:
        detail = json.loads(body)["detail"]
        if isinstance(detail, list):
            detail = detail[0]["msg"]
        elif isinstance(detail, dict):
            detail = detail["message"]["en"]
    except (ValueError, KeyError, TypeError, IndexError):
        detail = body.decode(errors="replace") or "(empty body)"
    text = str(detail)
    return text if len(text) <= limit else text[:limit - 1] + "…"


class ConnectFailed(Exception):
    pass


class Connection:
    """One client's keep-alive connection, opened on first use and again after an error or a close."""

    def __init__(self, port: int):
        self.port, self.streams = port, None

    async def send(self, request: bytes) -> Answer:
        if self.streams is None:
            try:
                self.streams = await asyncio.open_connection(HOST, self.port)
            except OSError as error:
                raise ConnectFailed() from error
        answer = await asyncio.wait_for(exchange(*self.streams, request), REQUEST_TIMEOUT_S)
        if answer.closes:
            self.close()
        return answer

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def one_request(connection: Connection, request: bytes, stats: EndpointStats) -> None:
    """Send, time, count; honour Retry-After (capped) on 429/503."""
    started = time.perf_counter()
    try:
        answer = await connection.send(request)
    except TimeoutError:  # asyncio.wait_for's, before OSError: it is one
        connection.close()
        stats.outcomes[CLIENT_TIMEOUT] += 1
        return
    except (ConnectFailed, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
        connection.close()
        stats.outcomes[NO_CONNECTION if isinstance(error, ConnectFailed) else DROPPED] += 1
        await asyncio.sleep(RECONNECT_PAUSE_S)
        return
    stats.answered(answer, time.perf_counter() - started)
    if answer.status in (429, 503) and answer.retry_after_s is not None:
        wait_s = min(max(answer.retry_after_s, 0.0), RETRY_AFTER_CAP_S)
        stats.retry_waits, stats.retry_wait_s = stats.retry_waits + 1, stats.retry_wait_s + wait_s
        await asyncio.sleep(wait_s)


async def client(seed: int, port: int, requests: dict[str, list[bytes]], stats: dict[str, EndpointStats],
                 deadline: float) -> None:
    """Until the deadline: pick an endpoint (10 % feature maps) and a model variant, send, repeat. A request
    sent before the deadline is always waited for and counted."""
    rng, connection = random.Random(seed), Connection(port)
    try:
        while time.perf_counter() < deadline:
            path = MAPS if rng.random() < MAPS_SHARE else SHAPES
            await one_request(connection, rng.choice(requests[path]), stats[path])
    finally:
        connection.close()


# --- memory of the server and its children -------------------------------------------------------------------------

@dataclass
class Memory:
    web_kb: int
    total_kb: int  # the web process and all its children

    @classmethod
    def of(cls, server: Server) -> Memory:
        return cls(rss_kb(server.pid), total_rss_kb(server))


@dataclass
class LoadRun:
    stats: dict[str, EndpointStats]
    seconds: float = 0.0  # from the first request to the last answer
    client_cpu_s: float = 0.0
    peak_kb: int = 0
    workers_initial: set[int] = field(default_factory=set)
    workers_seen: set[int] = field(default_factory=set)


async def watch_memory(server: Server, run: LoadRun, stop: asyncio.Event) -> None:
    """Peak resident memory (web process + children) and every worker PID, twice a second."""
    while not stop.is_set():
        run.peak_kb = max(run.peak_kb, total_rss_kb(server))
        run.workers_seen.update(worker_pids(server))
        try:
            await asyncio.wait_for(stop.wait(), MEMORY_POLL_S)
        except TimeoutError:
            pass


async def drive(server: Server, clients: int, seconds: float) -> LoadRun:
    requests = build_requests(server.port)
    initial = set(worker_pids(server))
    run = LoadRun({SHAPES: EndpointStats(), MAPS: EndpointStats()}, workers_initial=initial,
                  workers_seen=set(initial))
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_memory(server, run, stop))
    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(seed, server.port, requests, run.stats, started + seconds)
                           for seed in range(clients)))
    run.seconds, run.client_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    stop.set()
    await watcher
    return run


# --- before the load: the worker ready, every model seen once ------------------------------------------------------

def warm_up(server: Server) -> None:
    """One request per model variant, one at a time, so that 'before' already holds what the first requests
    build (the worker's models, TensorFlow's kernels) and the growth measured is the load's."""
    codes = Counter()
    with httpx.Client(base_url=server.base_url, timeout=REQUEST_TIMEOUT_S) as http:
        sends = [lambda body=body: http.post(SHAPES, json=body) for body in cifar_variants()]
        sends += [lambda body=body: http.post(MAPS, data={"model": json.dumps(body), "sample": SAMPLE})
                  for body in small_cnn_variants(MAP_MODELS)]
        for send in sends:
            try:
                codes[str(send().status_code)] += 1
            except httpx.TransportError as error:
                codes[type(error).__name__] += 1
    progress(f"warm-up answers by status: {dict(codes)}")


# --- the tables -----------------------------------------------------------------------------------------------------

def latency(values: list[float]) -> str:
    return f"{ms(percentile(values, 50))} / {ms(percentile(values, 99))}" if values else "n/a (none)"


def endpoint_lines(path: str, share: float, stats: EndpointStats, seconds: float) -> list[str]:
    total = sum(stats.outcomes.values())
    others = sorted(set(stats.outcomes) - set(OUTCOME_ROWS))  # any status we did not expect, e.g. 500
    lines = [f"POST {path}  ({share:.0%} of requests)",
             row("  requests sent / per second", f"{total:,} / {total / seconds:,.1f}")]
    for outcome in OUTCOME_ROWS + others:
        count = stats.outcomes[outcome]
        label = f"status {outcome}" if outcome.isdigit() else outcome
        lines.append(row(f"    {label}", f"{count:>9,}  {100 * count / max(total, 1):5.1f} %"))
    return lines + [
        row("  latency p50 / p99, all answers", latency(stats.answer_s)),
        row("  latency p50 / p99, 200s only", latency(stats.ok_s)),
        row("  slowest answer", ms(max(stats.answer_s)) if stats.answer_s else "n/a"),
        row("  Retry-After waits (capped at 1 s)", f"{stats.retry_waits:,}, {stats.retry_wait_s:,.1f} s in all"),
        *(f"  first {status} said: {text}" for status, text in sorted(stats.first_reason.items())),
    ]


def memory_lines(start: Memory, before: Memory, run: LoadRun, after: Memory, settled: bool) -> list[str]:
    def cells(memory: Memory) -> str:
        return f"{mb(memory.total_kb):>9} {mb(memory.web_kb):>9} {mb(memory.total_kb - memory.web_kb):>9}"

    return [
        "SERVER MEMORY, resident (web process + its children: workers, multiprocessing's resource tracker)",
        row("", f"{'total':>9} {'web':>9} {'children':>9}"),
        row("  at start (worker idle, no request yet)", cells(start)),
        row("  before the load (after the warm-up)", cells(before)),
        row("  peak during the load (every 0.5 s)", f"{mb(run.peak_kb):>9}"),
        row("  after the load" + ("" if settled else " (workers still busy)"), cells(after)),
        row("  change, before → after", f"{signed_mb(after.total_kb - before.total_kb):>9} "
                                          f"{signed_mb(after.web_kb - before.web_kb):>9}"),
        row("  worker PIDs seen during the load", f"{len(run.workers_seen)} "
                                                  f"({len(run.workers_seen - run.workers_initial)} started under it)"),
    ]


def summary(run: LoadRun, clients: int, before: Memory, after: Memory) -> str:
    def part(path: str) -> str:
        stats = run.stats[path]
        total = sum(stats.outcomes.values())
        ok = stats.outcomes["200"]
        p99 = ms(percentile(stats.ok_s, 99)) if stats.ok_s else "n/a"
        return f"{path} {total:,} sent, {100 * ok / max(total, 1):.1f} % 200 (p99 {p99})"

    errors = sum(s.outcomes[k] for s in run.stats.values() for k in (NO_CONNECTION, DROPPED, CLIENT_TIMEOUT))
    return (f"SUMMARY: {clients} clients × {run.seconds:.0f} s: {part(SHAPES)}; {part(MAPS)}; "
            f"{errors:,} without an answer (connection errors, timeouts); "
            f"memory {mb(before.total_kb)} → {mb(after.total_kb)} ({signed_mb(after.total_kb - before.total_kb)})")


def header(args: argparse.Namespace, settings: Settings, others_cores: float, run: LoadRun) -> list[str]:
    cores = os.cpu_count()
    return [
        f"CNN Blocks mixed load: {args.clients} clients × {args.seconds:g} s, keep-alive, "
        f"{1 - MAPS_SHARE:.0%} {SHAPES} / {MAPS_SHARE:.0%} {MAPS}; Python {platform.python_version()}, {cores} CPUs",
        f"server: python -m app.server, CNN_WORKERS={args.workers}, CNN_WORKER_MAX_JOBS={settings.worker_max_jobs}, "
        f"CNN_JOB_TIMEOUT_S={settings.job_timeout_s:g}; models: {len(cifar_variants())} CIFAR-10 variants, "
        f"{MAP_MODELS} small CNNs with sample={SAMPLE}",
        row("load generator CPU (this process)", f"{run.client_cpu_s:.1f} s = {run.client_cpu_s / run.seconds:.2f} "
                                                 f"of {cores} cores, sharing them with the server"),
        row("other processes' CPU meanwhile (should be ~0)", f"{others_cores:.2f} of {cores} cores"),
    ]


# --- main ------------------------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 clients for 10 s")
    parser.add_argument("--clients", type=int, metavar="N", help="concurrent clients (default 50; 10 with --quick)")
    parser.add_argument("--seconds", type=float, metavar="S", help="how long they send (default 60; 10 with --quick)")
    parser.add_argument("--workers", type=int, default=1, metavar="W", help="the server's TensorFlow workers (1)")
    args = parser.parse_args(argv)
    args.clients = args.clients or (10 if args.quick else 50)
    args.seconds = args.seconds or (10.0 if args.quick else 60.0)
    if args.clients < 1 or args.seconds <= 0 or args.workers < 1:
        parser.error("clients and workers must be at least 1, seconds above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = {"CNN_WORKERS": str(args.workers)}
    settings = Settings(workers=args.workers)  # what the server reads from the same environment
    with running_server(lambda http: http.get("/api/samples"), env) as server:
        progress("waiting for the server's TensorFlow worker to finish starting")
        wait_for_quiet_children(server.pid)
        start = Memory.of(server)
        warm_up(server)
        wait_for_quiet_children(server.pid)
        before = Memory.of(server)
        progress(f"load: {args.clients} clients for {args.seconds:g} s")
        window = CpuWindow.open(time.perf_counter(), ["self", server.pid, *server.children()])
        run = asyncio.run(drive(server, args.clients, args.seconds))
        others_cores = window.others_cores(time.perf_counter(), ["self", server.pid, *server.children()])
        progress("waiting for the workers to be idle again (a replacement may still be importing TensorFlow)")
        settled = wait_for_quiet_children(server.pid) is not None
        after = Memory.of(server)
    lines = header(args, settings, others_cores, run) + [""]
    for path, share in ((SHAPES, 1 - MAPS_SHARE), (MAPS, MAPS_SHARE)):
        lines += endpoint_lines(path, share, run.stats[path], run.seconds) + [""]
    lines += memory_lines(start, before, run, after, settled) + ["", summary(run, args.clients, before, after)]
    print("\n".join(lines))
    warn_if_disturbed(others_cores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
