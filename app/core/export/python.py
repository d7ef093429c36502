"""The model as runnable Keras 3 code: one line per layer, only the arguments that differ from Keras's defaults,
in Keras's own argument order. A plain stack is a ``keras.Sequential``; a model whose layers name their inputs is
written with the functional API, one variable per layer, so the code reads as the graph does.

The page's Python view shows this text. Values are written as the core normalised them (they are what the worker
passes to Keras), in their shortest equivalent form: ``kernel_size=3`` rather than ``(3, 3)``.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
from typing import Any

from app.core.engine import LayerResult, ModelResult
from app.core.params import FloatParam, SidesParam, TupleParam
from app.core.spec import INPUT, ValidLayer
from app.core.text import Text, josa

# Layers that keras.applications define for themselves, not in keras.layers (as app/tf/build.py builds them).
APPLICATION_LAYERS = {
    "LayerScale": "keras.src.applications.convnext",
    "CustomScaleLayer": "keras.src.applications.inception_resnet_v2",
}
# Names the code itself uses: a layer's variable never takes one (nor a keyword or a builtin).
CODE_NAMES = {"keras", "layers", "inputs", "model", "tf", "np", *APPLICATION_LAYERS}
RESERVED = CODE_NAMES | set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def py_literal(value: Any) -> str:
    """A normalised value as a Python literal: tuples, None, True, floats as Python writes them.

    >>> py_literal((3, 3)), py_literal((784,)), py_literal(None), py_literal(1e-6), py_literal("same")
    ('(3, 3)', '(784,)', 'None', '1e-06', '"same"')
    >>> py_literal(((1, 2), (3, 4))), py_literal([0.5, 2])
    ('((1, 2), (3, 4))', '(0.5, 2)')
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return py_string(value)
    if isinstance(value, (list, tuple)):
        items = [py_literal(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    return repr(value)


def py_string(text: str) -> str:
    """A string literal in double quotes; anything that is not printable (a newline in a layer's name) escaped,
    so a name can never end the string or the line.

    >>> py_string('pool "proj"'), py_string("a\\nimport os"), py_string("합성곱")
    ('"pool \\\\"proj\\\\""', '"a\\\\nimport os"', '"합성곱"')
    """
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    return '"' + "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in body) + '"'


def one_line(text: str) -> str:
    """Text for a ``#`` comment: what is not printable (a line break that would end the comment) escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _compact(param, value: Any) -> Any:
    """``(3, 3)`` as ``3`` and ``((1, 1), (2, 2))`` as ``(1, 2)``: what Keras reads the same way."""
    if isinstance(param, TupleParam) and len(set(value)) == 1:
        return value[0]
    if isinstance(param, SidesParam):
        if all(before == after for before, after in value):
            value = tuple(before for before, _ in value)
            return value[0] if len(set(value)) == 1 else value
    return value


def _argument(param, value: Any) -> str:
    if isinstance(param, FloatParam) and isinstance(value, (int, float)):
        return repr(float(value))
    return py_literal(_compact(param, value))


def layer_call(layer: ValidLayer, with_name: bool) -> str:
    """``layers.Conv2D(filters=32, kernel_size=3, name="conv2d")``, or ``LayerScale(…)`` from keras.applications."""
    args = [f"{param.name}={_argument(param, layer.params[param.name])}" for param in layer.kind.params
            if param.required or layer.params[param.name] != param.default_value]
    if with_name:
        args.append(f"name={py_string(layer.name)}")
    if not layer.trainable and layer.kind.takes_trainable:  # the others hold no weights: nothing to freeze
        args.append("trainable=False")
    prefix = "" if layer.kind.type in APPLICATION_LAYERS else "layers."
    return f"{prefix}{layer.kind.type}({', '.join(args)})"


def imports(result: ModelResult) -> list[str]:
    used = {row.layer.kind.type for row in result.layers}
    return ["import keras", "from keras import layers",
            *(f"from {module} import {name}" for name, module in APPLICATION_LAYERS.items() if name in used)]


def variable_names(names: list[str]) -> list[str]:
    """One Python variable per layer, named after it: a name that already is a free identifier keeps itself; the
    others become the nearest identifier (ASCII only: Python folds some Unicode letters together), with ``_2``,
    ``_3`` … where two would meet and a trailing ``_`` where a name is Python's or the code's own.

    >>> variable_names(["conv2d", "1x1", "pool proj", "max", "model", "conv2d", "합성곱"])
    ['conv2d', 'layer_1x1', 'pool_proj', 'max_', 'model_', 'conv2d_2', 'layer']
    """
    taken: set[str] = set()
    chosen: list[str | None] = []
    for name in names:
        free = IDENTIFIER.match(name) and not _reserved(name) and name not in taken
        chosen.append(name if free else None)
        if free:
            taken.add(name)
    out = []
    for name, kept in zip(names, chosen):
        if kept:
            out.append(kept)
            continue
        base = re.sub(r"[^A-Za-z0-9_]+", "_", name)
        if not re.search(r"[A-Za-z0-9]", base):
            base = "layer"
        if base[0].isdigit():
            base = f"layer_{base}"
        if _reserved(base):
            base = f"{base}_"
        variable, n = base, 2
        while variable in taken:
            variable, n = f"{base}_{n}", n + 1
        taken.add(variable)
        out.append(variable)
    return out


def _reserved(name: str) -> bool:
    return name in RESERVED or (name.startswith("__") and name.endswith("__"))


def _notes(row: LayerResult, lang: str) -> list[str]:
    """Comments above a layer's line: Keras refuses it, cannot run data through it, or leaves it out."""
    name = one_line(row.layer.name)
    if row.error is not None:
        said = Text(f"Keras refuses {name} here, so this line raises: {row.error.en}",
                    f"케라스가 여기서 {josa(name, '을/를')} 거부하므로 이 줄에서 오류가 납니다: {row.error.ko}")
    elif row.inference is not None and row.inference.run_error is not None:
        error = row.inference.run_error
        said = Text(f"Keras builds {name}, but running data through it fails: {error.en}",
                    f"케라스가 {josa(name, '을/를')} 만들지만 데이터를 넣으면 실패합니다: {error.ko}")
    elif not row.used:
        said = Text(f"{name} does not lead to the output, so Keras leaves it out of the model and its parameters out "
                    "of the totals.", f"{josa(name, '은/는')} 출력으로 이어지지 않아 케라스가 모델에서 빼고, 파라미터도 "
                    "합계에 넣지 않습니다.")
    else:
        return []
    return [f"# {one_line(getattr(said, lang))}"]


def model_lines(result: ModelResult, lang: str = "en") -> list[str]:
    """The lines that make ``model`` (imports not included)."""
    if result.model.functional:
        return _functional(result, lang)
    lines = ["model = keras.Sequential([", f"    keras.Input(shape={py_literal(result.model.input_shape[1:])}),"]
    for row in result.layers:
        lines += [f"    {note}" for note in _notes(row, lang)]
        lines.append(f"    {layer_call(row.layer, with_name=row.layer.given_name)},")
    return [*lines, "])"]


def _functional(result: ModelResult, lang: str) -> list[str]:
    names = [row.layer.name for row in result.layers]
    variables = variable_names(names)
    variable_of = {INPUT: "inputs"}
    lines = [f"inputs = keras.Input(shape={py_literal(result.model.input_shape[1:])})"]
    for row, variable in zip(result.layers, variables):
        sources = [variable_of[source] for source in row.layer.inputs]
        listed = row.layer.listed and row.layer.kind.merge
        applied = f"[{', '.join(sources)}]" if listed or len(sources) > 1 else sources[0]
        lines += _notes(row, lang)
        lines.append(f"{variable} = {layer_call(row.layer, with_name=True)}({applied})")
        variable_of[row.layer.name] = variable
    return [*lines, f'model = keras.Model(inputs, {variables[-1]}, name="functional")']


def model_code(result: ModelResult, lang: str = "en") -> str:
    """A whole script: imports, the model, ``model.summary()``."""
    return "\n".join([*imports(result), "", *model_lines(result, lang), "model.summary()", ""])
