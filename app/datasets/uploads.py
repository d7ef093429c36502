"""A dataset of the learner's own: a zip of class folders as Keras's ``flow_from_directory`` reads them
(``<class>/*.png``, or ``train/<class>/…`` and ``test/<class>/…``), read as hostile data.

Bounded before it is read: the zip's size (the route's body limit), its number of entries, each entry's
declared size and compression ratio (a bomb declares little and inflates a lot, so the bytes read are counted
too), names that would escape the folder. Nothing is extracted to disk: each picture is read into memory,
checked from its header, decoded with the same code as feature-map uploads, resized, and kept as uint8."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from app.core.text import Text, josa, quoted
from app.datasets.registry import Arrays, facts
from app.imaging import ImageError, decode_upload

MAX_RATIO = 100  # uncompressed / compressed for one entry; pictures are already compressed, text is ~10
TEST_SHARE = 5  # without a test/ folder, every fifth picture of each class is held out


class DatasetRefused(ValueError):
    def __init__(self, text: Text, status: int = 422):
        super().__init__(text.en)
        self.text, self.status = text, status


@dataclass(frozen=True)
class Limits:
    max_entries: int
    max_unpacked_bytes: int
    max_image_bytes: int
    max_image_pixels: int


def read_zip(data: bytes, image_size: int, grey: bool, limits: Limits) -> dict:
    """The pictures by split and class, resized: {"classes": [...], "x_train", "y_train", "x_test", "y_test",
    "skipped"}; raises DatasetRefused with what is wrong and where."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DatasetRefused(Text("the file is not a zip archive; zip the class folders and upload that",
                                  "zip 파일이 아닙니다; 클래스 폴더들을 zip으로 묶어 올려 주세요"))
    entries = [info for info in archive.infolist() if not info.is_dir()]
    _check_entries(entries, limits)
    layout, stray = _layout(entries)
    classes = sorted({cls for _, cls, _ in layout})
    if len(classes) < 2:
        raise DatasetRefused(Text(f"found {len(classes)} class folder(s); a dataset needs at least 2 "
                                  "(one folder of pictures per class)",
                                  f"클래스 폴더가 {len(classes)}개입니다; 데이터셋에는 적어도 2개가 필요합니다 "
                                  "(클래스마다 그림 폴더 하나)"))
    _check_decoded_size(len(layout), image_size, 1 if grey else 3, limits)
    found = _pictures(archive, layout, classes, image_size, grey, limits)
    return {**found, "skipped": found["skipped"] + stray}


def _check_entries(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(entries) > limits.max_entries:
        raise DatasetRefused(Text(f"the zip holds {len(entries):,} files; the limit is {limits.max_entries:,} "
                                  "(setting CNN_MAX_ZIP_ENTRIES)",
                                  f"zip에 파일이 {len(entries):,}개 있습니다; 한도는 {limits.max_entries:,}개입니다 "
                                  "(설정 CNN_MAX_ZIP_ENTRIES)"), 413)
    total = 0
    for info in entries:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or info.filename.startswith(("/", "\\")):
            name = quoted(info.filename)
            raise DatasetRefused(Text(f"{name} would be written outside the dataset's folder",
                                      f"{josa(name, '은/는')} 데이터셋 폴더 밖을 가리킵니다"))
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
            name, ratio = quoted(info.filename), info.file_size / max(info.compress_size, 1)
            raise DatasetRefused(Text(f"{name} inflates {ratio:,.0f} times: that is a zip bomb, not a picture",
                                      f"{josa(name, '은/는')} {ratio:,.0f}배로 부풀어 오릅니다: 그림이 아니라 zip 폭탄입니다"),
                                 413)
        total += info.file_size
    if total > limits.max_unpacked_bytes:
        raise DatasetRefused(Text(f"the zip unpacks to {total:,} bytes; the limit is {limits.max_unpacked_bytes:,} "
                                  "(setting CNN_MAX_DATASET_UNPACKED_BYTES)",
                                  f"zip을 풀면 {total:,}바이트로 한도 {limits.max_unpacked_bytes:,}를 넘습니다 "
                                  "(설정 CNN_MAX_DATASET_UNPACKED_BYTES)"), 413)


def _check_decoded_size(count: int, size: int, channels: int, limits: Limits) -> None:
    """What the pictures will take once decoded and resized, refused before any is decoded: 4,000 tiny PNGs of
    a few hundred bytes each become 570 MB at 128×128."""
    decoded = count * size * size * channels
    if decoded > limits.max_unpacked_bytes:
        raise DatasetRefused(Text(f"{count:,} pictures at {size}×{size} would take {decoded:,} bytes, over "
                                  f"{limits.max_unpacked_bytes:,} (setting CNN_MAX_DATASET_UNPACKED_BYTES); "
                                  "use a smaller image_size or fewer pictures",
                                  f"그림 {count:,}장을 {size}×{size}로 만들면 {decoded:,}바이트로 한도 "
                                  f"{limits.max_unpacked_bytes:,}를 넘습니다 (설정 CNN_MAX_DATASET_UNPACKED_BYTES); "
                                  "image_size나 그림 수를 줄이세요"), 413)


def _layout(entries: list[zipfile.ZipInfo]) -> tuple[list[tuple[str, str, zipfile.ZipInfo]], int]:
    """(split, class, entry) per picture file, and how many files lie outside any class folder:
    ``train/<class>/…`` and ``test/<class>/…``, or ``<class>/…``, possibly inside one wrapping folder (as zipping
    a folder makes). Hidden files (``.DS_Store``, ``__MACOSX``) are not even counted."""
    parts = [(PurePosixPath(info.filename).parts, info) for info in entries
             if not any(p.startswith(".") or p == "__MACOSX" for p in PurePosixPath(info.filename).parts)]
    if len({p[0] for p, _ in parts}) == 1 and any(len(p) > 2 for p, _ in parts):
        parts = [(p[1:], info) for p, info in parts]  # one folder wrapping everything
    stray = sum(1 for p, _ in parts if len(p) < 2)
    parts = [(p, info) for p, info in parts if len(p) >= 2]
    if parts and all(p[0] in ("train", "test") and len(p) >= 3 for p, _ in parts):
        return [(p[0], p[1], info) for p, info in parts], stray
    return [("all", p[0], info) for p, info in parts], stray


def _pictures(archive, layout, classes, image_size, grey, limits) -> dict:
    images = {"train": ([], []), "test": ([], []), "all": ([], [])}
    skipped, pixels = 0, 0
    for split, cls, info in layout:
        try:
            data = _read(archive, info, limits.max_image_bytes)
            pixels += _header_pixels(data)
            if pixels * 3 > limits.max_unpacked_bytes:  # decoding, not only keeping, is bounded
                raise DatasetRefused(Text(
                    f"the pictures hold over {pixels:,} pixels to decode (setting CNN_MAX_DATASET_UNPACKED_BYTES); "
                    "shrink them before zipping", f"디코딩할 픽셀이 {pixels:,}개를 넘습니다 "
                    "(설정 CNN_MAX_DATASET_UNPACKED_BYTES); 압축하기 전에 그림을 줄이세요"), 413)
            picture = decode_upload(data, limits.max_image_bytes, limits.max_image_pixels)
        except DatasetRefused as refused:
            if refused.status == 413:
                raise
            skipped += 1  # an entry that cannot be read: counted, not fatal
            continue
        except ImageError:
            skipped += 1  # not a picture (a README, a thumbnail database…): counted, not fatal
            continue
        picture = picture.resize((image_size, image_size), Image.Resampling.BILINEAR)
        array = np.asarray(picture.convert("L"))[..., None] if grey else np.asarray(picture)
        images[split][0].append(array)
        images[split][1].append(classes.index(cls))
    if not any(images[s][0] for s in images):
        raise DatasetRefused(Text(f"no pictures were found ({skipped} files could not be read as PNG, JPEG, GIF, "
                                  "BMP or WebP)", f"그림을 찾지 못했습니다 (파일 {skipped}개는 PNG, JPEG, GIF, BMP, "
                                  "WebP로 읽을 수 없었습니다)"))
    split = _split(images, image_size, 1 if grey else 3)
    if not len(split["y_train"]) or not len(split["y_test"]):
        raise DatasetRefused(Text("there must be pictures to train on and to test on: give each class at least 5 "
                                  "pictures, or fill both train/ and test/",
                                  "학습할 그림과 테스트할 그림이 모두 있어야 합니다: 클래스마다 그림을 5장 이상 넣거나, "
                                  "train/과 test/를 모두 채우세요"))
    return {"classes": classes, "skipped": skipped, **split}


def _header_pixels(data: bytes) -> int:
    """Width × height from the header alone (0 when it is no picture: the decoder will say so)."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.width * picture.height
    except Exception:  # any reason Pillow cannot read a header: not a picture, skipped below
        return 0


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """At most ``limit`` bytes, counted as they inflate: the sizes a zip declares can lie."""
    try:
        with archive.open(info) as entry:
            data = entry.read(limit + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError, OSError):
        raise DatasetRefused(Text("an entry could not be read (encrypted, corrupt or of an unknown method)",
                                  "읽을 수 없는 항목입니다 (암호화, 손상, 또는 모르는 압축 방식)"))
    if len(data) > limit:
        raise DatasetRefused(Text("picture too large", "그림이 너무 큽니다"))  # skipped, like any unreadable file
    return data


def _split(images: dict, size: int, channels: int) -> dict:
    def stack(pictures: list) -> np.ndarray:
        return np.stack(pictures).astype(np.uint8) if pictures else np.zeros((0, size, size, channels), np.uint8)

    if images["all"][0]:
        x, y = stack(images["all"][0]), np.asarray(images["all"][1], dtype=np.uint8)
        test = np.zeros(len(y), dtype=bool)
        for label in np.unique(y):
            test[np.flatnonzero(y == label)[TEST_SHARE - 1::TEST_SHARE]] = True
        return {"x_train": x[~test], "y_train": y[~test], "x_test": x[test], "y_test": y[test]}
    return {"x_train": stack(images["train"][0]), "y_train": np.asarray(images["train"][1], dtype=np.uint8),
            "x_test": stack(images["test"][0]), "y_test": np.asarray(images["test"][1], dtype=np.uint8)}


def save(folder: Path, name: str, arrays: dict) -> dict:
    """Kept in CNN_DATA_DIR/datasets as ``<id>.npz`` and ``<id>.json`` (the description)."""
    folder.mkdir(parents=True, exist_ok=True)
    dataset_id = "upload-" + uuid.uuid4().hex[:10]
    np.savez_compressed(folder / f"{dataset_id}.npz", **{k: arrays[k] for k in ("x_train", "y_train", "x_test", "y_test")})
    kept = Arrays(arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"])
    meta = {"id": dataset_id, "name": name, "classes": arrays["classes"], "skipped": arrays["skipped"],
            "input_shape": list(arrays["x_train"].shape[1:]), "created_at": time.time(),
            "facts": facts(kept, len(arrays["classes"]))}
    (folder / f"{dataset_id}.json").write_text(json.dumps(meta, ensure_ascii=False))
    return meta
