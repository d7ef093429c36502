"""The Python writer's own rules, without Keras: literals, string escapes, variable names, arguments left at their
defaults, Sequential or functional."""

from __future__ import annotations

from app.config import Settings
from app.core.engine import infer_model
from app.core.export.python import model_code, py_string, variable_names
from app.core.spec import ModelSpec, validate_model


def code_of(model: dict, lang: str = "en") -> str:
    return model_code(infer_model(validate_model(ModelSpec.model_validate(model), Settings())), lang)


def test_defaults_are_left_out_and_values_written_in_their_shortest_equivalent_form():
    code = code_of({"input_shape": [32, 32, 3], "layers": [
        {"type": "Conv2D", "filters": 8, "kernel_size": [3, 3], "strides": [1, 1], "padding": "SAME"},
        {"type": "ZeroPadding2D", "padding": [[2, 2], [1, 1]]}, {"type": "MaxPool2D", "pool_size": [2, 3]},
        {"type": "Dropout", "rate": 1}, {"type": "Flatten"}, {"type": "Dense", "units": 10, "name": "head"}]})
    assert code.splitlines()[3:] == [
        "model = keras.Sequential([",
        "    keras.Input(shape=(32, 32, 3)),",
        '    layers.Conv2D(filters=8, kernel_size=3, padding="same"),',
        "    layers.ZeroPadding2D(padding=(2, 1)),",
        "    layers.MaxPooling2D(pool_size=(2, 3)),",
        "    layers.Dropout(rate=1.0),",
        "    layers.Flatten(),",
        '    layers.Dense(units=10, name="head"),',
        "])",
        "model.summary()"]


def test_a_name_can_never_end_its_string_or_its_comment():
    assert py_string('a"b\\c\nd\u2028') == '"a\\"b\\\\c\\nd\\u2028"'
    code = code_of({"input_shape": [4], "layers": [
        {"type": "Dense", "units": 2, "name": "x\nimport os"}, {"type": "Dense", "units": 1, "inputs": ["input"]}]})
    assert "\nimport os" not in code
    assert "# x\\nimport os does not lead to the output" in code
    assert 'x_import_os = layers.Dense(units=2, name="x\\nimport os")(inputs)' in code


def test_variables_never_take_pythons_or_the_codes_own_names():
    assert variable_names(["keras", "layers", "inputs", "model", "np", "class", "print", "__init__", "conv2d"]) == [
        "keras_", "layers_", "inputs_", "model_", "np_", "class_", "print_", "__init___", "conv2d"]
    assert variable_names(["a-b", "a_b", "a b"]) == ["a_b_2", "a_b", "a_b_3"]


def test_keras_applications_layers_are_imported_from_their_modules():
    code = code_of({"input_shape": [8, 8, 4], "layers": [
        {"type": "LayerScale", "init_values": 0.1, "projection_dim": 4},
        {"type": "CustomScaleLayer", "scale": 0.5, "inputs": ["input", "layer_scale"]}]})
    assert "from keras.src.applications.convnext import LayerScale" in code
    assert "from keras.src.applications.inception_resnet_v2 import CustomScaleLayer" in code
    assert 'custom_scale_layer = CustomScaleLayer(scale=0.5, name="custom_scale_layer")([inputs, layer_scale])' in code
