"""The JSON API for shape questions: the catalogue and a model's shapes and parameter counts."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends

from app.config import Settings, get_settings
from app.core.engine import infer_model
from app.core.layers import catalogue
from app.core.spec import CIFAR_EXAMPLE, ModelSpec, validate_model

router = APIRouter(prefix="/api", tags=["shapes"])

_CATALOGUE = catalogue()  # static for the life of the process


@router.get("/layers", summary="The layer catalogue")
def get_layers() -> dict:
    """Every layer kind: Keras class name, aliases, category, description (en/ko) and its parameters
    (type, default, bounds or choices, required, description). The page renders its palette and forms from this."""
    return _CATALOGUE


@router.post("/shapes", summary="Shapes and parameter counts, exactly as Keras computes them")
def post_shapes(
    spec: ModelSpec = Body(openapi_examples={"cifar": {"summary": "Tutorial CIFAR-10 CNN head", "value": CIFAR_EXAMPLE}}),
    settings: Settings = Depends(get_settings),
) -> dict:
    """Each layer's output shape, parameter counts, activation size, multiply-adds and the formulas behind them.

    A model Keras could not build is still a 200: `valid` is false, the failing layer carries `error`, and the
    layers after it have `output_shape: null`. A malformed request (unknown type or argument, a value Keras
    refuses in the constructor, a limit exceeded) is a 422 naming the layer index and field."""
    return infer_model(validate_model(spec, settings)).to_json()
