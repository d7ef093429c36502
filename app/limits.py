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
        self._by_path = {"/api/featuremaps": self.upload}

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


def _declared(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0

