"""/api/layers and /api/shapes as a script or the page sees them."""

import gc
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.routes.shapes as shapes_route
from app.config import Settings

CIFAR = {
    "input_shape": [32, 32, 3],
    "layers": [
        {"type": "Conv2D", "filters": 32, "kernel_size": [3, 3], "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Conv2D", "filters": 64, "kernel_size": 3, "activation": "relu"},
        {"type": "MaxPooling2D"},
        {"type": "Conv2D", "filters": 64, "kernel_size": 3, "activation": "relu"},
        {"type": "Flatten"},
        {"type": "Dense", "units": 64, "activation": "relu"},
        {"type": "Dense", "units": 10},
    ],
}


def details(response):
    assert response.status_code == 422, response.text
    return response.json()["detail"]


def test_catalogue_lists_every_required_kind_with_bilingual_parameters(client):
    body = client.get("/api/layers").json()
    kinds = {layer["type"]: layer for layer in body["layers"]}
    required = {"Dense", "Dropout", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "Flatten", "Reshape",
                "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D",
                "AveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling2D", "ZeroPadding2D", "Cropping2D",
                "UpSampling2D", "BatchNormalization", "LayerNormalization", "SpatialDropout2D", "Rescaling"}
    assert required <= set(kinds)
    aliases = {alias for layer in body["layers"] for alias in layer["aliases"]}
    assert {"Convolution2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "GlobalMaxPool2D"} <= aliases
    filters = next(p for p in kinds["Conv2D"]["params"] if p["name"] == "filters")
    assert filters["required"] and filters["minimum"] == 1
    assert filters["description"]["en"] and filters["description"]["ko"]
    padding = next(p for p in kinds["Conv2D"]["params"] if p["name"] == "padding")
    assert padding["choices"] == ["valid", "same"] and padding["default"] == "valid"
    assert all(layer["category"] in body["categories"] for layer in body["layers"])


def test_cifar_cnn_totals_and_rows_match_the_tutorial(client):
    body = client.post("/api/shapes", json=CIFAR).json()
    assert body["valid"] and body["error"] is None
    assert body["input_shape"] == [None, 32, 32, 3]
    first = body["layers"][0]
    assert first["name"] == "conv2d" and first["output_shape"] == [None, 30, 30, 32]
    assert first["params"] == (3 * 3 * 3 + 1) * 32
    assert [layer["name"] for layer in body["layers"]][:3] == ["conv2d", "max_pooling2d", "conv2d_1"]
    assert body["total_params"] == 122_570 == body["trainable_params"]
    assert body["non_trainable_params"] == 0
    assert "Total params: 122,570 (478.79 KB)" in body["summary"]
    assert first["explain"]["params"][0]["formula"] == "(3·3·3 + 1)·32 = 896"
    assert first["explain"]["shape"][0]["formula"] == "⌊(32 − 3) / 1⌋ + 1 = 30"


def test_activation_size_and_multiply_adds_are_reported_per_layer(client):
    first = client.post("/api/shapes", json=CIFAR).json()["layers"][0]
    assert first["activation"] == {"elements": 30 * 30 * 32, "bytes": 30 * 30 * 32 * 4}
    assert first["macs"] == 30 * 30 * 32 * (3 * 3 * 3)


def test_kernel_larger_than_input_is_a_result_naming_the_layer(client):
    response = client.post("/api/shapes", json={"input_shape": [3, 3, 1], "layers": [
        {"type": "Conv2D", "filters": 8, "kernel_size": 5}, {"type": "Flatten"}, {"type": "Dense", "units": 2}]})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False and body["summary"] is None
    assert body["error"]["layer"] == 0 and body["error"]["name"] == "conv2d"
    message = body["layers"][0]["error"]["en"]
    assert "5×5" in message and "3×3" in message and "padding='same'" in message
    assert body["layers"][0]["error"]["ko"]
    assert [layer["output_shape"] for layer in body["layers"][1:]] == [None, None]


def test_given_names_are_kept_and_automatic_names_count_per_kind(client):
    body = client.post("/api/shapes", json={"input_shape": [8], "layers": [
        {"type": "Dense", "units": 4, "name": "hidden"}, {"type": "Dense", "units": 4}, {"type": "Dense", "units": 1}]})
    assert [layer["name"] for layer in body.json()["layers"]] == ["hidden", "dense", "dense_1"]


def test_duplicate_names_are_refused_naming_both_layers(client):
    detail = details(client.post("/api/shapes", json={"input_shape": [8], "layers": [
        {"type": "Dense", "units": 4, "name": "dense"}, {"type": "Dense", "units": 4}]}))
    assert detail[0]["loc"] == ["body", "layers", 1, "name"]
    assert "layers[0]" in detail[0]["msg"]


def test_unknown_type_suggests_the_right_spelling(client):
    detail = details(client.post("/api/shapes", json={"input_shape": [8], "layers": [{"type": "conv2d"}]}))
    assert detail[0]["loc"] == ["body", "layers", 0, "type"]
    assert "did you mean 'Conv2D'" in detail[0]["msg"]
    assert "Conv2D" in detail[0]["allowed"]


def test_out_of_range_values_name_layer_field_and_what_is_allowed(client):
    detail = details(client.post("/api/shapes", json={"input_shape": [28, 28, 1], "layers": [
        {"type": "Conv2D", "filters": 0, "kernel_size": 3}, {"type": "Dropout", "rate": 1.5}]}))
    by_loc = {tuple(d["loc"]): d for d in detail}
    assert set(by_loc) == {("body", "layers", 0, "filters"), ("body", "layers", 1, "rate")}
    assert "layers[0] (Conv2D)" in by_loc["body", "layers", 0, "filters"]["msg"]
    assert "≥ 1" in by_loc["body", "layers", 0, "filters"]["allowed"]
    assert "from 0.0 to 1.0" in by_loc["body", "layers", 1, "rate"]["allowed"]
    assert "최솟값 1보다 작습니다" in by_loc["body", "layers", 0, "filters"]["msg_ko"]
    assert "0.0부터 1.0까지" in by_loc["body", "layers", 1, "rate"]["allowed_ko"]


def test_wrong_types_missing_and_unknown_arguments_are_each_reported(client):
    detail = details(client.post("/api/shapes", json={"input_shape": [28, 28, 1], "layers": [
        {"type": "Conv2D", "kernel_size": "big", "filtrs": 3}]}))
    fields = {d["loc"][-1] for d in detail}
    assert fields == {"filtrs", "filters", "kernel_size"}


def test_a_frozen_layer_counts_its_weights_as_non_trainable_and_says_so(client):
    conv = {"type": "Conv2D", "filters": 8, "kernel_size": 3}
    body = {"input_shape": [8, 8, 3], "layers": [{**conv, "trainable": False}, {"type": "BatchNormalization"}]}
    answer = client.post("/api/shapes", json=body).json()
    frozen, norm = answer["layers"]
    assert frozen["trainable"] is False and norm["trainable"] is True
    assert (frozen["trainable_params"], frozen["non_trainable_params"], frozen["params"]) == (0, 224, 224)
    assert "trainable=False" in frozen["explain"]["params"][-1]["what"]["en"]
    assert (answer["trainable_params"], answer["non_trainable_params"]) == (16, 224 + 16)
    assert "Trainable params: 16 " in answer["summary"] and "Non-trainable params: 240 " in answer["summary"]
    refused = details(client.post("/api/shapes", json={**body, "layers": [{**conv, "trainable": "no"}]}))
    assert refused[0]["loc"] == ["body", "layers", 0, "trainable"]


def test_arguments_keras_refuses_together_are_a_422(client):
    detail = details(client.post("/api/shapes", json={"input_shape": [28, 28, 1], "layers": [
        {"type": "Conv2D", "filters": 10, "kernel_size": 3, "groups": 3}]}))
    assert detail[0]["loc"] == ["body", "layers", 0, "groups"]


def test_layer_limit_is_a_setting_reported_in_the_error(client_with):
    client = client_with(max_layers=3)
    detail = details(client.post("/api/shapes", json={"input_shape": [8],
                                                      "layers": [{"type": "Dense", "units": 2}] * 4}))
    assert "limit of 3" in detail[0]["msg"] and "CNN_MAX_LAYERS" in detail[0]["msg"]


def test_input_dimension_limit_is_a_setting(client_with):
    client = client_with(max_input_dim=100)
    detail = details(client.post("/api/shapes", json={"input_shape": [101, 5], "layers": []}))
    assert detail[0]["loc"] == ["body", "input_shape", 0] and "CNN_MAX_INPUT_DIM" in detail[0]["msg"]


def test_malformed_json_is_a_422_that_says_so(client):
    detail = details(client.post("/api/shapes", content=b"{bad", headers={"content-type": "application/json"}))
    assert "not valid JSON" in detail[0]["msg"]
    assert "JSON이 아닙니다" in detail[0]["msg_ko"]


def test_unknown_dimensions_propagate_as_null(client):
    body = client.post("/api/shapes", json={"input_shape": [None, None, 3], "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3}, {"type": "GlobalAveragePooling2D"},
        {"type": "Dense", "units": 2}]}).json()
    assert body["valid"]
    assert [layer["output_shape"] for layer in body["layers"]] == [[None, None, None, 4], [None, 4], [None, 2]]
    assert body["layers"][0]["activation"]["elements"] is None


def test_openapi_documents_the_shapes_example(client):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/shapes"]["post"]
    assert "cifar" in json.dumps(operation)
    assert client.get("/docs").status_code == 200


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 300) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
kind_names = st.sampled_from(["Conv2D", "Dense", "MaxPool2D", "Flatten", "Reshape", "Cropping2D",
                              "BatchNormalization", "ZeroPadding2D", "Softmax", "Nope"])
param_names = st.sampled_from(["filters", "kernel_size", "strides", "padding", "units", "pool_size", "axis",
                               "target_shape", "cropping", "padding", "rate", "name", "groups", "data_format"])
fuzz_layers = st.lists(st.builds(lambda t, extra: {"type": t, **extra}, kind_names,
                                 st.dictionaries(param_names, json_values, max_size=3)), max_size=5)
fuzz_bodies = st.fixed_dictionaries({"input_shape": st.lists(st.integers(-1, 40) | st.none(), max_size=4),
                                     "layers": fuzz_layers}) | json_values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=fuzz_bodies)
def test_any_body_is_answered_with_a_result_or_a_readable_422_never_a_500(client, body):
    response = client.post("/api/shapes", json=body)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert all(d["msg"] and d["msg_ko"] for d in response.json()["detail"])


def test_the_same_body_again_is_answered_from_the_answer_cache_byte_for_byte(client):
    body = json.dumps({"input_shape": [16, 16, 3], "layers": [
        {"type": "Conv2D", "filters": 5, "kernel_size": 3, "name": "cache_probe"}, {"type": "Flatten"}]}).encode()
    kept = len(shapes_route._ANSWERS)
    first = client.post("/api/shapes", content=body, headers={"content-type": "application/json"})
    assert first.status_code == 200 and len(shapes_route._ANSWERS) == kept + 1
    again = client.post("/api/shapes", content=body, headers={"content-type": "application/json"})
    assert again.content == first.content and len(shapes_route._ANSWERS) == kept + 1


def test_the_answer_cache_keys_on_the_settings_too(client_with):
    body = {"input_shape": [4], "layers": [{"type": "Dense", "units": 3}] * 4}
    assert client_with().post("/api/shapes", json=body).status_code == 200
    detail = details(client_with(max_layers=3).post("/api/shapes", json=body))
    assert "CNN_MAX_LAYERS" in detail[0]["msg"]


def test_a_refusal_is_not_kept_in_the_answer_cache(client):
    kept = len(shapes_route._ANSWERS)
    for _ in range(2):
        assert client.post("/api/shapes", json={"input_shape": [4], "layers": [{"type": "Nope"}]}).status_code == 422
    assert len(shapes_route._ANSWERS) == kept


def test_the_web_process_spaces_out_young_collections(client):
    assert gc.get_threshold()[0] == Settings().gc_young_threshold != 700  # 700: CPython's own
