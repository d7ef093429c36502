"""Nothing in a model file may name code or a class from outside Keras: refused wherever it is, naming the layer.

Module paths are compared as strings, never imported; the walk is iterative and bounded in depth, since a hostile
config may nest thousands deep.
"""

from __future__ import annotations

from typing import Any

from app.core.readers.base import ReadLimits, refused
from app.core.readers.keras.keras_file import too_deep
from app.core.text import clip, josa, quoted

MODEL_CLASSES = {"Functional", "Model", "Sequential"}
KERAS_MODULES = ("keras", "tf_keras", "tensorflow.keras", "tensorflow.python.keras")
CODE_CLASSES = ("Lambda", "TFOpLambda", "SlicingOpLambda")


def check_safe(raw: dict, class_name: str, name: str, own: int, loc: tuple, limits: ReadLimits) -> None:
    """Refuse code and outside classes anywhere in a layer's entry (a nested model's layers are checked as they are
    read, so the blame falls on the right one). Iterative: a hostile config may nest thousands deep."""
    config = raw.get("config")
    if class_name in ("Lambda", "TFOpLambda", "SlicingOpLambda") or isinstance(config, dict) and "function" in config:
        raise refused(f"layer {quoted(name)} is a {class_name}: it holds Python code, and code from a file is never "
                      "run here. Replace it with built-in layers (e.g. Rescaling, Activation, Reshape) and save again",
                      f"레이어 {josa(quoted(name), '은/는')} {class_name}입니다: 파이썬 코드를 담고 있고, 파일의 코드는 여기서 "
                      "절대 실행하지 않습니다. 기본 레이어(예: Rescaling, Activation, Reshape)로 바꿔 다시 저장하세요",
                      own, name, loc, "code")
    skip_layers = class_name in MODEL_CLASSES and isinstance(config, dict)
    stack: list[tuple[Any, int]] = [(raw, 0)]
    pop, push = stack.pop, stack.append
    while stack:  # about 15 containers a layer: kept tight, NASNetLarge has 1,041 layers
        value, depth = pop()
        if depth > limits.max_json_depth:
            error = too_deep(f"layer {quoted(name)}", limits)
            error.layer, error.name, error.loc = own, name, ("body", "file", *loc)
            raise error
        depth += 1
        if type(value) is dict:
            module = value.get("module")
            if module is not None and not (isinstance(module, str) and in_modules(module, KERAS_MODULES)):
                _outside(value, name, own, loc)
            if value.get("class_name") == "__lambda__":
                raise refused(f"layer {quoted(name)} holds a Python function (a lambda), and code from a file is "
                              "never run here", f"레이어 {josa(quoted(name), '이/가')} 파이썬 함수(lambda)를 담고 있고, "
                              "파일의 코드는 여기서 절대 실행하지 않습니다", own, name, loc, "code")
            items = value.values() if not (skip_layers and value is config) else (
                item for key, item in value.items() if key != "layers")
        else:
            items = value
        for item in items:
            kind = type(item)
            if kind is dict or kind is list:
                push((item, depth))


def _outside(value: dict, name: str, own: int, loc: tuple) -> None:
    shown = quoted(clip(f"{value.get('module')}.{value.get('class_name', '')}", 80))
    raise refused(f"layer {quoted(name)} names {shown}, which is not part of Keras; only Keras's own classes can be "
                  "read, and nothing from a file is ever imported or run",
                  f"레이어 {josa(quoted(name), '이/가')} Keras에 없는 {josa(shown, '을/를')} 가리킵니다; Keras 자체의 "
                  "클래스만 읽을 수 있고, 파일에 있는 것은 절대 가져오거나 실행하지 않습니다", own, name, loc,
                  "outside_module")


def in_modules(module: str | None, prefixes: tuple[str, ...]) -> bool:
    return module is not None and any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)
