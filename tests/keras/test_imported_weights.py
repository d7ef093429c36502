"""A model trained elsewhere, opened from its file: the weights are kept like a finished run's, and the feature maps
drawn with them equal what Keras computes when it loads the same file itself."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.imaging import decode_upload, to_model_input
from app.main import create_app
from app.samples import sample_png


def trained_elsewhere(path, fmt: str):
    """A small residual network with batch normalisation, fitted a little so no weight is at its initial value."""
    keras.utils.clear_session()
    keras.utils.set_random_seed(7)
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", name="stem")(inputs)
    x = keras.layers.BatchNormalization(name="stem_bn")(x)
    y = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="branch")(x)
    x = keras.layers.Add(name="join")([x, y])
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="classes")(x)
    model = keras.Model(inputs, outputs, name="elsewhere")
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.random((32, 16, 16, 3)), rng.integers(0, 3, 32), epochs=2, verbose=0)
    model.save(path)
    return model


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with TestClient(create_app(Settings(workers=1, data_dir=tmp_path_factory.mktemp("data")))) as test_client:
        yield test_client


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_feature_maps_of_an_opened_file_equal_keras_with_the_same_weights(client, tmp_path, suffix):
    path = tmp_path / f"elsewhere{suffix}"
    trained_elsewhere(path, suffix)
    opened = client.post("/api/import", files={"file": (path.name, path.read_bytes())})
    assert opened.status_code == 200, opened.text
    run_id = opened.json()["run_id"]
    assert run_id, opened.json()
    assert run_id not in [run["id"] for run in client.get("/api/runs").json()["runs"]]  # not a training run

    picture = sample_png("scene")
    maps = client.post("/api/featuremaps", data={"run_id": run_id}, files={"image": ("scene.png", picture)})
    assert maps.status_code == 200, maps.text
    ours = {layer["name"]: layer for layer in maps.json()["layers"]}

    keras.utils.clear_session()
    reference = keras.saving.load_model(path)  # our own file: Keras may deserialize it
    probe = keras.Model(reference.inputs, [layer.output for layer in reference.layers[1:]])
    image = to_model_input(decode_upload(picture, 10**7, 10**7), 16, 16, 3)  # as the worker reads it
    for layer, values in zip(reference.layers[1:], probe.predict(image, verbose=0)):
        stats = ours[layer.name]["stats"]
        assert stats["mean"] == pytest.approx(float(values.mean()), rel=1e-4, abs=1e-6), layer.name
        assert stats["max"] == pytest.approx(float(values.max()), rel=1e-4, abs=1e-6), layer.name
    assert "kernels_before" not in ours["stem"]  # the file's weights were not trained from our seed


def test_a_file_without_weights_keeps_none(client):
    keras.utils.clear_session()
    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs))
    opened = client.post("/api/import", files={"file": ("arch.json", model.to_json().encode())})
    assert opened.status_code == 200, opened.text
    assert opened.json()["run_id"] is None
