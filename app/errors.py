"""Errors for people, in one envelope for every 4xx and 5xx.

Every error body is ``{"message": {"en", "ko"}, "layer", "name", "detail": [issue, …]}``: one sentence to
show, the layer to blame (or null), and every problem with its location (``loc``), ``msg``/``msg_ko`` and,
where it helps, what is ``allowed``. Our own refusals, pydantic's validation errors, Starlette's own
400/404/405/413 and anything unforeseen (500) all come out in this shape, documented per route in the
OpenAPI by :func:`responses`.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.engine import ModelResult
from app.core.spec import Issue, SpecError, pydantic_issue
from app.core.text import Text, clip, josa

log = logging.getLogger("cnn_blocks")

class Problem(StarletteHTTPException):
    """A refusal with words in both languages, the layer to blame and where in the request it lies."""

    def __init__(self, status: int, message: Text, *, layer: int | None = None, name: str | None = None,
                 loc: tuple = ("body",), kind: str = "refused", headers: dict[str, str] | None = None):
        super().__init__(status, message.en, headers=headers)
        self.message, self.layer, self.name = message, layer, name
        self.issues = [Issue(loc, message, kind)]


def refuse_unrunnable(result: ModelResult, empty: Text) -> None:
    """A model sent in the ``model`` field that Keras cannot build or run, or that has no layers (said by
    ``empty``): a 422 naming the first layer to blame. Feature maps and training refuse alike."""
    failed = result.failed or result.fails_when_run
    if failed is not None:
        raise Problem(422, failed.error or failed.inference.run_error, layer=failed.layer.index,
                      name=failed.layer.name, loc=("body", "model", "layers", failed.layer.index))
    if not result.layers:
        raise Problem(422, empty, loc=("body", "model", "layers"))


def envelope(message: Text, issues: list[Issue], layer: int | None = None, name: str | None = None) -> dict:
    return {"message": message.to_json(), "layer": layer, "name": name,
            "detail": [issue.to_json() for issue in issues]}


def _issue(error: dict) -> Issue:
    if error.get("type") == "json_invalid":
        return _json_issue(tuple(error.get("loc", ())), (error.get("ctx") or {}).get("error", "JSON decode error"))
    return pydantic_issue(error)


def _json_issue(loc: tuple, reason: str) -> Issue:
    field = next((part for part in loc[1:] if isinstance(part, str)), None)  # e.g. the form field "model"
    what = f"the {field!r} field" if field else "the body"
    position = next((part for part in loc[1:] if isinstance(part, int)), None)
    at = f" (at character {position})" if position is not None else ""
    at_ko = f" ({position}번째 문자)" if position is not None else ""
    return Issue(loc[: 2 if field else 1], Text(f"{what} is not valid JSON: {reason}{at}",
                                                f"{josa(field or '본문', '이/가')} 올바른 JSON이 아닙니다: {reason}{at_ko}"),
                 "json_invalid")


def _summary(issues: list[Issue]) -> Text:
    first, more = issues[0].msg, len(issues) - 1
    if not more:
        return first
    return Text(f"{first.en} (and {more} more {'problem' if more == 1 else 'problems'})", f"{first.ko} (외 {more}건)")


def _invalid(issues: list[Issue]) -> JSONResponse:
    return JSONResponse(envelope(_summary(issues), issues), status_code=422)


def _starlette_text(request: Request, exc: StarletteHTTPException) -> Text:
    """Starlette's own refusals (its words are English and terse) said for people."""
    path, status = clip(request.url.path), exc.status_code  # a 60 kB path is not echoed four times
    if status == 404:
        return Text(f"there is nothing at {path}; the API is described at /docs", f"{path}에는 아무것도 없습니다; API 설명은 /docs에 있습니다")
    if status == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return Text(f"{request.method} is not allowed on {path}; use {allowed}",
                    f"{path}에는 {josa(request.method, '을/를')} 쓸 수 없습니다; {josa(allowed, '을/를')} 쓰세요")
    if status == 413:  # Starlette stopped a body sent without Content-Length at the route's limit
        return request.app.state.body_limits.for_path(request.url.path).refusal()
    if status == 400:
        detail = clip(str(exc.detail))
        return Text(f"the request body could not be read ({detail}); send UTF-8 JSON or a multipart form",
                    f"요청 본문을 읽을 수 없습니다 ({detail}); UTF-8 JSON이나 multipart 폼으로 보내세요")
    return Text(clip(str(exc.detail)), clip(str(exc.detail)))


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def problem(_: Request, exc: Problem) -> JSONResponse:
        return JSONResponse(envelope(exc.message, exc.issues, exc.layer, exc.name), exc.status_code, exc.headers)

    @app.exception_handler(SpecError)
    async def spec_error(_: Request, exc: SpecError) -> JSONResponse:
        return _invalid(exc.issues)

    @app.exception_handler(RequestValidationError)
    async def request_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid([_issue(e) for e in exc.errors()] or [_json_issue(("body",), "empty")])

    @app.exception_handler(StarletteHTTPException)
    async def starlette_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        text = _starlette_text(request, exc)
        headers = dict(exc.headers or {})
        if exc.status_code == 413:  # the rest of the body is unread: close rather than drain it for keep-alive
            headers["Connection"] = "close"
        return JSONResponse(envelope(text, [Issue(("body",), text, f"http_{exc.status_code}")]),
                            exc.status_code, headers)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        text = Text("something went wrong on the server; this is our bug, please report it with what you sent",
                    "서버에서 문제가 생겼습니다; 저희 쪽 버그이니 보낸 내용과 함께 알려 주세요")
        return JSONResponse(envelope(text, [Issue((), text, "server_error")]), 500)


class IssueBody(BaseModel):
    loc: list[str | int] = Field(description="where in the request, e.g. [\"body\", \"layers\", 0, \"filters\"]")
    msg: str
    msg_ko: str
    type: str
    allowed: str | None = None
    allowed_ko: str | None = None


class Words(BaseModel):
    en: str
    ko: str


class ErrorBody(BaseModel):
    """The one shape of every error answer."""

    message: Words = Field(description="one sentence to show, in English and Korean")
    layer: int | None = Field(description="index of the layer to blame, if one is")
    name: str | None = Field(description="that layer's name")
    detail: list[IssueBody] = Field(description="every problem found, each with its location")


_MEANINGS = {
    400: "the body could not be read (not UTF-8, or a broken multipart form)",
    404: "no such resource",
    409: "not possible in the resource's current state (e.g. deleting a run that is training)",
    413: "over a limit (body size, picture size, memory or multiply-adds); the message names the setting",
    422: "malformed request: every problem with its location, in English and Korean",
    429: "too many jobs waiting; try again after Retry-After seconds",
    503: "no TensorFlow worker could take the job (starting, restarting or turned off); see Retry-After",
    504: "the job ran over its time limit",
}


def responses(*statuses: int) -> dict:
    """OpenAPI ``responses`` for the error statuses a route can answer, all in the one envelope."""
    # The JSON content is spelled out: FastAPI would otherwise document it in the route's own media type
    # (text/event-stream for the event streams), which is not what an error answer is.
    json_content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {status: {"model": ErrorBody, "description": _MEANINGS[status], "content": json_content}
            for status in statuses}
