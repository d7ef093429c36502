"""Hostile requests answered in bounded time and memory, in the one error envelope (issue 7's items)."""

import io
import json

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.errors import ErrorBody
from app.main import create_app


def form(model, **fields):
    return {"model": json.dumps(model), **{k: str(v) for k, v in fields.items()}}


def assert_envelope(response, status):
    assert response.status_code == status, response.text
    body = ErrorBody.model_validate(response.json())
    assert body.message.en and body.message.ko and body.detail, body
    return body


def test_totals_past_64_bits_are_exact_integers_not_a_server_error(client):
    response = client.post("/api/shapes", json={"input_shape": [65536, 65536, 65536],
                                                "layers": [{"type": "Dense", "units": 1_000_000}]})
    assert response.status_code == 200
    body = json.loads(response.content)  # Python's JSON integers are exact at any size
    positions, inputs, units = 65536 * 65536, 65536, 1_000_000
    assert body["total_macs"] == positions * inputs * units > 2**64
    assert body["layers"][0]["params"] == (inputs + 1) * units


def test_a_model_over_the_multiply_add_budget_is_refused_naming_the_layer_before_any_worker():
    huge_kernel = {"input_shape": [2048, 2048, 1], "layers": [
        {"type": "Conv2D", "filters": 1, "kernel_size": 3},
        {"type": "Conv2D", "filters": 1, "kernel_size": 255}]}
    with TestClient(create_app(Settings(workers=0))) as client:
        response = client.post("/api/featuremaps", data=form(huge_kernel, sample="circle"))
    body = assert_envelope(response, 413)
    assert body.layer == 1 and body.name == "conv2d_1"
    assert "CNN_MAX_MACS" in body.message.en and "CNN_MAX_MACS" in body.message.ko


def test_a_softmax_over_a_missing_axis_is_blamed_on_the_same_layer_by_shapes_and_feature_maps(client):
    model = {"input_shape": [8, 8, 3], "layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 3},
                                                  {"type": "Softmax", "axis": 4}]}
    shapes = client.post("/api/shapes", json=model).json()
    assert shapes["valid"] and shapes["layers"][0]["warning"] is None  # Keras builds it ...
    warning = shapes["layers"][1]["warning"]
    assert "axis 4" in warning["en"]  # ... but says running it fails, on this layer
    maps = assert_envelope(client.post("/api/featuremaps", data=form(model, sample="circle")), 422)
    assert (maps.layer, maps.name) == (1, "softmax") and maps.message.en == warning["en"]


def test_pictures_past_pillows_own_bomb_limit_get_our_413_naming_the_setting(client):
    buffer = io.BytesIO()
    Image.new("1", (10_000, 9_000)).save(buffer, "PNG")  # 90 Mpx, past Pillow's 89 Mpx error, a few kB
    files = {"image": ("wide.png", buffer.getvalue(), "image/png")}
    body = assert_envelope(client.post("/api/featuremaps", data=form(SMALL, seed=0), files=files), 413)
    assert "CNN_MAX_IMAGE_PIXELS" in body.message.en and "90,000,000" in body.message.en


SMALL = {"input_shape": [8, 8, 3], "layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 3}]}


def test_a_form_with_more_parts_than_the_route_takes_is_refused_before_spooling(client):
    files = [("image", (f"{i}.png", b"x", "image/png")) for i in range(50)]
    body = assert_envelope(client.post("/api/featuremaps", data=form(SMALL), files=files), 400)
    assert "Too many files" in body.message.en


def test_a_body_that_is_not_utf8_is_answered_in_the_envelope(client):
    response = client.post("/api/shapes", content=b'{"input_shape": [\xff\xfe]}',
                           headers={"content-type": "application/json"})
    assert "UTF-8" in assert_envelope(response, 400).message.en
    multipart = client.post("/api/featuremaps", content=b"\xff\xfe not a form",
                            headers={"content-type": "multipart/form-data; boundary=zz"})
    assert_envelope(multipart, 400)


def test_a_refused_value_is_quoted_short_not_echoed_whole(client):
    huge = "X" * 1_000_000
    response = client.post("/api/shapes", json={"input_shape": [8], "layers": [
        {"type": "Dense", "units": huge}, {"type": "Dense", "units": 2, "activation": huge}]})
    body = assert_envelope(response, 422)
    assert len(response.content) < 5_000 and len(body.detail) == 2
    too_long_type = client.post("/api/shapes", json={"input_shape": [8], "layers": [{"type": huge}]})
    assert_envelope(too_long_type, 422)
    assert len(too_long_type.content) < 5_000


@pytest.mark.parametrize("request_args, status", [
    (("get", "/no/such/page"), 404),
    (("delete", "/api/shapes"), 405),
    (("get", "/api/samples/nope.png"), 404),
])
def test_starlettes_own_refusals_come_in_the_envelope(client, request_args, status):
    method, path = request_args
    assert_envelope(getattr(client, method)(path), status)


def test_a_json_body_over_its_limit_is_413_whether_declared_or_streamed():
    body = json.dumps({"input_shape": [3], "layers": [{"type": "Dense", "units": 1}] * 5_000}).encode()
    with TestClient(create_app(Settings(workers=0, max_json_bytes=50_000))) as client:
        declared = client.post("/api/shapes", content=body, headers={"content-type": "application/json"})
        streamed = client.post("/api/shapes", content=iter([body[i:i + 4096] for i in range(0, len(body), 4096)]),
                               headers={"content-type": "application/json"})
    for response in (declared, streamed):
        assert "CNN_MAX_JSON_BYTES" in assert_envelope(response, 413).message.en


def test_an_axis_named_twice_is_refused_before_its_weights_grow_without_bound(client):
    body = {"input_shape": [8, 8, 3], "layers": [{"type": "LayerNormalization", "axis": [-1] * 9_100}]}
    response = client.post("/api/shapes", json=body)
    assert "each axis may be named once" in assert_envelope(response, 422).message.en


def test_a_reshape_to_more_axes_than_any_input_may_have_is_refused(client):
    body = {"input_shape": [1], "layers": [{"type": "Reshape", "target_shape": [1] * 1_000},
                                           *[{"type": "ReLU"}] * 20]}
    response = client.post("/api/shapes", json=body)
    assert "CNN_MAX_INPUT_RANK" in assert_envelope(response, 422).message.en
    assert len(response.content) < 5_000


@pytest.mark.parametrize("body", [
    {"input_shape": ["x"] * 200_000, "layers": []},
    {"input_shape": [8], "layers": [{"type": "Dense", "units": 1, **{f"a{i}": 1 for i in range(800)}}] * 100},
    {"input_shape": [8], "layers": [], **{f"key{i}": 1 for i in range(50_000)}},
    {"input_shape": [8], "layers": [{"type": "Dense", "units": 0}] * 256},
], ids=["bad-dimensions", "unknown-arguments", "unknown-fields", "bad-layers"])
def test_a_body_full_of_mistakes_gets_a_short_list_not_one_entry_per_mistake(client, body):
    response = client.post("/api/shapes", json=body)
    refusal = assert_envelope(response, 422)
    assert len(refusal.detail) <= 51 and len(response.content) < 50_000


def test_a_bad_input_dimension_is_named_with_what_is_allowed(client):
    refusal = assert_envelope(client.post("/api/shapes", json={"input_shape": [28, "x", 1.5], "layers": []}), 422)
    assert [issue.loc for issue in refusal.detail] == [["body", "input_shape", 1], ["body", "input_shape", 2]]
    assert "whole number" in refusal.detail[0].msg and refusal.detail[0].allowed
