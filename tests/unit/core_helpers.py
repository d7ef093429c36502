"""Running specs through the core in unit tests (no TensorFlow anywhere)."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.core.engine import infer_model
from app.core.spec import ModelSpec, SpecError, validate_model


def L(type_name: str, **arguments) -> dict:
    return {"type": type_name, **arguments}


def validate(input_shape: list, *layers: dict):
    return validate_model(ModelSpec.model_validate({"input_shape": input_shape, "layers": list(layers)}), Settings())


def run(input_shape: list, *layers: dict) -> dict:
    return infer_model(validate(input_shape, *layers)).to_json()


def params_of(type_name: str, input_shape: list | None = None, **arguments) -> dict:
    """The normalised constructor arguments of one layer."""
    return validate(input_shape or [8, 8, 3], L(type_name, **arguments)).layers[0].params


def refused(input_shape: list, *layers: dict) -> list[dict]:
    """The issues of a request that must be a 422."""
    with pytest.raises(SpecError) as caught:
        validate(input_shape, *layers)
    return [issue.to_json() for issue in caught.value.issues]


def formulas(row: dict, part: str) -> list[str]:
    return [step["formula"] for step in row["explain"][part]]
