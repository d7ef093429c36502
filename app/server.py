"""Serve the app with uvicorn, with deadlines for slow clients and a cap on open connections.

``python -m app.server --host 127.0.0.1 --port 8000`` is what ``make run`` and the Dockerfile run.

Why not plain ``uvicorn app.main:app``: uvicorn has no deadline for a client to send its request. Its
keep-alive timeout only starts after a first response, so a connection that sends half a header line and
stops is held forever; 1,000 of them held 1,000 descriptors for as long as the clients liked, and a server
out of descriptors cannot start a TensorFlow worker. Here every request must arrive in time (headers within
CNN_HEADER_TIMEOUT_S of the connection or of the previous response, the body within CNN_BODY_TIMEOUT_S of
the headers), and connections beyond CNN_MAX_CONNECTIONS are answered 503 and closed at once, with the
process's descriptor limit raised to leave room for them. Behind a proxy that enforces its own deadlines
(nginx's ``client_header_timeout``/``client_body_timeout``) these limits simply never trigger.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import Settings, get_settings
from app.core.spec import Issue
from app.core.text import Text
from app.errors import envelope

FD_RESERVE = 256  # descriptors kept for everything but client connections: workers' pipes, files, logs



def _answer(status: str, text: Text, extra: str = "") -> bytes:
    """A whole HTTP answer in the one error envelope, for refusals made before the app sees the request."""
    body = json.dumps(envelope(text, [Issue(("header",), text, "connection")]), ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status}\r\n{extra}Connection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


_REFUSED = _answer("503 Service Unavailable", Text(
    "the server has as many connections open as it allows (setting CNN_MAX_CONNECTIONS); try again in a moment",
    "서버에 열린 연결이 한도만큼 있습니다 (설정 CNN_MAX_CONNECTIONS); 잠시 뒤 다시 해 보세요"), "Retry-After: 1\r\n")
_TOO_SLOW = _answer("408 Request Timeout", Text(
    "the request did not arrive in time (settings CNN_HEADER_TIMEOUT_S, CNN_BODY_TIMEOUT_S)",
    "요청이 제시간에 도착하지 않았습니다 (설정 CNN_HEADER_TIMEOUT_S, CNN_BODY_TIMEOUT_S)"))
_HEADERS_TOO_LARGE = _answer("431 Request Header Fields Too Large", Text(
    "the request's headers are larger than allowed (setting CNN_MAX_HEADER_BYTES)",
    "요청 헤더가 한도보다 큽니다 (설정 CNN_MAX_HEADER_BYTES)"))


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request's arrival and a connection cap."""

    header_timeout_s = 10.0
    body_timeout_s = 60.0
    max_connections = 1_000
    max_header_bytes = 64 * 1024

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._headers_done = False
        self._header_bytes = 0
        if len(self.connections) > self.max_connections:
            transport.write(_REFUSED)
            transport.close()
            return
        self._arm(self.header_timeout_s)

    def data_received(self, data: bytes) -> None:
        """httptools takes header lines of any length: a 120 MB header was parsed, quadratically, on the loop."""
        super().data_received(data)
        if self._headers_done or self.transport.is_closing():  # a chunk may carry the headers' end and some body
            return
        self._header_bytes += len(data)
        if self._header_bytes > self.max_header_bytes:
            self.transport.write(_HEADERS_TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._headers_done = False
        self._header_bytes = 0
        self._arm(self.header_timeout_s)

    def on_headers_complete(self) -> None:
        self._headers_done = True
        self._arm(self.body_timeout_s)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        """The request did not arrive in time: say so if nothing was answered yet, and close."""
        self._deadline = None
        if self.transport.is_closing():
            return
        if not self._headers_done:  # the app never saw this request, so the answer is ours to give
            self.transport.write(_TOO_SLOW)
        self.transport.close()  # mid-body: the app's receive() gets a disconnect and gives up


def protocol_for(settings: Settings) -> type[DeadlineProtocol]:
    return type("ConfiguredDeadlineProtocol", (DeadlineProtocol,), {
        "header_timeout_s": settings.header_timeout_s,
        "body_timeout_s": settings.body_timeout_s,
        "max_connections": settings.max_connections,
        "max_header_bytes": settings.max_header_bytes,
    })


def raise_descriptor_limit(wanted: int) -> int:
    """Raise this process's open-file limit towards ``wanted`` (never past the hard limit); return the result."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def config(settings: Settings, host: str, port: int, **options) -> uvicorn.Config:
    descriptors = raise_descriptor_limit(settings.max_connections + FD_RESERVE)
    connections = min(settings.max_connections, descriptors - FD_RESERVE)
    settings = settings.model_copy(update={"max_connections": max(1, connections)})
    # Without a grace period, stopping waits for every open response: a browser watching a run's events holds
    # the server up until the run ends (30 epochs: many minutes), and the run's worker with it.
    return uvicorn.Config("app.main:app", host=host, port=port, http=protocol_for(settings), timeout_keep_alive=5,
                          timeout_graceful_shutdown=settings.shutdown_grace_s, **options)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve CNN Blocks")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    args = parser.parse_args(argv)
    uvicorn.Server(config(get_settings(), args.host, args.port, log_level=args.log_level,
                          access_log=args.access_log)).run()


if __name__ == "__main__":
    main()
