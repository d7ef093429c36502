"""POST /api/featuremaps end to end: a real worker process running real TensorFlow."""

import io
import json
import os
import signal

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.main import create_app

SMALL_CNN = {"input_shape": [16, 16, 3], "layers": [
    {"type": "Conv2D", "filters": 6, "kernel_size": 3, "activation": "relu"},
    {"type": "MaxPooling2D"},
    {"type": "DepthwiseConv2D", "kernel_size": 3, "padding": "same"},
    {"type": "Flatten"},
    {"type": "Dense", "units": 4},
]}


@pytest.fixture(scope="module")
def maps_client():
    with TestClient(create_app(Settings(workers=1))) as client:
        yield client


def post(client, model=SMALL_CNN, **fields):
    files = fields.pop("files", None)
    data = {"model": json.dumps(model), **{k: str(v) for k, v in fields.items()}}
    return client.post("/api/featuremaps", data=data, files=files)


def png_bytes(image: Image.Image, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def decode(data_url: str) -> Image.Image:
    import base64

    assert data_url.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1])))


def test_samples_are_listed_and_served_as_png(maps_client):
    samples = maps_client.get("/api/samples").json()["samples"]
    assert {"circle", "triangle", "rectangle", "digit", "scene"} <= {s["id"] for s in samples}
    response = maps_client.get(samples[0]["url"])
    assert response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == tuple(samples[0]["size"])


def test_every_spatial_layer_is_one_mosaic_of_exact_tiles(maps_client):
    response = post(maps_client, sample="circle")
    assert response.status_code == 200, response.text
    body = response.json()
    assert decode(body["input"]["image"]).size == (16, 16) and body["input"]["shape"] == [16, 16, 3]
    for layer in body["layers"]:
        shape = layer["output_shape"]
        if len(shape) == 4:
            rows, cols = layer["grid"]
            height, width = layer["tile"]
            assert (height, width) == (shape[1], shape[2])
            assert rows * cols >= shape[3] == layer["channels"]
            assert decode(layer["image"]).size == (cols * width, rows * height)
        else:
            assert len(layer["values"]) == shape[1]
        assert layer["stats"]["min"] <= layer["stats"]["mean"] <= layer["stats"]["max"]


def test_convolutions_carry_their_kernels(maps_client):
    layers = post(maps_client, sample="triangle").json()["layers"]
    conv, depthwise = layers[0]["kernels"], layers[2]["kernels"]
    assert conv["layout"] == "filter_by_input" and conv["grid"] == [6, 3] and conv["tile"] == [3, 3]
    assert decode(conv["image"]).size == (3 * 3, 6 * 3)
    assert depthwise["layout"] == "per_channel" and depthwise["tile"] == [3, 3]
    assert "kernels" not in layers[1] and "kernels" not in layers[4]


def test_same_seed_and_image_give_identical_maps_and_another_seed_does_not(maps_client):
    first = post(maps_client, sample="scene", seed=7).json()["layers"][0]
    again = post(maps_client, sample="scene", seed=7).json()["layers"][0]
    other = post(maps_client, sample="scene", seed=8).json()["layers"][0]
    assert first["image"] == again["image"] and first["kernels"] == again["kernels"]
    assert first["kernels"]["image"] != other["kernels"]["image"]


@pytest.mark.parametrize("mode", ["P", "RGBA", "LA", "L", "I;16", "CMYK", "1"])
def test_any_image_mode_becomes_the_models_input(maps_client, mode):
    picture = Image.new("RGB", (40, 30), (200, 30, 30)).convert(mode)
    format = "JPEG" if mode == "CMYK" else "PNG"
    response = post(maps_client, files={"image": ("pic", png_bytes(picture, format), "application/octet-stream")})
    assert response.status_code == 200, response.text
    assert decode(response.json()["input"]["image"]).size == (16, 16)


def test_greyscale_models_get_one_channel(maps_client):
    model = {"input_shape": [12, 12, 1], "layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 3}]}
    body = post(maps_client, model=model, sample="digit").json()
    assert body["input"]["shape"] == [12, 12, 1] and decode(body["input"]["image"]).mode == "L"


@pytest.mark.parametrize("data, fragment", [
    (b"just some text", "not an image"),
    (png_bytes(Image.new("RGB", (64, 64), "white"))[:60], "truncated or corrupt"),
    (png_bytes(Image.new("RGB", (8, 8)), "TIFF"), "TIFF images are not accepted"),
    (b"", "empty"),
])
def test_bad_files_are_refused_with_a_message(maps_client, data, fragment):
    response = post(maps_client, files={"image": ("upload.bin", data, "application/octet-stream")})
    assert response.status_code == 422
    message = response.json()["message"]
    assert fragment in message["en"] and message["ko"]


def test_decompression_bombs_are_refused_from_the_header(maps_client):
    bomb = png_bytes(Image.new("1", (9_000, 5_000)))  # 45 M pixels in a few kB
    response = post(maps_client, files={"image": ("bomb.png", bomb, "image/png")})
    assert response.status_code == 413 and "CNN_MAX_IMAGE_PIXELS" in response.json()["message"]["ko"]


def test_invalid_and_non_image_models_are_422_naming_the_problem(maps_client):
    broken = {"input_shape": [4, 4, 3], "layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 5}]}
    refusal = post(maps_client, model=broken, sample="circle").json()
    assert refusal["layer"] == 0 and "5×5" in refusal["message"]["en"]
    assert refusal["detail"][0]["loc"] == ["body", "model", "layers", 0]
    mlp = {"input_shape": [8], "layers": [{"type": "Dense", "units": 2}]}
    response = post(maps_client, model=mlp, sample="circle")
    assert response.status_code == 422 and "image input" in response.json()["message"]["en"]
    assert post(maps_client, model={"input_shape": "x"}, sample="circle").status_code == 422
    assert post(maps_client, sample="nope").status_code == 422
    assert post(maps_client).status_code == 422


def test_models_over_the_memory_limit_are_refused_naming_the_layer_before_building():
    settings = Settings(workers=0, max_activation_mb=1)
    model = {"input_shape": [64, 64, 3], "layers": [
        {"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same"},
        {"type": "Conv2D", "filters": 64, "kernel_size": 3, "padding": "same"}]}
    with TestClient(create_app(settings)) as client:  # no worker at all: the refusal needs none
        response = post(client, model=model, sample="circle")
    assert response.status_code == 413
    refusal = response.json()
    assert refusal["layer"] == 1 and "CNN_MAX_ACTIVATION_MB" in refusal["message"]["en"] and refusal["message"]["ko"]


def test_uploads_over_the_size_limit_are_413():
    with TestClient(create_app(Settings(workers=0, max_upload_bytes=1000))) as client:
        big = png_bytes(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)))
        response = post(client, files={"image": ("big.png", big, "image/png")})
    assert response.status_code == 413 and "CNN_MAX_UPLOAD_BYTES" in response.json()["message"]["en"]


def test_a_killed_worker_is_replaced_and_the_next_request_works(maps_client):
    assert post(maps_client, sample="circle").status_code == 200
    worker = maps_client.app.state.workers.workers[0]
    os.kill(worker.pid, signal.SIGKILL)
    worker.process.join(timeout=10)
    response = post(maps_client, sample="circle")
    assert response.status_code == 200, response.text
    assert maps_client.app.state.workers.workers[0].pid != worker.pid


def test_a_job_over_the_time_limit_is_a_504_and_the_pool_recovers():
    settings = Settings(workers=1, job_timeout_s=0.01)
    with TestClient(create_app(settings)) as client:
        response = post(client, sample="circle")
        assert response.status_code == 504 and "CNN_JOB_TIMEOUT_S" in response.json()["message"]["en"]
        settings.job_timeout_s = 60
        assert post(client, sample="circle").status_code == 200


def test_without_workers_feature_maps_are_refused_at_once_saying_why():
    with TestClient(create_app(Settings(workers=0, job_timeout_s=5))) as client:
        response = post(client, sample="circle")
    assert response.status_code == 503 and "CNN_WORKERS=0" in response.json()["message"]["en"]


def test_an_upload_declared_over_the_limit_is_refused_before_it_is_read():
    with TestClient(create_app(Settings(workers=0, max_upload_bytes=1000))) as client:
        response = client.post("/api/featuremaps", content=b"x" * (3 * 1024 * 1024),
                               headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413 and "CNN_MAX_UPLOAD_BYTES" in response.json()["message"]["en"]


def test_a_model_without_layers_or_of_unknown_size_is_a_422_about_the_model():
    with TestClient(create_app(Settings(workers=0))) as client:
        empty = post(client, model={"input_shape": [8, 8, 3], "layers": []}, sample="circle")
        unknown = post(client, model={"input_shape": [None, None, 3], "layers": [SMALL_CNN["layers"][0]]},
                       sample="circle")
    assert empty.status_code == 422 and "no layers" in empty.json()["message"]["en"]
    assert unknown.status_code == 422 and "fixed size" in unknown.json()["message"]["en"]


def test_bad_json_in_the_model_field_names_the_field():
    with TestClient(create_app(Settings(workers=0))) as client:
        response = client.post("/api/featuremaps", data={"model": "{oops", "sample": "circle"})
    detail = response.json()["detail"]
    assert response.status_code == 422 and detail[0]["loc"] == ["body", "model"]
    assert "'model' field is not valid JSON" in detail[0]["msg"] and detail[0]["msg_ko"]
