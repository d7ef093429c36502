"""The JSON API for shape questions: the catalogue and a model's shapes and parameter counts."""

from __future__ import annotations

import hashlib
import json

import orjson
from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from app.config import Settings, get_settings
from app.core.engine import infer_model
from app.core.layers import catalogue
from app.core.memo import Memo
from app.core.spec import CIFAR_EXAMPLE, ModelSpec, validate_model
from app.errors import responses

router = APIRouter(prefix="/api", tags=["shapes"])

_CATALOGUE = catalogue()  # static for the life of the process

# Whole answers (JSON bytes) by request body and settings, bounded by CNN_SHAPES_CACHE_MB. The page sends the same
# model again when it re-checks, and scripts ask in loops: NASNetLarge's answer is 1.4 MB, and encoding it alone
# takes longer than finding it here. Only 200s are kept; a refusal is worked out again every time.
_ANSWERS = Memo(get_settings().shapes_cache_mb * 1024 * 1024, sizeof=len)


@router.get("/layers", summary="The layer catalogue")
async def get_layers() -> dict:
    """Every layer kind: Keras class name, aliases, category, description (en/ko) and its parameters
    (type, default, bounds or choices, required, description). The page renders its palette and forms from this."""
    return _CATALOGUE


# async, and JSON bytes from orjson: the core answers in well under a millisecond, so a hop to the thread
# pool, re-validating the returned dict and the standard json encoder would cost more than the answer.
@router.post("/shapes", summary="Shapes and parameter counts, exactly as Keras computes them",
             response_class=Response,
             responses={200: {"description": "one row per layer, totals, the Keras-style summary",
                              "content": {"application/json": {}}}, **responses(400, 413, 422)})
async def post_shapes(
    request: Request,
    spec: ModelSpec = Body(openapi_examples={"cifar": {"summary": "Tutorial CIFAR-10 CNN head", "value": CIFAR_EXAMPLE}}),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Each layer's output shape, parameter counts, activation size, multiply-adds and the formulas behind them.

    A model Keras could not build is still a 200: `valid` is false, the failing layer carries `error`, and the
    layers after it have `output_shape: null`. A malformed request (unknown type or argument, a value Keras
    refuses in the constructor, a limit exceeded) is a 422 naming the layer index and field."""
    key = answer_key(await request.body(), settings)  # the body FastAPI has read already, not read again
    answer = _ANSWERS.get(key, lambda: json_bytes(infer_model(validate_model(spec, settings)).to_json()))
    return Response(answer, media_type="application/json")


def answer_key(body: bytes, settings: Settings) -> bytes:
    """A digest of the body and of every setting, since limits decide what is accepted (settings are a few
    hundred bytes: hashing them all costs microseconds and cannot miss a limit added later)."""
    digest = hashlib.blake2b(settings.model_dump_json().encode(), digest_size=32)
    digest.update(body)
    return digest.digest()


def json_bytes(body: dict) -> bytes:
    """JSON whose integers stay exact however large they are.

    Counts multiply: a Dense layer on a 65536³ input has more multiply-adds than 2⁶⁴, which orjson refuses
    to write. Such answers (rare) are written by the standard library instead, whose integers have no bound;
    every other answer keeps orjson's speed.

    >>> json_bytes({"macs": 2**70})
    b'{"macs":1180591620717411303424}'
    """
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
