"""Every keras.applications architecture, built by real Keras with weights=None, saved as JSON (all 40) and as a
.keras file (a representative few: the largest weigh over a gigabyte), read back by our reader as data, and
answered by our engine: every Keras layer's output shape and parameter counts, and the totals, equal Keras's.

The reader opens up models nested inside (ConvNeXt's stem and downsampling are Sequential models) and reads Python
arithmetic between tensors (keras.ops: MobileNetV3's ``x + 3.0``, ConvNeXt's residual ``x + y``) as the layers that
compute the same; Keras lists neither as a layer, so those rows are ours alone, and they hold no weights.
Building all 40 takes about two minutes: one test per architecture, so pytest-xdist spreads them."""

from __future__ import annotations

import gc
import json
import math

import keras
import pytest

from app.config import Settings
from app.core.engine import infer_model
from app.core.readers import ImportRefused, ReadLimits, read_model_config, read_model_file
from app.core.spec import ModelSpec, validate_model

APPLICATIONS = [
    "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
    "DenseNet121", "DenseNet169", "DenseNet201",
    "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3", "EfficientNetB4", "EfficientNetB5",
    "EfficientNetB6", "EfficientNetB7",
    "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2L",
    "EfficientNetV2M", "EfficientNetV2S",
    "InceptionResNetV2", "InceptionV3",
    "MobileNet", "MobileNetV2", "MobileNetV3Large", "MobileNetV3Small",
    "NASNetLarge", "NASNetMobile",
    "ResNet101", "ResNet101V2", "ResNet152", "ResNet152V2", "ResNet50", "ResNet50V2",
    "VGG16", "VGG19", "Xception",
]
SAVED_AS_KERAS = {"ResNet50", "MobileNetV3Small", "EfficientNetB0", "InceptionResNetV2", "ConvNeXtTiny",
                  "NASNetMobile", "DenseNet121"}
SAVED_AS_H5 = {"ResNet50", "MobileNetV3Small"}
SETTINGS = Settings()
LIMITS = ReadLimits(max_layers=SETTINGS.max_layers)


def test_the_list_is_every_architecture_keras_applications_has():
    assert APPLICATIONS == sorted(name for name in dir(keras.applications) if name[0].isupper())


def weight_count(weights) -> int:
    return sum(math.prod(w.shape) for w in weights)


def keras_rows(model: keras.Model) -> dict[str, dict]:
    """Each layer Keras built, by name; a model inside is opened up as the reader opens it."""
    rows = {}
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            rows.update(keras_rows(layer))
        elif not isinstance(layer, keras.layers.InputLayer):
            rows[layer.name] = {"output_shape": list(layer.output.shape),
                                "trainable_params": weight_count(layer.trainable_weights),
                                "non_trainable_params": weight_count(layer.non_trainable_weights)}
    return rows


def our_answer(model: dict) -> dict:
    return infer_model(validate_model(ModelSpec.model_validate(model), SETTINGS)).to_json()


def assert_same_as_keras(result: dict, model: keras.Model) -> None:
    assert result["valid"], result["error"]
    ours = {row["name"]: {key: row[key] for key in ("output_shape", "trainable_params", "non_trainable_params")}
            for row in result["layers"]}
    theirs = keras_rows(model)
    assert {name: ours.get(name) for name in theirs} == theirs
    extra = [row for row in result["layers"] if row["name"] not in theirs]
    assert all(row["params"] == 0 and row["type"] in ("Add", "Multiply", "Rescaling") for row in extra), extra
    assert result["output_shape"] == list(model.output.shape)
    assert result["total_params"] == model.count_params()
    assert result["trainable_params"] == weight_count(model.trainable_weights)
    assert result["non_trainable_params"] == weight_count(model.non_trainable_weights)


@pytest.fixture
def fresh_session():
    keras.utils.clear_session()
    yield
    keras.utils.clear_session()
    gc.collect()


@pytest.mark.parametrize("name", APPLICATIONS)
def test_an_application_read_from_its_files_has_every_row_and_total_keras_has(name, tmp_path, fresh_session):
    model = getattr(keras.applications, name)(weights=None)
    imported = read_model_config(json.loads(model.to_json()), LIMITS)
    assert_same_as_keras(our_answer(imported.model), model)
    for suffix, saved in ((".keras", SAVED_AS_KERAS), (".h5", SAVED_AS_H5)):
        if name not in saved:
            continue
        path = tmp_path / f"{name}{suffix}"
        model.save(path)
        with path.open("rb") as file:
            from_file = read_model_file(file, path.name, LIMITS)
        path.unlink()
        assert from_file.source["weights"] is True
        if suffix == ".keras":
            assert from_file.model == imported.model
        else:  # the legacy format writes Keras 2's config: read alike, shapes and counts the same
            assert_same_as_keras(our_answer(from_file.model), model)


def test_the_marker_payload_runs_in_keras_deserializer_and_never_through_the_reader(tmp_path, fresh_session):
    marker = tmp_path / "marker"
    payload = eval(f"lambda x: (open({str(marker)!r}, 'w').write('ran'), x)[1]")
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Lambda(payload, name="evil")(inputs))
    path = tmp_path / "evil.keras"
    model.save(path)
    marker.unlink(missing_ok=True)  # building the model above ran the function once, in this test
    with path.open("rb") as file, pytest.raises(ImportRefused) as refused:
        read_model_file(file, path.name, LIMITS)
    assert refused.value.name == "evil" and refused.value.kind == "code"
    assert not marker.exists()
    keras.saving.load_model(path, safe_mode=False)  # what the reader never does: the payload is live
    assert marker.read_text() == "ran"


def freeze_whole(model: keras.Model) -> None:
    model.trainable = False


def freeze_all_but_the_last_10(model: keras.Model) -> None:
    for layer in model.layers[:-10]:
        layer.trainable = False


def freeze_whole_then_thaw_the_last(model: keras.Model) -> None:
    model.trainable = False
    last_with_weights(model).trainable = True  # inside a trainable model, this layer's weights train again


def last_with_weights(model: keras.Model) -> keras.layers.Layer:
    return [layer for layer in model.layers if layer.weights][-1]


FREEZINGS = [freeze_whole, freeze_all_but_the_last_10, freeze_whole_then_thaw_the_last]


@pytest.mark.parametrize("freeze", FREEZINGS, ids=lambda f: f.__name__)
def test_a_transfer_learning_model_read_from_its_files_counts_frozen_weights_as_keras_does(freeze, tmp_path,
                                                                                           fresh_session):
    """Keras's transfer-learning recipe: a base model frozen whole (``base.trainable = False``), layer by layer for
    fine-tuning, or whole and then one layer thawed. Every file keeps each layer's flag, and the non-trainable
    counts follow it, BatchNormalization's gamma and beta included."""
    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3))
    freeze(base)
    inputs = keras.Input((96, 96, 3))
    features = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Dropout(0.2)(features)))
    assert 0 < weight_count(model.trainable_weights) < weight_count(model.non_trainable_weights)
    assert_saved_and_read_as_keras_counts(model, tmp_path)


def test_a_model_frozen_whole_has_no_trainable_weight_even_in_a_layer_thawed_after(tmp_path, fresh_session):
    """Only the top model's own flag overrides its layers' flags: Keras's model.trainable_weights is empty."""
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(8, 3), keras.layers.BatchNormalization(),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(4)])
    freeze_whole_then_thaw_the_last(model)
    assert weight_count(model.trainable_weights) == 0 < weight_count(last_with_weights(model).trainable_weights)
    assert_saved_and_read_as_keras_counts(model, tmp_path, rows=False)


def assert_saved_and_read_as_keras_counts(model: keras.Model, tmp_path, rows: bool = True) -> None:
    """As JSON, .keras and .h5: the totals Keras gives, and unless ``rows`` is False every layer's own counts (a
    layer of a model frozen whole has trainable weights of its own that the model does not count)."""
    answers = [our_answer(read_model_config(json.loads(model.to_json()), LIMITS).model)]
    for suffix in (".keras", ".h5"):
        path = tmp_path / f"transfer{suffix}"
        model.save(path)
        with path.open("rb") as file:
            answers.append(our_answer(read_model_file(file, path.name, LIMITS).model))
    for answer in answers:
        if rows:
            assert_same_as_keras(answer, model)
        assert (answer["trainable_params"], answer["non_trainable_params"]) == (
            weight_count(model.trainable_weights), weight_count(model.non_trainable_weights))
