"""The web app: routers, static files and templates. No logic lives here.

TensorFlow is never imported by the web process; it runs in worker processes.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import errors
from app.routes import shapes

ROOT = Path(__file__).resolve().parent.parent


def create_app() -> FastAPI:
    app = FastAPI(
        title="CNN Blocks",
        summary="Stack Keras layers and see shapes and parameter counts exactly as Keras computes them.",
        version="0.1.0",
    )
    errors.install(app)
    app.include_router(shapes.router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    return app


app = create_app()
