"""The page: GET / renders the block editor. Everything it shows is built in the browser from the API.

The language is chosen here so the first paint is already in the reader's language:
``?lang=`` wins, then the choice remembered by the page's toggle (a cookie), then the browser's
Accept-Language, then English.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

ROOT = Path(__file__).resolve().parent.parent.parent
LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=ROOT / "templates")


@lru_cache
def strings(lang: str) -> dict[str, str]:
    """The page's words in one language, the same file the browser loads when the language is toggled."""
    return json.loads((ROOT / "static" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def preferred_language(header: str | None) -> str | None:
    """The first supported language in an Accept-Language header, honouring q-values.

    >>> preferred_language("ko-KR,ko;q=0.9,en-US;q=0.8")
    'ko'
    >>> preferred_language("fr-FR, en;q=0.5, ko;q=0.7")
    'ko'
    >>> preferred_language("de") is None
    True
    """
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.split("-")[0].lower()))
    return next((lang for _, _, lang in sorted(ranked) if lang in LANGUAGES), None)


def choose_language(request: Request) -> str:
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    return preferred_language(request.headers.get("accept-language")) or DEFAULT_LANGUAGE


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    lang = choose_language(request)
    t = strings(lang)
    return templates.TemplateResponse(
        request, "index.html", {"lang": lang, "t": t, "strings_json": _script_safe(json.dumps(t, ensure_ascii=False))},
        headers={"Vary": "Accept-Language, Cookie"},
    )


def _script_safe(text: str) -> str:
    """JSON placed inside a <script> element must not be able to close it."""
    return text.replace("</", "<\\/")
