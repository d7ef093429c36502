"""Request body limits, per route, in one place.

A body is refused (413, in the one error envelope) before anything parses it or spools it to disk:
- declared too large by its Content-Length: at once, by :class:`DeclaredLength`, before it is read;
- sent without one (chunked): Starlette counts it while it streams in (the routers' ``max_body_size``,
  set from :meth:`BodyLimits.for_path` too) and stops at the limit.
:class:`DeclaredLength` is needed beside Starlette's counter because that counter, for a declared length
over the limit, replaces whatever answer the app gives with a plain-text "Content Too Large".
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.core.spec import Issue
from app.core.text import Text
from app.errors import envelope


@dataclass(frozen=True)
class BodyLimit:
    bytes: int
    setting: str

    def refusal(self) -> Text:
        return Text(f"the request body is larger than {self.bytes:,} bytes (setting {self.setting}); send less",
                    f"요청 본문이 한도 {self.bytes:,}바이트보다 큽니다 (설정 {self.setting}); 더 작게 보내세요")


class BodyLimits:
    def __init__(self, settings: Settings):
        self.json = BodyLimit(settings.max_json_bytes, "CNN_MAX_JSON_BYTES")
        self.upload = BodyLimit(settings.max_upload_bytes + settings.max_json_bytes,
                                "CNN_MAX_UPLOAD_BYTES, plus CNN_MAX_JSON_BYTES for the model")
        self.dataset = BodyLimit(settings.max_dataset_bytes, "CNN_MAX_DATASET_BYTES")
        self.model_file = BodyLimit(settings.max_import_bytes, "CNN_MAX_IMPORT_BYTES")
        self._by_path = {"/api/featuremaps": self.upload, "/api/datasets": self.dataset, "/api/import": self.model_file}

    def for_path(self, path: str) -> BodyLimit:
        return self._by_path.get(path, self.json)


class DeclaredLength:
    """Answer 413 from the Content-Length header alone, before a byte of the body is read."""

    def __init__(self, app: ASGIApp, limits: BodyLimits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            limit = self.limits.for_path(scope["path"])
            if _declared(scope) > limit.bytes:
                text = limit.refusal()
                body = envelope(text, [Issue(("body",), text, "http_413")])
                await JSONResponse(body, 413, headers={"Connection": "close"})(scope, receive, send)
                return
        await self.app(scope, receive, send)


class UploadGate:
    """At most ``limit`` requests on ``path`` (POST) at once; the next is answered 429 before its body is read.

    The form is parsed (and its picture spooled) before the route can look at the worker queue: 100 clients
    sending 12 MB each and then stalling held 1 GB of /tmp. Gated, uploads in flight hold at most
    ``limit`` × the body limit."""

    def __init__(self, app: ASGIApp, path: str, limit: int, setting: str):
        self.app = app
        self.path = path
        self.limit = limit
        self.setting = setting
        self.inside = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if self.inside >= self.limit:
            text = Text(f"{self.inside} uploads are already being received; try again in a moment "
                        f"(setting {self.setting})",
                        f"이미 업로드 {self.inside}개를 받는 중입니다; 잠시 뒤 다시 해 보세요 (설정 {self.setting})")
            body = envelope(text, [Issue(("body",), text, "busy")])
            await JSONResponse(body, 429, headers={"Retry-After": "2", "Connection": "close"})(scope, receive, send)
            return
        self.inside += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inside -= 1


def _declared(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0

