"""Datasets to train on: the built-in ones, and the learners' own zips of class folders (kept, listed, deletable)."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from app.config import Settings, get_settings
from app.core.text import Text, josa, quoted
from app.datasets import uploads
from app.datasets.registry import DATASETS, describe, find, uploaded, uploads_dir
from app.errors import Problem, responses

router = APIRouter(prefix="/api", tags=["training"])


@lru_cache(maxsize=4)
def _built_in(datasets_dir: Path) -> list[dict]:
    return [describe(dataset, datasets_dir) for dataset in DATASETS.values()]


def warm(settings: Settings) -> None:
    """Describe the built-in datasets ahead of the first visit to the Train tab: reading their arrays for the
    counts and samples takes 2.6 s here, which the first visitor would otherwise wait for."""
    threading.Thread(target=_built_in, args=(settings.datasets_dir,), name="datasets-warm", daemon=True).start()


def _listing(settings: Settings) -> dict:
    own = [describe(dataset, settings.datasets_dir) for dataset in uploaded(settings.data_dir)]
    return {"datasets": [*_built_in(settings.datasets_dir), *own]}


@router.get("/datasets", summary="Datasets to train on")
async def list_datasets(settings: Settings = Depends(get_settings)) -> dict:
    """Each dataset: `id`, `name` {en, ko}, `input_shape`, `classes` [{en, ko}], `train_count`, `test_count` and
    sample images, or `available: false` with the `reason` (MNIST and Fashion-MNIST need `make data`)."""
    return await anyio.to_thread.run_sync(_listing, settings)  # loading arrays: off the loop


@router.post("/datasets", status_code=201, summary="Upload a zip of class folders",
             responses=responses(400, 413, 422))
async def upload_dataset(
    file: Annotated[UploadFile, File(description="a zip: <class>/<picture>, or train/<class>/… and test/<class>/…")],
    name: Annotated[str, Form(max_length=80, description="what to call it")] = "My pictures",
    image_size: Annotated[int, Form(ge=8, description="pictures are resized to image_size × image_size")] = 32,
    color_mode: Annotated[Literal["rgb", "grayscale"], Form(description="3 channels, or 1")] = "rgb",
    settings: Settings = Depends(get_settings),
) -> dict:
    """Read as Keras's `flow_from_directory` would, as hostile data: the zip's size, entries, unpacked size and
    compression ratio are bounded, names may not escape the folder, files that are not pictures are skipped
    and counted. Without a test/ folder every fifth picture of each class is held out for testing."""
    if image_size > settings.max_dataset_image_size:
        raise Problem(422, Text(f"image_size {image_size} is above {settings.max_dataset_image_size} "
                                "(setting CNN_MAX_DATASET_IMAGE_SIZE)",
                                f"image_size {josa(image_size, '은/는')} 한도 {settings.max_dataset_image_size}보다 큽니다 "
                                "(설정 CNN_MAX_DATASET_IMAGE_SIZE)"), loc=("body", "image_size"))
    data = await file.read(settings.max_dataset_bytes + 1)
    limits = uploads.Limits(settings.max_zip_entries, settings.max_dataset_unpacked_bytes, settings.max_upload_bytes,
                            settings.max_dataset_picture_pixels)
    try:
        arrays = await anyio.to_thread.run_sync(uploads.read_zip, data, image_size, color_mode == "grayscale", limits)
    except uploads.DatasetRefused as refused:
        raise Problem(refused.status, refused.text, loc=("body", "file"))
    meta = await anyio.to_thread.run_sync(uploads.save, uploads_dir(settings.data_dir), name, arrays)
    return await anyio.to_thread.run_sync(describe, find(meta["id"], settings.data_dir), settings.datasets_dir)


@router.delete("/datasets/{dataset_id}", status_code=204, summary="Delete an uploaded dataset",
               responses=responses(404, 409))
async def delete_dataset(dataset_id: str, settings: Settings = Depends(get_settings)) -> Response:
    if dataset_id in DATASETS:
        raise Problem(409, Text("built-in datasets cannot be deleted", "기본 데이터셋은 지울 수 없습니다"),
                      loc=("path", "dataset_id"))
    dataset = find(dataset_id, settings.data_dir)
    if dataset is None:
        raise Problem(404, Text(f"there is no dataset {quoted(dataset_id)}",
                                f"데이터셋 {josa(quoted(dataset_id), '이/가')} 없습니다"),
                      loc=("path", "dataset_id"))
    dataset.uploaded.unlink(missing_ok=True)
    dataset.uploaded.with_suffix(".json").unlink(missing_ok=True)
    return Response(status_code=204)
