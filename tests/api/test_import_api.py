"""POST /api/import: a Keras model file becomes a model with its shapes; refusals come in the one error envelope,
with the layer to blame and the limit's setting named."""

from __future__ import annotations

import io
import json
import zipfile

import h5py
from fastapi.testclient import TestClient

DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def tensor(name: str) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": [None, 8, 8, 4], "dtype": "float32", "keras_history": [name, 0, 0]}}


def layer(class_name: str, name: str, *args, **config) -> dict:
    return {"module": "keras.layers", "class_name": class_name, "registered_name": None, "name": name,
            "config": {"name": name, "trainable": True, "dtype": DTYPE, **config},
            "inbound_nodes": [{"args": list(args), "kwargs": {}}]}


def model(*layers: dict, output: str | None = None) -> dict:
    source = {"module": "keras.layers", "class_name": "InputLayer", "name": "input_layer", "inbound_nodes": [],
              "config": {"batch_shape": [None, 8, 8, 4], "dtype": "float32", "name": "input_layer"}}
    return {"module": "keras", "class_name": "Functional", "config": {
        "name": "small_resnet", "layers": [source, *layers], "input_layers": ["input_layer", 0, 0],
        "output_layers": [output or layers[-1]["name"], 0, 0]}}


RESIDUAL = model(
    layer("Conv2D", "conv", tensor("input_layer"), filters=4, kernel_size=[3, 3], padding="same"),
    layer("Add", "add", [tensor("conv"), tensor("input_layer")]),
    layer("Flatten", "flatten", tensor("add")),
    layer("Dense", "predictions", tensor("flatten"), units=10, activation="softmax"),
)


def keras_file(config: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
    return buffer.getvalue()


def send(client: TestClient, data: bytes, filename: str = "model.keras"):
    return client.post("/api/import", files={"file": (filename, data, "application/octet-stream")})


def test_a_keras_file_becomes_the_model_its_notes_its_source_and_its_shapes(client):
    response = send(client, keras_file(RESIDUAL))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"model", "notes", "source", "shapes", "run_id"}
    assert isinstance(body["run_id"], str)  # its weights are kept for feature maps (tests/keras/test_imported_weights)
    assert body["model"]["input_shape"] == [8, 8, 4]
    assert [(row["name"], row.get("inputs")) for row in body["model"]["layers"]] == [
        ("conv", None), ("add", ["conv", "input"]), ("flatten", None), ("predictions", None)]
    assert body["source"] == {"format": "keras", "weights": True, "keras_version": "3.15.1", "filename": "model.keras",
                              "bytes": len(keras_file(RESIDUAL)), "class_name": "Functional", "name": "small_resnet",
                              "layers": 5}
    assert body["notes"] == []
    assert body["shapes"] == client.post("/api/shapes", json=body["model"]).json()
    assert body["shapes"]["valid"] and body["shapes"]["total_params"] == (9 * 4 + 1) * 4 + (256 + 1) * 10


def test_a_json_config_and_a_legacy_h5_file_are_read_alike(client, tmp_path):
    from_json = send(client, json.dumps(RESIDUAL).encode(), "model.json").json()
    path = tmp_path / "model.h5"
    with h5py.File(path, "w") as h5:
        h5.attrs["model_config"] = json.dumps(RESIDUAL)
        h5.attrs["keras_version"] = "3.15.1"
    from_h5 = send(client, path.read_bytes(), "model.h5").json()
    assert from_json["model"] == from_h5["model"] == send(client, keras_file(RESIDUAL)).json()["model"]
    assert from_json["source"]["format"] == "json" and from_h5["source"]["format"] == "h5"
    assert from_h5["source"]["weights"] is False


def test_notes_say_what_was_changed_and_which_layers(client):
    regularised = {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.1}, "registered_name": None}
    config = model(layer("Dense", "dense", tensor("input_layer"), units=3, kernel_regularizer=regularised))
    [note] = send(client, json.dumps(config).encode(), "m.json").json()["notes"]
    assert note["layers"] == ["dense"] and note["count"] == 1
    assert "regularizers" in note["message"]["en"] and note["message"]["ko"]


def test_a_lambda_is_a_422_naming_the_layer_in_the_envelope(client):
    config = model(layer("Lambda", "my_lambda", tensor("input_layer"), function={"class_name": "__lambda__"}))
    response = send(client, keras_file(config))
    assert response.status_code == 422
    body = response.json()
    assert body["layer"] == 1 and body["name"] == "my_lambda"
    assert "Python code" in body["message"]["en"] and "파이썬 코드" in body["message"]["ko"]
    assert body["detail"][0]["loc"] == ["body", "file", "config", "layers", 1]
    assert body["detail"][0]["type"] == "code"


def test_an_outside_module_is_a_422(client):
    config = model(layer("Dense", "d", tensor("input_layer"), units=2,
                         kernel_initializer={"module": "os", "class_name": "system", "config": "rm -rf /"}))
    response = send(client, keras_file(config))
    assert response.status_code == 422 and "not part of Keras" in response.json()["message"]["en"]


def test_a_model_our_validation_refuses_is_a_422_naming_the_layer_in_the_file(client):
    config = model(layer("Dense", "tiny", tensor("input_layer"), units=0))
    response = send(client, json.dumps(config).encode(), "m.json")
    assert response.status_code == 422
    body = response.json()
    assert body["name"] == "tiny" and body["layer"] == 0
    assert body["message"]["en"].startswith("the model in the file cannot be used as it is: layers[0] (Dense): units")
    assert body["detail"][0]["loc"] == ["body", "file", "model", "layers", 0, "units"]


def test_a_model_keras_could_not_build_is_a_result_not_an_error(client):
    config = model(layer("Conv2D", "big", tensor("input_layer"), filters=2, kernel_size=[9, 9]))
    response = send(client, json.dumps(config).encode(), "m.json")
    assert response.status_code == 200
    assert response.json()["shapes"]["valid"] is False and response.json()["shapes"]["error"]["name"] == "big"


def test_a_damaged_file_and_a_picture_are_422s(client):
    damaged = send(client, keras_file(RESIDUAL)[:300])
    assert damaged.status_code == 422 and "damaged or cut short" in damaged.json()["message"]["en"]
    picture = send(client, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "cat.png")
    assert picture.status_code == 422 and "not a model file" in picture.json()["message"]["en"]


def test_deeply_nested_json_is_a_422_not_a_500(client):
    response = send(client, b"[" * 100_000, "deep.json")
    assert response.status_code == 422 and "nested too deeply" in response.json()["message"]["en"]


def test_a_file_over_the_limit_is_a_413_naming_the_setting_before_it_is_read(app_client):
    client = app_client(max_import_bytes=10_000)
    response = send(client, b"PK" + b"\0" * 20_000)
    assert response.status_code == 413
    assert "CNN_MAX_IMPORT_BYTES" in response.json()["message"]["en"]


def test_a_config_over_its_limit_is_a_413_naming_the_setting(client_with):
    response = send(client_with(max_import_config_bytes=500), keras_file(RESIDUAL))
    assert response.status_code == 413
    assert "CNN_MAX_IMPORT_CONFIG_BYTES" in response.json()["message"]["en"]


def test_a_model_over_the_layer_limit_is_a_413_naming_the_setting(client_with):
    response = send(client_with(max_layers=2), keras_file(RESIDUAL))
    assert response.status_code == 413 and "CNN_MAX_LAYERS" in response.json()["message"]["en"]


def test_a_zip_with_too_many_entries_is_a_413_naming_the_setting(client_with):
    response = send(client_with(max_import_zip_entries=2), keras_file(RESIDUAL))
    assert response.status_code == 413 and "CNN_MAX_IMPORT_ZIP_ENTRIES" in response.json()["message"]["en"]


def test_imports_beyond_those_in_flight_are_a_429_before_the_body_is_read(app_client):
    response = send(app_client(max_imports_in_flight=0), keras_file(RESIDUAL))
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert "CNN_MAX_IMPORTS_IN_FLIGHT" in response.json()["message"]["en"]


def test_no_file_is_a_422(client):
    response = client.post("/api/import", data={"nothing": "here"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][:2] == ["body", "file"]


def test_the_route_is_documented_with_its_errors(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/import"]["post"]
    assert {"200", "413", "422", "429"} <= set(operation["responses"])
    assert "multipart/form-data" in operation["requestBody"]["content"]
