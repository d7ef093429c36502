"""GET /api/datasets: what can be trained on, with classes, counts and a few sample pictures."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import anyio
from fastapi import APIRouter, Depends

from app.config import Settings, get_settings
from app.datasets.registry import DATASETS, describe

router = APIRouter(prefix="/api", tags=["training"])


@lru_cache(maxsize=4)
def _listing(datasets_dir: Path) -> dict:
    return {"datasets": [describe(dataset, datasets_dir) for dataset in DATASETS.values()]}


@router.get("/datasets", summary="Datasets to train on")
async def list_datasets(settings: Settings = Depends(get_settings)) -> dict:
    """Each dataset: `id`, `name` {en, ko}, `input_shape`, `classes` [{en, ko}], `train_count`, `test_count` and
    sample images, or `available: false` with the `reason` (MNIST and Fashion-MNIST need `make data`)."""
    return await anyio.to_thread.run_sync(_listing, settings.datasets_dir)  # loading arrays: off the loop
