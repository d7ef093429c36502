"""Feature maps: upload a picture (or pick a sample) and see what every layer makes of it."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Coroutine
from typing import Annotated, Any

import anyio
import orjson
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from app.config import Settings, get_settings
from app.core.engine import ModelResult, infer_model
from app.core.resources import OverBudget, check_budget
from app.core.shapes import format_shape
from app.core.spec import ModelSpec, validate_model
from app.core.summary import FLOAT32_BYTES
from app.core.text import Text, josa, quoted
from app.errors import Problem, refuse_unrunnable, responses
from app.imaging import ImageError, check_upload
from app.jobs import WorkerError
from app.runs.imported import IMPORTED, weights_file
from app.samples import SAMPLES, sample_png

router = APIRouter(prefix="/api", tags=["feature maps"])

# The form has one file and three fields: anything more is refused before it is spooled anywhere.
FORM_LIMITS = {"max_files": 1, "max_fields": 3}
DISCONNECT_POLL_S = 0.25
CLIENT_GONE = 499  # nginx's code for "client closed request": logged, never read by anyone


@router.get("/samples", summary="Built-in sample pictures")
def list_samples() -> dict:
    return {"samples": [sample.to_json() for sample in SAMPLES.values()]}


@router.get("/samples/{sample_id}.png", summary="One sample picture", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, **responses(404)})
def get_sample(sample_id: str) -> Response:
    if sample_id not in SAMPLES:
        raise Problem(404, _no_sample(sample_id), loc=("path", "sample_id"))
    return Response(sample_png(sample_id), media_type="image/png",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.post("/featuremaps", summary="Every layer's output for one picture",
             responses=responses(400, 413, 422, 429, 503, 504))
async def post_featuremaps(
    request: Request,
    model: Annotated[str | None, Form(description="the same JSON body as POST /api/shapes")] = None,
    image: Annotated[UploadFile | None, File(description="PNG, JPEG, GIF, BMP or WebP")] = None,
    sample: Annotated[str | None, Form(description="a sample id from GET /api/samples, instead of an image")] = None,
    seed: Annotated[int, Form(ge=0, le=2**31 - 1, description="weight initialisation seed")] = 0,
    run_id: Annotated[str | None, Form(max_length=32, description="a finished run: its model and trained weights, "
                                                                   "instead of `model` and `seed`")] = None,
    settings: Settings = Depends(get_settings),
) -> Response:
    """The picture is resized to the input's height × width, made 1 or 3 channels, scaled to [0, 1].

    Per layer: `stats`; for (H, W, C) outputs one PNG mosaic of all channels (`grid` [rows, cols], `tile`
    [H, W], one grey scale per layer); for flat outputs `values` (capped, `truncated`); for 2-D
    convolutions `kernels`: a mosaic of kernel weights (`layout` filter_by_input: a row per filter, a
    column per input channel; per_channel: one tile per output channel), mid-grey = 0.

    Where it ran: `engine` `local` with the worker's `worker_pid`, or `ray` with the Ray `node` id and `worker_pid`.

    Busy: 429 when CNN_MAX_QUEUED_JOBS requests already wait, 503 while no worker can start; both say
    `Retry-After`. A request whose client hangs up is cancelled and its worker freed."""
    weights, model, run_seed = await _trained(request, run_id, model)
    seed = seed if run_seed is None else run_seed
    spec, result = _checked_model(model, settings)
    height, width, channels = _image_input(result)  # before the budget: an unknown size is about the input
    _check_budget(result, settings)
    picture = await _picture_bytes(image, sample, settings)  # at most CNN_MAX_UPLOAD_BYTES
    # Off the loop: Pillow reads some headers in Python (a JPEG of 2.6 million empty markers took 3.4 s),
    # and in a thread the interpreter still hands the loop its turns.
    await anyio.to_thread.run_sync(_check_picture, picture, settings)
    _refuse_if_busy(request)  # before waiting: what waiting requests hold is bounded by the queue
    payload = {"model": spec.model_dump(), "seed": seed, "picture": picture, "input_shape": (height, width, channels),
               "weight_bytes": sum(result.totals()) * FLOAT32_BYTES, "settings": settings.model_dump(),
               "weights": weights, "kernels_before": weights is not None and run_seed is not None}
    done = await _unless_disconnected(request, request.app.state.workers.call("featuremaps", payload))
    if done is None:
        return Response(status_code=CLIENT_GONE)
    maps = done.value
    body = {
        "input": {"image": maps["input"], "shape": [height, width, channels]},
        "layers": [{"index": row.layer.index, "name": row.layer.name, "type": row.layer.kind.type,
                    "output_shape": list(row.output_shape), **out} for row, out in zip(result.layers, maps["layers"])],
        **done.where,  # engine "local" with the worker's pid, or "ray" with the node's id
    }
    return Response(orjson.dumps(body), media_type="application/json")


async def _trained(request: Request, run_id: str | None, model: str | None) -> tuple[str | None, str, int | None]:
    """The weights file, model and seed of a finished run, or (None, the model sent, None). A run opened from a
    file has no seed: its weights were not trained from ours."""
    if run_id is None:
        if model is None:
            raise Problem(422, Text("send the model (field 'model') or a finished run (field 'run_id')",
                                    "모델 (필드 'model')이나 끝난 실행 (필드 'run_id')을 보내 주세요"), loc=("body", "model"))
        return None, model, None
    run = await anyio.to_thread.run_sync(request.app.state.runs.get, run_id)
    weights = weights_file(run)
    if weights is None or not weights.exists():
        raise Problem(422, Text(f"run {quoted(run_id)} has no trained weights (unknown, still training, or failed)",
                                f"실행 {quoted(run_id)}에는 학습된 가중치가 없습니다 (없는 실행, 학습 중, 또는 실패)"),
                      loc=("body", "run_id"))
    seed = None if run["dataset"] == IMPORTED else run["request"]["seed"]
    return str(weights), json.dumps(run["request"]["model"]), seed


def _refuse_if_busy(request: Request) -> None:
    try:
        request.app.state.workers.check_room()
    except WorkerError as error:
        raise _problem(error)


def _problem(error: WorkerError) -> Problem:
    headers = {"Retry-After": str(math.ceil(error.retry_after_s))} if error.retry_after_s else None
    return Problem(error.status, error.text, headers=headers, loc=())


async def _unless_disconnected(request: Request, job: Coroutine) -> Any:
    """The job's answer, or None if the client hung up first: then the job is cancelled (its worker killed
    and replaced) instead of holding the only worker for an answer nobody will read."""
    task = asyncio.ensure_future(job)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL_S)
            if done:
                return task.result()
            if await request.is_disconnected():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                return None
    except WorkerError as error:
        raise _problem(error)
    finally:
        if not task.done():  # our own caller was cancelled (server shutting down)
            task.cancel()


def _checked_model(text: str, settings: Settings) -> tuple[ModelSpec, ModelResult]:
    try:
        spec = ModelSpec.model_validate_json(text)
    except ValidationError as error:
        raise RequestValidationError([{**e, "loc": ("body", "model", *e["loc"])} for e in error.errors()])
    result = infer_model(validate_model(spec, settings))
    refuse_unrunnable(result, Text("the model has no layers yet; add one to see what it does to the picture",
                                   "모델에 레이어가 아직 없습니다; 레이어를 추가하면 그림이 어떻게 바뀌는지 볼 수 있습니다"))
    return spec, result


def _check_budget(result: ModelResult, settings: Settings) -> None:
    try:
        check_budget(result, settings.max_activation_mb, settings.max_weights_mb, settings.max_macs)
    except OverBudget as error:
        name = result.layers[error.layer].layer.name if error.layer is not None else None
        loc = ("body", "model", "layers", error.layer) if error.layer is not None else ("body", "model")
        raise Problem(413, error.message, layer=error.layer, name=name, loc=loc)


def _image_input(result: ModelResult) -> tuple[int, int, int]:
    shape = result.model.input_shape
    if len(shape) != 4 or None in shape[1:] or shape[3] not in (1, 3):
        raise Problem(422, loc=("body", "model", "input_shape"), message=Text(
            f"feature maps need an image input (height, width, 1 or 3 channels) of fixed size; "
            f"this model's input is {format_shape(shape)}",
            f"특성 맵에는 크기가 정해진 이미지 입력 (높이, 너비, 채널 1 또는 3)이 필요합니다; "
            f"이 모델의 입력은 {format_shape(shape)}입니다"))
    return shape[1], shape[2], shape[3]


async def _picture_bytes(image: UploadFile | None, sample: str | None, settings: Settings) -> bytes:
    if image is not None and image.filename:
        return await image.read(settings.max_upload_bytes + 1)
    if sample is not None:
        if sample not in SAMPLES:
            raise Problem(422, _no_sample(sample), loc=("body", "sample"))
        return sample_png(sample)
    raise Problem(422, loc=("body", "image"), message=Text("send an image file (field 'image') or a sample id (field 'sample')",
                            "이미지 파일 (필드 'image')이나 예제 id (필드 'sample')를 보내 주세요"))


def _check_picture(data: bytes, settings: Settings) -> None:
    """From the header only (no decoding here): a bad file is refused at once, without using a worker."""
    try:
        check_upload(data, settings.max_upload_bytes, settings.max_image_pixels)
    except ImageError as error:
        raise Problem(error.status, error.text, loc=("body", "image"))


def _no_sample(sample_id: str) -> Text:
    choices = ", ".join(SAMPLES)
    return Text(f"no sample {quoted(sample_id)}; choose one of {choices}", f"예제 {josa(quoted(sample_id), '은/는')} 없습니다; {choices} 중에서 고르세요")
