"""The interactive API documentation (/docs), served from this server alone.

FastAPI's own page loads Swagger UI from a CDN, so offline (a classroom without internet, this machine)
/docs was blank. The same page here takes its script and styles from the ``fastapi-offline`` package
(PyPI), installed with the app and served under /api-docs-assets. ReDoc is not offered: its page loads
its logo from a CDN whatever its options say.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/api-docs-assets"

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="CNN Blocks API",
                               swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS}/swagger-ui.css",
                               swagger_favicon_url=f"{ASSETS}/favicon.png")



def mount_assets(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="api-docs-assets")
