"""POST /api/export without TensorFlow: Python text, drawings as SVG (well-formed, every layer named, names kept as
text) and PNG (the same SVG rendered), refusals in the one envelope, documented in the OpenAPI."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PRESETS = {p["id"]: p["model"] for p in json.loads((ROOT / "static/data/presets.json").read_text())["presets"]}
SVG_NS = "{http://www.w3.org/2000/svg}"
NAMED = {"input_shape": [16, 16, 3], "layers": [
    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "name": "<script>alert(1)<\\script>"},
    {"type": "Conv2D", "filters": 8, "kernel_size": 1, "inputs": ["input"], "name": "a & b \"quoted\" 'x'"},
    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "name": "합성곱\x01\x7f"},
    {"type": "Add", "inputs": ["<script>alert(1)<\\script>", "합성곱\x01\x7f"], "name": "]]><x>"}]}
UNNESTED = {"input_shape": [8, 8, 4], "layers": [  # conv2d_1 takes the input and conv2d: no lanes can hold that
    {"type": "Conv2D", "filters": 4, "kernel_size": 1},
    {"type": "Add", "inputs": ["input", "conv2d"]},
    {"type": "Add", "inputs": ["add", "conv2d"]}]}


def export(client, model, file_format, **fields):
    """JSON written with escapes, so that a name holding a lone surrogate (valid JSON, not UTF-8) can be sent."""
    body = json.dumps({"model": model, "format": file_format, **fields})
    return client.post("/api/export", content=body, headers={"content-type": "application/json"})


def svg_texts(content: bytes) -> list[str]:
    root = ET.fromstring(content)  # well-formed, or this raises
    assert root.tag == f"{SVG_NS}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def test_python_is_an_attachment_with_a_sequential_model_for_a_plain_stack(client):
    response = export(client, PRESETS["cifar10"], "python")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/x-python; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="model.py"'
    code = response.text
    assert code.startswith("import keras\nfrom keras import layers\n\nmodel = keras.Sequential([\n")
    assert "    keras.Input(shape=(32, 32, 3)),\n" in code and code.endswith("])\nmodel.summary()\n")
    compile(code, "model.py", "exec")


def test_python_of_a_model_keras_cannot_build_is_still_written_with_the_reason_in_korean(client):
    model = {"input_shape": [4, 4, 1], "layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 5}]}
    response = export(client, model, "python", lang="ko")
    assert response.status_code == 200
    assert "    # 케라스가 여기서 conv2d를 거부하므로 이 줄에서 오류가 납니다: 커널 5×5가 입력 4×4보다 큽니다" in response.text


@pytest.mark.parametrize("preset", ["cifar10", "resnet_block", "inception", "unet", "vgg16", "densenet_block"])
def test_an_svg_is_well_formed_and_names_every_layer_with_its_shape_and_parameters(client, preset):
    response = export(client, PRESETS[preset], "svg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-disposition"] == 'attachment; filename="model.svg"'
    texts = svg_texts(response.content)
    shapes = client.post("/api/shapes", json=PRESETS[preset]).json()
    for layer in shapes["layers"]:
        assert layer["name"] in texts and layer["type"] in texts
        assert "(" + ", ".join("None" if d is None else str(d) for d in layer["output_shape"]) + ")" in " ".join(texts)
        assert f"{layer['params']:,} params" in texts
    assert f"Total params: {shapes['total_params']:,}" in " ".join(texts)


def test_layer_names_stay_text_in_the_svg_whatever_they_hold(client):
    response = export(client, NAMED, "svg")
    assert response.status_code == 200, response.text
    assert b"<script>" not in response.content and b"<x>" not in response.content
    texts = svg_texts(response.content)
    for name in ("<script>alert(1)<\\script>", "a & b \"quoted\" 'x'", "]]><x>", "합성곱\ufffd\x7f"):
        assert name in texts
    merge = [t for t in texts if t.startswith("← ")]
    assert merge == ["← <script>alert(1)<\\script>", "← 합성곱\ufffd\x7f"] and texts.count("(None, 14, 14, 8)") == 5


def test_a_graph_that_does_not_nest_is_drawn_as_rows_that_name_their_inputs(client):
    texts = svg_texts(export(client, UNNESTED, "svg").content)
    assert "Its connections do not nest into lanes, so each row names the layers it takes." in texts
    assert "← model input" in texts and "← add" in texts and texts.count("(None, 8, 8, 4)") == 8


def test_the_korean_drawing_says_its_words_in_korean(client):
    texts = " ".join(svg_texts(export(client, PRESETS["resnet_block"], "svg", lang="ko").content))
    for words in ("Functional 모델 · 레이어 7개", "전체 파라미터: 74,368", "분기 · 갈래 2개", "지름길", "갈래 1", "모델 입력"):
        assert words in texts


def test_a_png_is_the_svg_rendered_at_twice_its_size(client):
    svg = export(client, PRESETS["cifar10"], "svg")
    png = export(client, PRESETS["cifar10"], "png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    root = ET.fromstring(svg.content)
    picture = Image.open(io.BytesIO(png.content))
    assert picture.size == (2 * int(root.get("width")), 2 * int(root.get("height")))
    assert picture.getpixel((5, 5))[:3] == (255, 255, 255)


def test_a_png_over_the_pixel_limit_is_drawn_at_1x_then_refused_naming_the_setting(client_with):
    client = client_with(max_export_pixels=1_000_000)
    svg = ET.fromstring(export(client, PRESETS["vgg16"], "svg").content)
    size = int(svg.get("width")), int(svg.get("height"))
    assert 1_000_000 < 4 * size[0] * size[1] and size[0] * size[1] < 3_500_000
    client = client_with(max_export_pixels=size[0] * size[1])
    assert Image.open(io.BytesIO(export(client, PRESETS["vgg16"], "png").content)).size == size
    client = client_with(max_export_pixels=100_000)
    response = export(client, PRESETS["vgg16"], "png")
    assert response.status_code == 413 and "CNN_MAX_EXPORT_PIXELS" in response.json()["message"]["en"]
    assert response.json()["message"]["ko"]


@pytest.mark.parametrize("file_format", ["svg", "png", "keras"])
def test_a_model_keras_cannot_build_is_not_drawn_nor_built_and_the_layer_is_named(client, file_format):
    model = {"input_shape": [4, 4, 1], "layers": [{"type": "Flatten"}, {"type": "Conv2D", "filters": 2,
                                                                       "kernel_size": 3}]}
    response = export(client, model, file_format)
    assert response.status_code == 422
    body = response.json()
    assert body["layer"] == 1 and body["name"] == "conv2d" and body["detail"][0]["loc"] == ["body", "model", "layers", 1]


@pytest.mark.parametrize("body, where", [
    ({"model": {"input_shape": [4], "layers": [{"type": "Dense", "units": 0}]}, "format": "python"},
     ["body", "model", "layers", 0, "units"]),
    ({"model": PRESETS["mlp8"], "format": "pdf"}, ["body", "format"]),
    ({"model": PRESETS["mlp8"], "format": "svg", "lang": "fr"}, ["body", "lang"]),
    ({"format": "svg"}, ["body", "model"]),
    ({"format": "python", "run_id": "no-such-run"}, ["body", "run_id"]),
    ({"model": {"input_shape": [4], "layers": []}, "format": "svg"}, ["body", "model", "layers"]),
])
def test_malformed_requests_are_422_saying_where(client, body, where):
    response = client.post("/api/export", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == where and response.json()["message"]["ko"]


def test_keras_needs_a_worker_and_weights_within_the_limit(client, client_with):
    response = export(client, PRESETS["cifar10"], "keras")
    assert response.status_code == 503 and "CNN_WORKERS" in response.json()["message"]["en"]
    response = export(client_with(max_weights_mb=100), PRESETS["vgg16"], "keras")
    assert response.status_code == 413 and "CNN_MAX_WEIGHTS_MB" in response.json()["message"]["en"]


def test_a_body_over_the_json_limit_is_refused_before_it_is_read(client):
    body = json.dumps({"model": PRESETS["mlp8"], "format": "svg", "pad": "x" * (3 * 1024 * 1024)})
    response = client.post("/api/export", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "CNN_MAX_JSON_BYTES" in response.json()["message"]["en"]


def test_every_status_is_documented_with_the_envelope_and_every_format_its_media_type(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/export"]["post"]
    assert set(operation["responses"]) == {"200", "400", "409", "413", "422", "429", "503", "504"}
    assert set(operation["responses"]["200"]["content"]) == {"text/x-python; charset=utf-8", "application/octet-stream",
                                                            "image/svg+xml", "image/png"}
    assert operation["responses"]["413"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
