"""Errors for people: every 4xx says where, what was expected and what to try; never a 500 for user input."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.core.spec import SpecError


def where(loc: list) -> str:
    """A location as a person writes it.

    >>> where(["body", "layers", 2, "filters"])
    'layers[2].filters'
    >>> where(["body"])
    'body'
    """
    text = ""
    for part in loc[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "body"


def _issue(error: dict) -> dict:
    """A pydantic error made readable: say which field; drop the echoed input and internals."""
    loc = list(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "JSON decode error")
        field = next((part for part in loc[1:] if isinstance(part, str)), None)  # e.g. the form field "model"
        what = f"the {field!r} field" if field else "the body"
        position = next((part for part in loc[1:] if isinstance(part, int)), None)
        at = f" (at character {position})" if position is not None else ""
        at_ko = f" ({position}번째 문자)" if position is not None else ""
        return {"loc": loc[: 2 if field else 1], "msg": f"{what} is not valid JSON: {reason}{at}",
                "msg_ko": f"{field or '본문'}이(가) 올바른 JSON이 아닙니다: {reason}{at_ko}", "type": "json_invalid"}
    msg = error.get("msg", "invalid value")
    # pydantic speaks English only; the Korean line says the same with its words quoted.
    return {"loc": loc, "msg": f"{where(loc)}: {msg}", "msg_ko": f"{where(loc)}: 올바르지 않은 값입니다 ({msg})",
            "type": error.get("type", "value_error")}


def install(app: FastAPI) -> None:
    @app.exception_handler(SpecError)
    async def spec_error(_: Request, exc: SpecError) -> JSONResponse:
        return JSONResponse({"detail": [issue.to_json() for issue in exc.issues]}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def request_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": [_issue(e) for e in exc.errors()]}, status_code=422)
