"""A lean HTTP/1.1 load generator on asyncio streams: N keep-alive connections, one request in flight on each.

Why not httpx here: on a 2-core machine the client shares the CPU with the server, and httpx's AsyncClient
spends more CPU per request than our server does, so it would measure itself. This client sends pre-built
request bytes and reads Content-Length bodies, costing about a tenth of that; the benchmark still reports
its CPU per request so the reader can see who was the limit. Latency is measured with httpx elsewhere.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

HOST = "127.0.0.1"


def post_request_bytes(port: int, path: str, body: bytes) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> None:
    """One request and its whole response; anything but a 200 with a Content-Length body is an error."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    if status_line.split(" ", 2)[1] != "200":
        raise RuntimeError(f"server answered {status_line!r}")
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            await reader.readexactly(int(value))
            return
    raise RuntimeError("response without Content-Length; this client reads only such responses")


@dataclass
class LoadResult:
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def _run(port: int, request: bytes, connections: int, total: int, limit_s: float) -> LoadResult:
    streams = [await asyncio.open_connection(HOST, port) for _ in range(connections)]
    try:
        # One untimed request per connection first: connection setup is not throughput.
        await asyncio.gather(*(_exchange(r, w, request) for r, w in streams))
        remaining = total
        started = time.perf_counter()
        deadline = started + limit_s

        async def drive(reader, writer) -> int:
            nonlocal remaining
            done = 0
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1  # one event loop thread: no lock needed
                await _exchange(reader, writer, request)
                done += 1
            return done

        done = sum(await asyncio.gather(*(drive(r, w) for r, w in streams)))
        return LoadResult(done, time.perf_counter() - started)
    finally:
        for _, writer in streams:
            writer.close()


def run_load(port: int, path: str, body: bytes, connections: int, total: int, limit_s: float) -> LoadResult:
    """POST `body` to `path` `total` times (or until `limit_s` passes) over `connections` keep-alive connections."""
    request = post_request_bytes(port, path, body)
    return asyncio.run(_run(port, request, connections, total, limit_s))
