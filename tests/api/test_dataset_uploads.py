"""POST /api/datasets: a zip of class folders, read as hostile data; refused with a message when it is not a
dataset, a bomb, or escapes its folder; kept, listed and deletable when it is."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.main import create_app


def png(colour: int, size: int = 12) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((size, size, 3), colour, dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CLASS_FOLDERS = {f"pets/{cls}/{i}.png": png(40 * c + i) for c, cls in enumerate(("cat", "dog", "fox")) for i in range(10)}


@pytest.fixture
def client(tmp_path):
    settings = Settings(workers=0, training_workers=0, data_dir=tmp_path, max_zip_entries=100)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def upload(client, data: bytes, **fields):
    return client.post("/api/datasets", files={"file": ("data.zip", data, "application/zip")},
                       data={k: str(v) for k, v in fields.items()})


def test_class_folders_become_a_dataset_that_is_listed_and_deletable(client):
    response = upload(client, zipped({**CLASS_FOLDERS, "pets/README.txt": b"hello"}), name="Pets", image_size=16)
    assert response.status_code == 201, response.text
    dataset = response.json()
    assert [c["en"] for c in dataset["classes"]] == ["cat", "dog", "fox"]  # as flow_from_directory orders them
    assert dataset["input_shape"] == [16, 16, 3] and dataset["skipped"] == 1
    assert dataset["train_count"] + dataset["test_count"] == 30 and dataset["test_count"] == 6
    listed = {d["id"] for d in client.get("/api/datasets").json()["datasets"]}
    assert dataset["id"] in listed
    assert client.delete(f"/api/datasets/{dataset['id']}").status_code == 204
    assert dataset["id"] not in {d["id"] for d in client.get("/api/datasets").json()["datasets"]}


def test_train_and_test_folders_are_kept_as_given_in_greyscale_if_asked(client):
    files = {f"{split}/{cls}/{i}.png": png(100 * c + i) for split, n in (("train", 6), ("test", 2))
             for c, cls in enumerate(("a", "b")) for i in range(n)}
    dataset = upload(client, zipped(files), color_mode="grayscale", image_size=8).json()
    assert (dataset["train_count"], dataset["test_count"]) == (12, 4) and dataset["input_shape"] == [8, 8, 1]


@pytest.mark.parametrize("files, status, words", [
    ({"../evil/x.png": png(1), "a/1.png": png(2)}, 422, "outside the dataset's folder"),
    ({"only/1.png": png(1), "only/2.png": png(2)}, 422, "at least 2"),
    ({"a/1.txt": b"x", "b/2.txt": b"y"}, 422, "no pictures were found"),
    ({f"a/{i}.png": b"x" for i in range(150)}, 413, "CNN_MAX_ZIP_ENTRIES"),
    ({"a/bomb.png": b"\0" * 50_000_000, "b/1.png": png(1)}, 413, "zip bomb"),
])
def test_what_is_not_a_dataset_is_refused_saying_why(client, files, status, words):
    response = upload(client, zipped(files))
    assert response.status_code == status, response.text
    assert words in response.json()["message"]["en"] and response.json()["message"]["ko"]


def test_a_file_that_is_not_a_zip_is_refused(client):
    response = upload(client, b"not a zip at all")
    assert response.status_code == 422 and "not a zip" in response.json()["message"]["en"]


def test_pictures_that_would_decode_past_the_budget_are_refused_before_decoding(tmp_path):
    settings = Settings(workers=0, training_workers=0, data_dir=tmp_path, max_dataset_unpacked_bytes=100_000)
    with TestClient(create_app(settings)) as client:
        response = upload(client, zipped(CLASS_FOLDERS), image_size=64)  # 30 × 64×64×3 = 368,640 bytes
    assert response.status_code == 413 and "CNN_MAX_DATASET_UNPACKED_BYTES" in response.json()["message"]["en"]


def test_an_unreadable_entry_is_skipped_and_counted(client):
    data = bytearray(zipped({**CLASS_FOLDERS, "pets/cat/broken.png": png(7) * 3}))
    start = data.find(png(7) * 3)  # corrupt its bytes inside the zip: the CRC no longer matches
    data[start + 40:start + 60] = b"\xff" * 20
    response = upload(client, bytes(data))
    assert response.status_code == 201, response.text
    assert response.json()["skipped"] == 1


def test_a_dataset_with_nothing_to_test_on_is_refused(client):
    files = {f"{cls}/{i}.png": png(50 * c + i) for c, cls in enumerate(("a", "b")) for i in range(3)}  # < 5 each
    response = upload(client, zipped(files))
    assert response.status_code == 422 and "to test on" in response.json()["message"]["en"]
