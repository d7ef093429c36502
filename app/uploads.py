"""Refuse an upload that says it is too large before reading it.

Starlette's form parser spools file parts to disk with no size cap, so the route's own check would
only run after a huge body had been received in full. This ASGI middleware answers 413 from the
Content-Length header alone; bodies sent without one (chunked) are still capped by the route.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

FORM_ROOM = 1024 * 1024  # the model's JSON, the other fields and the multipart boundaries


class UploadLimit:
    def __init__(self, app: ASGIApp, path: str, max_upload_bytes: int):
        self.app = app
        self.path = path
        self.max_body = max_upload_bytes + FORM_ROOM
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and self._declared(scope) > self.max_body:
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _declared(scope: Scope) -> int:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit():
                return int(value)
        return 0

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = f"{self.max_upload_bytes:,}"
        message = {"en": f"the upload is larger than the limit of {limit} bytes (setting CNN_MAX_UPLOAD_BYTES)",
                   "ko": f"올린 파일이 한도 {limit}바이트보다 큽니다 (설정 CNN_MAX_UPLOAD_BYTES)"}
        response = JSONResponse({"detail": {"message": message, "layer": None, "name": None}}, status_code=413,
                                headers={"Connection": "close"})
        await response(scope, receive, send)
