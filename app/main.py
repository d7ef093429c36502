"""The web app: routers, static files, templates and the worker pool's life. No logic lives here.

TensorFlow is never imported by the web process; it runs in worker processes or on a Ray cluster (app.jobs).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import errors, heap
from app.config import Settings, get_settings
from app.jobs import short_jobs
from app.limits import BodyLimits, DeclaredLength, UploadGate
from app.routes import datasets, docs, export, featuremaps, imports, pages, runs, shapes
from app.runs.store import RunStore
from app.runs.trainer import Trainer
from app.served_by import ServedBy

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.workers = short_jobs(settings)  # local worker processes, or Ray actors
        app.state.workers.start()
        app.state.runs = RunStore.from_settings(settings)  # CNN_DATABASE_URL, or SQLite in CNN_DATA_DIR
        app.state.trainer = Trainer(settings, app.state.runs)
        app.state.trainer.start()
        datasets.warm(settings)
        heap.settle(settings.gc_young_threshold)
        try:
            yield
        finally:
            await app.state.trainer.close()
            app.state.workers.close()
            app.state.runs.close()

    app = FastAPI(
        title="CNN Blocks",
        summary="Stack Keras layers and see shapes and parameter counts exactly as Keras computes them.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by app.routes.docs from local assets, not a CDN
        redoc_url=None,
    )
    app.dependency_overrides[get_settings] = _provider(settings)
    errors.install(app)
    # Bodies are refused (413) past their route's limit before anything parses or spools them (app.limits).
    limits = app.state.body_limits = BodyLimits(settings)
    app.include_router(shapes.router, max_body_size=limits.json.bytes)
    app.include_router(pages.router, max_body_size=limits.json.bytes)
    app.include_router(docs.router, max_body_size=limits.json.bytes)
    app.include_router(datasets.router, max_body_size=limits.dataset.bytes,
                       form_limits={"max_files": 1, "max_fields": 3})
    app.include_router(runs.router, max_body_size=limits.json.bytes)
    app.include_router(export.router, max_body_size=limits.json.bytes)
    app.include_router(featuremaps.router, max_body_size=limits.upload.bytes,
                       form_limits={**featuremaps.FORM_LIMITS, "max_part_size": settings.max_json_bytes})
    imports.install(app, settings)  # POST /api/import, its body limit and its upload gate
    app.add_middleware(UploadGate, path="/api/featuremaps", limit=settings.max_uploads_in_flight,
                       setting="CNN_MAX_UPLOADS_IN_FLIGHT")
    app.add_middleware(UploadGate, path="/api/datasets", limit=settings.max_dataset_uploads_in_flight,
                       setting="CNN_MAX_DATASET_UPLOADS_IN_FLIGHT")
    app.add_middleware(DeclaredLength, limits=limits)
    app.add_middleware(ServedBy)  # X-Served-By: which of several web processes answered
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    docs.mount_assets(app)
    return app


def _provider(settings: Settings):
    async def current_settings() -> Settings:  # async: resolved inline, no thread-pool hop per request
        return settings

    return current_settings


app = create_app()
