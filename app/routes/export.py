"""Code and files out: the model as runnable Keras code (with a run: its training too), as a ``.keras`` file, or
drawn as blocks in SVG or PNG."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Literal

import anyio
from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from app.config import Settings, get_settings
from app.core.engine import ModelResult, infer_model
from app.core.export.layout import layout
from app.core.export.png import PngRefused, png_scale, to_png
from app.core.export.python import model_code
from app.core.export.svg import to_svg
from app.core.export.training import Data, opened_code, training_code
from app.core.export.words import words
from app.core.spec import CIFAR_EXAMPLE, ModelSpec, SpecError, validate_model
from app.core.summary import FLOAT32_BYTES
from app.core.text import Text, josa, quoted
from app.datasets.registry import find
from app.errors import Problem, responses
from app.routes.featuremaps import CLIENT_GONE, _refuse_if_busy, _unless_disconnected
from app.runs.imported import IMPORTED, weights_file

router = APIRouter(prefix="/api", tags=["export"])
MB = 1024 * 1024
MEDIA = {"python": "text/x-python; charset=utf-8", "keras": "application/octet-stream", "svg": "image/svg+xml",
         "png": "image/png"}
FILENAMES = {"python": "model.py", "keras": "model.keras", "svg": "model.svg", "png": "model.png"}


class ExportRequest(BaseModel):
    """The body of POST /api/export."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"model": CIFAR_EXAMPLE, "format": "python"}, {"model": CIFAR_EXAMPLE, "format": "svg", "lang": "ko"}]})

    model: ModelSpec | None = Field(None, description="the same body as POST /api/shapes; with `run_id`, the run's "
                                                      "own model is used and this may be left out")
    format: Literal["python", "keras", "svg", "png"] = Field(description="python: a script; keras: a .keras file; "
                                                                         "svg / png: the model drawn as blocks")
    run_id: str | None = Field(None, max_length=32, description="a training run (python: its training code too; keras: "
                                                                "its trained file) or a model file opened with weights")
    lang: Literal["en", "ko"] = Field("en", description="the language of the code's comments and the drawing's words")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="keras without run_id: the weight initialisation seed (the "
                                                         "same seed gives the same file's weights)")


EXAMPLES = {"python": {"summary": "The CIFAR-10 head as Keras code", "value": {"model": CIFAR_EXAMPLE, "format": "python"}},
            "svg": {"summary": "Drawn as blocks, in Korean", "value": {"model": CIFAR_EXAMPLE, "format": "svg", "lang": "ko"}}}


@router.post("/export", summary="The model as Keras code, a .keras file, or a drawing", response_class=Response,
             responses={200: {"description": "the file, as an attachment named model.py, model.keras, model.svg or "
                                             "model.png", "content": {media: {} for media in MEDIA.values()}},
                        **responses(400, 409, 413, 422, 429, 503, 504)})
async def export(request: Request, body: ExportRequest = Body(openapi_examples=EXAMPLES),
                 settings: Settings = Depends(get_settings)) -> Response:
    """- `python`: runnable Keras 3 code, `keras.Sequential` for a stack and the functional API when layers name their
      `inputs`; the page's Python view shows this text. A model Keras cannot build is still written, with a comment at
      the layer where it fails (the code raises there, as Keras would). With `run_id`, the run's training too: the data
      loaded as at home (`keras.datasets.mnist.load_data()`, or class folders through
      `keras.utils.image_dataset_from_directory`), scaled to [0, 1], compiled with the run's optimizer, learning rate
      and loss, fitted, evaluated and saved.
    - `keras`: the untrained model built by a TensorFlow worker with `seed`, or with `run_id` the run's trained file.
    - `svg` / `png`: a card per layer (type, name, arguments, output shape, parameters), branches as lanes closed by
      a merge that lists what comes in, a graph that does not nest into lanes as rows naming their inputs, totals.

    Refused: a malformed model (422, as POST /api/shapes, inside `model`); for keras, svg and png a model Keras
    cannot build or with no layers (422 naming the layer); an unknown run (422), a run without a trained file
    (409); weights over CNN_MAX_WEIGHTS_MB or a PNG over CNN_MAX_EXPORT_PIXELS (413); busy or no worker (429, 503),
    a build over its time (504); no cairo library for PNG (503)."""
    run = await _run(request, body.run_id) if body.run_id else None
    spec, result = _checked(run, body.model, settings)
    if body.format == "python":
        text = await anyio.to_thread.run_sync(_python, result, run, body.lang, settings)
        return _attachment(text.encode("utf-8"), "python")
    _refuse_unbuilt(result)
    if body.format == "keras":
        return await _keras(request, spec, result, run, body.seed, settings)
    return await _drawing(request, result, run, body.format, body.lang, settings)


async def _run(request: Request, run_id: str) -> dict:
    run = await anyio.to_thread.run_sync(request.app.state.runs.get, run_id)
    if run is None:
        raise Problem(422, Text(f"there is no run {quoted(run_id)}", f"실행 {josa(quoted(run_id), '이/가')} 없습니다"),
                      loc=("body", "run_id"))
    return run


def _checked(run: dict | None, model: ModelSpec | None, settings: Settings) -> tuple[ModelSpec, ModelResult]:
    if run is not None:
        model = ModelSpec.model_validate(run["request"]["model"])
    if model is None:
        raise Problem(422, Text("send the model (field 'model') or a run (field 'run_id')",
                                "모델 (필드 'model')이나 실행 (필드 'run_id')을 보내 주세요"), loc=("body", "model"))
    try:
        return model, infer_model(validate_model(model, settings))
    except SpecError as error:  # the same 422 as /api/shapes, located inside the "model" field
        raise SpecError([replace(issue, loc=("body", "model", *issue.loc[1:])) for issue in error.issues])


def _refuse_unbuilt(result: ModelResult) -> None:
    """A file or a drawing needs a model Keras builds (one it cannot run data through is still built and drawn)."""
    failed = result.failed
    if failed is not None:
        raise Problem(422, failed.error, layer=failed.layer.index, name=failed.layer.name,
                      loc=("body", "model", "layers", failed.layer.index))
    if not result.layers:
        raise Problem(422, Text("the model has no layers yet; add one first",
                                "모델에 레이어가 아직 없습니다; 먼저 하나 추가하세요"), loc=("body", "model", "layers"))


def _python(result: ModelResult, run: dict | None, lang: str, settings: Settings) -> str:
    if run is None:
        return model_code(result, lang)
    if run["dataset"] == IMPORTED:
        return opened_code(result, (run["request"].get("source") or {}).get("filename"), lang)
    dataset = find(run["dataset"], settings.data_dir)
    data = Data(run["dataset"], dataset.name.en if dataset else run["dataset"],
                tuple(c.en for c in dataset.classes) if dataset else None, dataset is None or dataset.uploaded is not None)
    return training_code(result, run, data, lang)


def _attachment(content: bytes, file_format: str) -> Response:
    return Response(content, media_type=MEDIA[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{FILENAMES[file_format]}"'})


async def _keras(request: Request, spec: ModelSpec, result: ModelResult, run: dict | None, seed: int,
                 settings: Settings) -> Response:
    weights = None
    if run is not None and run["dataset"] != IMPORTED:  # trained here: its file is there already
        path = Path(run["weights"]) if run.get("weights") and run["weights"].endswith(".keras") else None
        if path is None or not path.exists():
            raise Problem(409, Text("this run has no trained model (yet)", "이 실행에는 (아직) 학습된 모델이 없습니다"),
                          loc=("body", "run_id"))
        return FileResponse(path, media_type=MEDIA["keras"], filename=FILENAMES["keras"])
    if run is not None:  # opened from a file: its weights go into the model built from our spec
        weights = weights_file(run)
        if weights is None or not weights.exists():
            raise Problem(409, Text("this run's weights are not kept", "이 실행의 가중치가 남아 있지 않습니다"),
                          loc=("body", "run_id"))
    _check_weights(result, settings)
    workers = request.app.state.workers
    if settings.workers < 1 and not getattr(settings, "ray_address", None):
        raise Problem(503, Text("building a .keras file needs a TensorFlow worker, and this server has none (setting "
                                "CNN_WORKERS=0); ask for format python, svg or png",
                                ".keras 파일을 만들려면 TensorFlow 작업자가 필요한데 이 서버에는 없습니다 (설정 CNN_WORKERS=0); "
                                "python, svg, png 형식으로 받으세요"), loc=("body", "format"))
    _refuse_if_busy(request)
    local = getattr(workers, "engine", "local") == "local"  # a worker on this machine can write where we read
    folder = Path(tempfile.mkdtemp(prefix="cnn-export-")) if local else None
    payload = {"model": spec.model_dump(), "seed": seed, "settings": settings.model_dump(),
               "path": str(folder / "model.keras") if folder else None,
               "weights": None if weights is None else str(weights)}
    try:
        done = await _unless_disconnected(request, workers.run("export", payload))
    except BaseException:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    if done is None or folder is None:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        return Response(status_code=CLIENT_GONE) if done is None else _attachment(done["content"], "keras")
    return FileResponse(folder / "model.keras", media_type=MEDIA["keras"], filename=FILENAMES["keras"],
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))


def _check_weights(result: ModelResult, settings: Settings) -> None:
    """Building a model allocates its weights (no picture runs through it): only they are bounded here."""
    weights = sum(result.totals()) * FLOAT32_BYTES
    if weights > settings.max_weights_mb * MB:
        raise Problem(413, Text(
            f"the weights take {weights / MB:,.0f} MB, over the limit of {settings.max_weights_mb:,} MB "
            "(setting CNN_MAX_WEIGHTS_MB); use fewer units or filters",
            f"가중치가 {weights / MB:,.0f} MB로 한도 {settings.max_weights_mb:,} MB를 넘습니다 (설정 CNN_MAX_WEIGHTS_MB); "
            "유닛이나 필터를 줄이세요"), loc=("body", "model"))


async def _drawing(request: Request, result: ModelResult, run: dict | None, file_format: str, lang: str,
                   settings: Settings) -> Response:
    limiter = getattr(request.app.state, "drawings", None)
    if limiter is None:
        limiter = request.app.state.drawings = anyio.CapacityLimiter(settings.max_drawings_in_flight)
    caption = _caption(run, lang, settings)

    def draw() -> bytes:
        drawing = layout(result, lang, caption)
        if file_format == "svg":
            return to_svg(drawing).encode("utf-8")
        scale = png_scale(drawing, settings.max_export_pixels)  # refused before any pixel is made
        return to_png(to_svg(drawing), scale)

    try:  # off the loop: a 1,000-layer drawing takes a second, its PNG more
        content = await anyio.to_thread.run_sync(draw, limiter=limiter)
    except PngRefused as refused:
        raise Problem(refused.status, refused.text, loc=("body", "format"))
    return _attachment(content, file_format)


def _caption(run: dict | None, lang: str, settings: Settings) -> str | None:
    if run is None:
        return None
    if run["dataset"] == IMPORTED:
        name = (run["request"].get("source") or {}).get("filename") or "a file"
        return getattr(Text(f"Opened from {name}, with its weights", f"{name}에서 가중치와 함께 열었습니다"), lang)
    if run["status"] not in ("done", "stopped"):
        return None  # not trained (yet): drawn as the model it is
    dataset = find(run["dataset"], settings.data_dir)
    name = dataset.name if dataset else Text(run["dataset"], run["dataset"])
    accuracy = ((run.get("results") or {}).get("test") or {}).get("accuracy")
    return getattr(words.trained(name, len(run.get("history") or []) or run["request"]["epochs"], accuracy), lang)
