"""The real server (python -m app.server) against clients that misbehave on the wire.

Slow headers, too many connections, bodies too large to read, clients that hang up mid-job: each is
bounded, and the server goes on answering everyone else meanwhile."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx
import numpy as np
import pytest
from live_server import serve_app
from PIL import Image

SHAPES_BODY = json.dumps({"input_shape": [8], "layers": [{"type": "Dense", "units": 2}]}).encode()


def address(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname, parsed.port


def shapes_ok(url: str) -> bool:
    response = httpx.post(f"{url}/api/shapes", content=SHAPES_BODY, headers={"content-type": "application/json"},
                          timeout=10)
    return response.status_code == 200 and response.json()["valid"]


def read_until_closed(sock: socket.socket, timeout_s: float) -> bytes:
    sock.settimeout(timeout_s)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(server: int) -> set[int]:
    """The server's TensorFlow workers: its spawned children (not multiprocessing's resource tracker)."""
    found = set()
    for task in Path(f"/proc/{server}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline")
            if cmdline.exists() and b"spawn_main" in cmdline.read_bytes():
                found.add(int(child))
    return found


def test_clients_that_never_finish_their_headers_are_answered_408_and_closed():
    with serve_app(workers=0, header_timeout_s=1) as url:
        slow = []
        for _ in range(200):
            sock = socket.create_connection(address(url))
            sock.sendall(b"POST /api/shapes HTTP/1.1\r\nHost: x\r\nContent-Ty")  # and nothing more
            slow.append(sock)
        assert shapes_ok(url)  # everyone else is answered meanwhile
        answers = [read_until_closed(sock, timeout_s=15) for sock in slow]
        for sock in slow:
            sock.close()
    assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers), {a[:40] for a in answers}


def test_a_body_that_stops_arriving_is_dropped_after_its_deadline():
    with serve_app(workers=0, body_timeout_s=1) as url:
        sock = socket.create_connection(address(url))
        sock.sendall(b"POST /api/shapes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"input_")
        started = time.monotonic()
        read_until_closed(sock, timeout_s=15)
        assert time.monotonic() - started < 14, "the server held the connection open"
        sock.close()
        assert shapes_ok(url)


def test_connections_past_the_cap_are_refused_at_once_and_the_server_recovers():
    with serve_app(workers=0, max_connections=20) as url:
        idle = [socket.create_connection(address(url)) for _ in range(20)]
        extra = socket.create_connection(address(url))
        assert read_until_closed(extra, timeout_s=5).startswith(b"HTTP/1.1 503")
        for sock in idle + [extra]:
            sock.close()
        time.sleep(0.5)  # let the server see the closes
        assert shapes_ok(url)


def test_an_endless_chunked_body_is_cut_off_at_the_limit_while_others_are_answered():
    limit = 200_000
    with serve_app(workers=0, max_json_bytes=limit) as url:
        sock = socket.create_connection(address(url))
        sock.sendall(b"POST /api/shapes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        piece = b'{"type":"Dense","units":1},' * 600
        chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        sent, answered_meanwhile, cut_off = 0, None, False
        try:
            while sent < 50_000_000:  # far more than the limit and the sockets' buffers, unless the server stops us
                sock.sendall(chunk)
                sent += len(piece)
                if answered_meanwhile is None and sent > limit // 2:
                    answered_meanwhile = shapes_ok(url)
        except (BrokenPipeError, ConnectionResetError):
            cut_off = True
        answer = read_until_closed(sock, timeout_s=10)
        sock.close()
    assert answered_meanwhile
    assert answer.startswith(b"HTTP/1.1 413") and b"CNN_MAX_JSON_BYTES" in answer
    assert cut_off, f"the server read all {sent:,} bytes"  # it closed the connection instead of draining it


def test_a_body_declared_too_large_is_refused_before_it_is_sent():
    with serve_app(workers=0) as url:
        sock = socket.create_connection(address(url))
        sock.sendall(b"POST /api/shapes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 81000000\r\n\r\n")
        answer = read_until_closed(sock, timeout_s=10)
        sock.close()
    assert answer.startswith(b"HTTP/1.1 413") and b"CNN_MAX_JSON_BYTES" in answer


# About 520 billion multiply-adds (the test raises CNN_MAX_MACS for it): several seconds of a worker's time.
SLOW = {"input_shape": [256, 256, 3], "layers": [
    {"type": "Conv2D", "filters": 64, "kernel_size": 3, "padding": "same"},
    {"type": "Conv2D", "filters": 64, "kernel_size": 31, "padding": "same"},
    {"type": "Conv2D", "filters": 64, "kernel_size": 31, "padding": "same"}]}


@pytest.mark.keras
def test_a_job_whose_client_hangs_up_is_cancelled_and_its_worker_replaced():
    with serve_app(workers=1, max_macs=10**13) as url:
        server = serve_app.process.pid
        warm = {"input_shape": [8, 8, 3], "layers": [{"type": "Conv2D", "filters": 1, "kernel_size": 3}]}
        assert httpx.post(f"{url}/api/featuremaps", data={"model": json.dumps(warm), "sample": "circle"},
                          timeout=120).status_code == 200
        workers_before = worker_pids(server)
        client = httpx.Client(timeout=2)
        with pytest.raises(httpx.ReadTimeout):  # we hang up while the worker is computing
            client.post(f"{url}/api/featuremaps", data={"model": json.dumps(SLOW), "sample": "circle"})
        client.close()
        deadline = time.monotonic() + 10
        while worker_pids(server) & workers_before and time.monotonic() < deadline:
            time.sleep(0.1)  # waiting for the server to notice the hang-up
        assert workers_before and not worker_pids(server) & workers_before, "the abandoned job kept its worker busy"
        assert httpx.post(f"{url}/api/featuremaps", data={"model": json.dumps(warm), "sample": "circle"},
                          timeout=120).status_code == 200


def big_input_request(url: str, picture: bytes) -> int:
    model = {"input_shape": [2000, 2000, 3], "layers": [{"type": "Conv2D", "filters": 1, "kernel_size": 3}]}
    response = httpx.post(f"{url}/api/featuremaps", data={"model": json.dumps(model)},
                          files={"image": ("big.png", picture, "image/png")}, timeout=120)
    return response.status_code


@pytest.mark.keras
def test_many_huge_feature_map_requests_at_once_hold_little_memory_and_the_extra_ones_get_429():
    gradient = np.linspace(0, 255, 2000 * 2000 * 3).astype(np.uint8).reshape(2000, 2000, 3)
    buffer = io.BytesIO()
    Image.fromarray(gradient).save(buffer, "PNG")  # 12 MB decoded and 48 MB as the model's input, ~1 MB sent
    queued = 4
    with serve_app(workers=1, max_queued_jobs=queued) as url:
        server = serve_app.process.pid
        assert big_input_request(url, buffer.getvalue()) == 200  # warm: the worker is up
        before, peak, done = resident_mb(server), 0.0, threading.Event()

        def watch():
            nonlocal peak
            while not done.is_set():
                peak = max(peak, resident_mb(server))
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(lambda _: big_input_request(url, buffer.getvalue()), range(20)))
        done.set()
        watcher.join()
        assert shapes_ok(url)
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(429) >= 20 - 1 - queued - 5  # a few may find room as earlier ones finish
    # Waiting requests hold their upload (about 1 MB here), never a decoded picture (48 MB each here).
    assert peak - before < 150, f"the web process grew {peak - before:.0f} MB"


def test_headers_past_their_byte_limit_are_refused_with_431_in_the_envelope():
    with serve_app(workers=0, max_header_bytes=8_192) as url:
        sock = socket.create_connection(address(url))
        try:
            sock.sendall(b"GET /api/layers HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_until_closed(sock, timeout_s=10)
        sock.close()
        assert shapes_ok(url)
    assert answer.startswith(b"HTTP/1.1 431") and b"CNN_MAX_HEADER_BYTES" in answer


def test_uploads_past_the_in_flight_limit_are_refused_before_their_bodies_are_read():
    with serve_app(workers=0, max_uploads_in_flight=2) as url:
        stalled = []
        for _ in range(2):  # two uploads that announce 5 MB and send almost nothing
            sock = socket.create_connection(address(url))
            sock.sendall(b"POST /api/featuremaps HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
                         b"boundary=b\r\nContent-Length: 5000000\r\n\r\n--b\r\n")
            stalled.append(sock)
        time.sleep(0.5)  # let the server take them in
        third = httpx.post(f"{url}/api/featuremaps", data={"model": "{}", "sample": "circle"}, timeout=10)
        for sock in stalled:
            sock.close()
        assert third.status_code == 429 and "CNN_MAX_UPLOADS_IN_FLIGHT" in third.json()["message"]["en"]
        time.sleep(0.5)
        assert httpx.post(f"{url}/api/featuremaps", data={"model": "{}", "sample": "circle"},
                          timeout=10).status_code == 422  # room again: the (empty) model is judged
