"""Which process answered: ``X-Served-By: <pid>@<host>`` on every HTTP response, event streams included, so the
web processes behind one port (``uvicorn --workers N``) or one balancer (several hosts) can be told apart in a
browser's network panel, in logs and in tests."""

from __future__ import annotations

import os
import socket

HEADER = b"x-served-by"
HOST = socket.gethostname()


class ServedBy:
    """Pure ASGI (no buffering), so streamed answers keep streaming."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        value = f"{os.getpid()}@{HOST}".encode()  # per call: uvicorn's workers import the app in processes of their own

        async def send_with_header(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (HEADER, value)]}
            await send(message)

        await self.app(scope, receive, send_with_header)
