"""Opening a Keras model file: a .keras, a legacy .h5 or a model.to_json() file becomes a model we can answer for."""

from __future__ import annotations

import zipfile
from typing import Annotated, BinaryIO

import anyio
from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import Response

from app.config import Settings, get_settings
from app.core.engine import infer_model
from app.core.readers import Imported, ImportRefused, ReadLimits, read_model_file
from app.core.readers.code import CodeImported, CodeLimits, TrainingLimits, read_code
from app.core.spec import Issue, ModelSpec, SpecError, validate_model
from app.core.text import Text, clip
from app.errors import Problem, responses
from app.limits import UploadGate
from app.routes.shapes import json_bytes
from app.runs.imported import WeightsTooLarge
from app.runs.imported import keep_weights as keep_run_weights

router = APIRouter(prefix="/api", tags=["shapes"])
PATH = "/api/import"
FORM_LIMITS = {"max_files": 1, "max_fields": 1, "max_part_size": 64 * 1024}
CODE_SUFFIXES = (".py", ".pyw")


def form_limits(settings: Settings) -> dict:
    """The ``code`` field is held in memory: up to 8 × its limit is received and answered 413 naming the setting
    (a megabyte of code by default); Starlette refuses a larger field itself (400)."""
    return {**FORM_LIMITS, "max_part_size": max(FORM_LIMITS["max_part_size"], 8 * settings.max_import_code_bytes)}


def install(app: FastAPI, settings: Settings) -> None:
    """The route, bounded like every upload: its body (app.limits) and how many are received at once."""
    app.include_router(router, max_body_size=app.state.body_limits.for_path(PATH).bytes,
                       form_limits=form_limits(settings))
    app.add_middleware(UploadGate, path=PATH, limit=settings.max_imports_in_flight,
                       setting="CNN_MAX_IMPORTS_IN_FLIGHT")


@router.post("/import", summary="Open a Keras model file, or Keras code, as a model", response_class=Response,
             responses={200: {"description": "the model as a /api/shapes body, notes on what was changed, what the "
                                             "file or code said about itself, its shapes, and for code that calls "
                                             "compile() or fit() the training settings",
                              "content": {"application/json": {}}}, **responses(400, 413, 422, 429)})
async def import_model(
    request: Request,
    file: Annotated[UploadFile | None, File(description="a .keras file (model.save), a legacy .h5 file, the JSON of "
                                                        "model.to_json(), or a .py file of Keras code")] = None,
    code: Annotated[str | None, Form(description="Python code that builds a Keras model (parsed, never run)")] = None,
    settings: Settings = Depends(get_settings),
) -> Response:
    """The architecture only, read as data: the `.keras` zip's `config.json` or the `.h5` file's `model_config`,
    never Keras's deserializer, so nothing in the file can run. Functional and Sequential models with one input
    and one output, Keras 3 or Keras 2 / tf.keras; a model nested inside is opened up in its place.

    The answer: `model` (the body POST /api/shapes takes: `input_shape` and `layers`, each with its Keras name,
    `inputs` where it does not take the layer before it, and the arguments the catalogue knows), `notes` (what was
    dropped or changed, each with the layers it concerns), `source` (format, Keras version, whether the file holds
    weights, …), `shapes` (the answer of POST /api/shapes for `model`) and `run_id`: when the file holds weights
    they are kept like a finished training run's, and POST /api/featuremaps with this `run_id` draws what the
    network sees with them (the worker builds the model from `model` and loads only the weights); null otherwise.

    Refused with what and where (the layer's index in the file and its name): a `Lambda` or any Python code, a class
    the catalogue does not know or from a module that is not Keras's, several inputs or outputs, a shared layer
    (422); a file, config, zip or nesting over its limit (413, naming the setting); a damaged file (422).

    **Code** (the `code` field, or a `.py` file as `file`) is parsed with Python's `ast` and never run: Sequential,
    `add()`, the functional API, Keras 1 and 2 spellings (each change in `notes`), literals, names given literals
    and arithmetic on them. `source.format` is `python`, `source.lines` the line of each layer, `run_id` null, and
    `training` (optimizer, learning_rate, epochs, batch_size, validation_split, as POST /api/runs names them) comes
    when the code calls compile() or fit(). Anything else is a 422 whose message starts with its line and column
    ("line 7, column 12: …") and says what to write instead; code over CNN_MAX_IMPORT_CODE_BYTES is a 413."""
    if (file is None) == (code is None):
        raise Problem(422, Text("send a model file as file, or Python code as code (one of them)",
                                "모델 파일은 file로, 파이썬 코드는 code로 보내세요 (둘 중 하나)"),
                      loc=("body", "file" if file is None else "code"), kind="missing" if file is None else "refused")
    if code is not None or (file.filename or "").lower().endswith(CODE_SUFFIXES):
        return await _import_code(file, code, settings)
    limits = ReadLimits(settings.max_import_config_bytes, settings.max_import_zip_entries,
                        settings.max_import_json_depth, settings.max_layers)
    try:  # off the loop: parsing a 1 MB config and walking 1,000 layers takes tens of milliseconds
        imported = await anyio.to_thread.run_sync(read_model_file, file.file, file.filename, limits)
    except ImportRefused as refused:
        raise Problem(refused.status, refused.text, layer=refused.layer, name=refused.name, loc=refused.loc,
                      kind=refused.kind)
    shapes = await anyio.to_thread.run_sync(_shapes, imported, settings)
    run_id = await keep_weights(file.file, imported, shapes, request, settings)
    return Response(json_bytes({**imported.to_json(), "shapes": shapes, "run_id": run_id}),
                    media_type="application/json")


async def _import_code(file: UploadFile | None, code: str | None, settings: Settings) -> Response:
    field = "code" if code is not None else "file"
    limits = CodeLimits(settings.max_import_code_bytes, settings.max_layers,
                        TrainingLimits(settings.max_epochs, settings.max_batch_size))
    data = code if code is not None else await anyio.to_thread.run_sync(file.file.read, limits.max_code_bytes + 1)
    filename = file.filename if file is not None else None
    try:  # off the loop: parsing 256 KB of code takes tens of milliseconds
        imported = await anyio.to_thread.run_sync(read_code, data, filename, limits, field)
    except ImportRefused as refused:
        raise Problem(refused.status, refused.text, loc=refused.loc, kind=refused.kind)
    shapes = await anyio.to_thread.run_sync(_code_shapes, imported, settings, field)
    return Response(json_bytes({**imported.to_json(), "shapes": shapes, "run_id": None}), media_type="application/json")


def _code_shapes(imported: CodeImported, settings: Settings, field: str) -> dict:
    """As for a file, the refusal of a layer headed by the line of code that makes it."""
    try:
        return _shapes(imported, settings)
    except Problem as problem:
        lines = imported.source["lines"]
        line = lines[problem.layer] if problem.layer is not None and problem.layer < len(lines) else None
        message = Text(problem.message.en.replace("the model in the file", "the model in the code", 1),
                       problem.message.ko.replace("파일의 모델", "코드의 모델", 1))
        if line is not None:
            message = Text(f"line {line}: {message.en}", f"{line}행: {message.ko}")
        refusal = Problem(problem.status_code, message, layer=problem.layer, name=problem.name)
        refusal.issues = [Issue(("body", field, *issue.loc[2:]), issue.msg, issue.type, issue.allowed)
                          for issue in problem.issues]
        raise refusal from None


def _shapes(imported: Imported, settings: Settings) -> dict:
    """The /api/shapes answer for the model read; a model our validation refuses is a 422 naming the layer."""
    try:
        return infer_model(validate_model(ModelSpec.model_validate(imported.model), settings)).to_json()
    except SpecError as error:
        raise _refused_spec(error, imported.model)


def _refused_spec(error: SpecError, model: dict) -> Problem:
    issues = [Issue(("body", "file", "model", *issue.loc[1:]), issue.msg, issue.type, issue.allowed)
              for issue in error.issues]
    first = issues[0]
    index = first.loc[4] if len(first.loc) > 4 and first.loc[3] == "layers" and isinstance(first.loc[4], int) else None
    name = model["layers"][index].get("name") if index is not None and index < len(model["layers"]) else None
    more = len(issues) - 1
    message = Text(f"the model in the file cannot be used as it is: {first.msg.en}"
                   + (f" (and {more} more)" if more else ""),
                   f"파일의 모델을 그대로 쓸 수 없습니다: {first.msg.ko}" + (f" (외 {more}건)" if more else ""))
    problem = Problem(422, message, layer=index, name=name)
    problem.issues = issues
    return problem


async def keep_weights(file: BinaryIO, imported: Imported, shapes: dict, request: Request,
                       settings: Settings) -> str | None:
    """The file's weights kept as a finished run (app.runs.imported), so feature maps and kernels can be drawn
    from them; the run's id, or None when the file holds none. Copied off the loop: they can be hundreds of MB."""
    try:
        return await anyio.to_thread.run_sync(
            keep_run_weights, file, imported.source, imported.model, shapes["total_params"], request.app.state.runs,
            settings.data_dir, settings.max_import_bytes)
    except WeightsTooLarge:
        raise Problem(413, Text(f"the weights in the file inflate past {settings.max_import_bytes:,} bytes (setting "
                                "CNN_MAX_IMPORT_BYTES)", f"파일의 가중치가 풀면 {settings.max_import_bytes:,}바이트를 넘습니다 "
                                "(설정 CNN_MAX_IMPORT_BYTES)"), loc=("body", "file"))
    except (OSError, zipfile.BadZipFile, KeyError) as error:  # a damaged weights entry: keep the architecture
        imported.notes.add(Text(f"the weights could not be kept ({clip(str(error), 120)}); the architecture is open",
                                f"가중치를 보관하지 못했습니다 ({clip(str(error), 120)}); 구조는 열렸습니다"))
        return None
