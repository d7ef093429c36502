"""POST /api/import with Python code: the `code` field or a `.py` file, answered like a model file (plus `training`),
refused in the one envelope with the line and column, never run."""

from __future__ import annotations

from fastapi.testclient import TestClient

CIFAR = """\
import tensorflow as tf
from tensorflow.keras import layers, models

model = models.Sequential()
model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.add(layers.Flatten())
model.add(layers.Dense(64, activation='relu'))
model.add(layers.Dense(10))

model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
history = model.fit(train_images, train_labels, epochs=10,
                    validation_data=(test_images, test_labels))
"""


def send_code(client: TestClient, code: str):
    return client.post("/api/import", data={"code": code})


def test_pasted_code_becomes_the_model_its_notes_source_shapes_and_training(client):
    response = send_code(client, CIFAR)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"model", "notes", "source", "shapes", "run_id", "training"}
    assert body["run_id"] is None
    assert body["model"]["input_shape"] == [32, 32, 3] and len(body["model"]["layers"]) == 8
    assert body["shapes"]["valid"] and body["shapes"]["total_params"] == 122_570  # the TensorFlow CNN tutorial's
    assert body["source"] == {"format": "python", "class_name": "Sequential", "name": None, "layers": 8, "line": 4,
                              "lines": [5, 6, 7, 8, 9, 10, 11, 12], "filename": None, "bytes": len(CIFAR.encode())}
    assert body["training"] == {"optimizer": "adam", "epochs": 10, "batch_size": 32}
    assert [note["message"]["en"][:30] for note in body["notes"]] == ["validation_data is data of you"]


def test_a_py_file_is_read_as_code(client):
    response = client.post("/api/import", files={"file": ("cifar_cnn.py", CIFAR.encode(), "text/x-python")})
    assert response.status_code == 200, response.text
    assert response.json()["source"]["filename"] == "cifar_cnn.py"
    assert response.json()["shapes"]["total_params"] == 122_570


def test_code_that_cannot_be_read_is_a_422_at_its_line_and_column(client):
    code = "import keras\nmodel = keras.Sequential([\n    keras.layers.Dense(len(classes), input_dim=4)])\n"
    response = send_code(client, code)
    assert response.status_code == 422
    body = response.json()
    assert body["message"]["en"].startswith("line 3, column 24: len(…) is a call the reader does not follow")
    assert body["message"]["ko"].startswith("3행 24열: ")
    assert body["detail"][0]["loc"] == ["body", "code", "line", 3, "column", 24]


def test_a_refused_py_file_names_the_file_field(client):
    response = client.post("/api/import", files={"file": ("m.py", b"import keras\nm = keras.Sequential([Foo()])\n")})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "file"]


def test_a_syntax_error_is_a_422_at_its_line(client):
    response = send_code(client, "import keras\nmodel = keras.Sequential([\n")
    assert response.status_code == 422 and response.json()["message"]["en"].startswith("line 2, column ")


def test_a_model_our_validation_refuses_is_a_422_headed_by_the_layers_line(client):
    code = "import keras\nm = keras.Sequential([keras.Input((8, 8, 3)),\n    keras.layers.Dense(2, name='a'),\n" \
           "    keras.layers.Dense(2, name='a')])\n"
    response = send_code(client, code)
    assert response.status_code == 422
    body = response.json()
    assert body["message"]["en"].startswith("line 4: the model in the code cannot be used as it is: layers[1]")
    assert body["layer"] == 1 and body["name"] == "a"
    assert body["detail"][0]["loc"] == ["body", "code", "model", "layers", 1, "name"]


def test_a_model_keras_cannot_build_is_a_result_not_an_error(client):
    code = "import keras\nm = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Conv2D(4, 5)])\n"
    response = send_code(client, code)
    assert response.status_code == 200 and response.json()["shapes"]["valid"] is False


def test_code_over_the_limit_is_a_413_naming_the_setting(app_client):
    client = app_client(max_import_code_bytes=1000)
    response = send_code(client, "x = 1\n" * 500)
    assert response.status_code == 413
    assert "CNN_MAX_IMPORT_CODE_BYTES" in response.json()["message"]["en"]
    response = client.post("/api/import", files={"file": ("big.py", b"x = 1\n" * 500)})
    assert response.status_code == 413


def test_a_megabyte_of_code_is_a_413_with_the_default_settings(client):
    response = send_code(client, "# " + "x" * 1_000_000 + "\n")
    assert response.status_code == 413
    assert "CNN_MAX_IMPORT_CODE_BYTES" in response.json()["message"]["en"]


def test_a_file_and_code_together_or_neither_is_a_422(client):
    both = client.post("/api/import", data={"code": CIFAR}, files={"file": ("m.py", CIFAR.encode())})
    neither = client.post("/api/import", data={})
    assert both.status_code == neither.status_code == 422
    assert "one of them" in both.json()["message"]["en"]


def test_hostile_code_is_refused_and_writes_nothing(client, tmp_path):
    marker = tmp_path / "MARKER"
    for payload in (f"__import__('os').system('touch {marker}')", f"open('{marker}', 'w')",
                    f"exec(\"open('{marker}', 'w')\")", "().__class__.__bases__[0].__subclasses__()", "10**10**10",
                    "'a' * 10**9"):
        code = f"import keras\nm = keras.Sequential([keras.layers.Dense({payload}, input_dim=3)])\n"
        response = send_code(client, code)
        assert response.status_code == 422, payload
        assert response.json()["message"]["en"].startswith("line 2, column 42: ")
    deep = send_code(client, "x = " + "+".join(["1"] * 100_000))
    assert deep.status_code == 422 and "nest" in deep.json()["message"]["en"]
    assert not marker.exists()


def test_the_openapi_documents_the_code_field(client):
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/import"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    ref = body["$ref"].split("/")[-1] if "$ref" in body else None
    properties = schema["components"]["schemas"][ref]["properties"] if ref else body["properties"]
    assert {"file", "code"} <= set(properties)
