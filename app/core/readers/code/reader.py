"""Python source (a tutorial's model code) read into the ``/api/shapes`` body it builds, parsed with ``ast`` and
never executed: no ``eval``, ``exec``, ``compile`` to code, and no import of anything the code names.

Recognised: ``Sequential([...])``, ``Sequential()`` with ``.add(...)``, the functional API (``keras.Input``, layers
called on tensors, merges, ``keras.Model(inputs, outputs)``), names however imported (``tf.keras.layers.X``,
``keras.layers.X``, ``layers.X``, ``from keras.layers import X as Y``), Keras 1 and 2 spellings, and ``compile`` /
``fit`` arguments as training settings. Arguments may be literals, names given literals earlier, and bounded
arithmetic on them. What is not read is a refusal at its line and column (see ``evaluator`` and ``interpreter``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from app.core.readers import Imported
from app.core.readers.base import Notes
from app.core.readers.code.builder import CodeLimits
from app.core.readers.code.interpreter import Interpreter
from app.core.readers.code.training import TrainingLimits
from app.core.readers.code.values import CodeRefused, FunctionalModel, LayerObject, SequentialModel, Where
from app.core.text import Text, clip, josa

__all__ = ["CodeImported", "CodeLimits", "TrainingLimits", "read_code"]

INPUT = "input"  # what the spec calls the model's input in ``inputs``
MAGIC = re.compile(r"^[ \t]*[!%].*$", re.MULTILINE)  # IPython's !pip and %matplotlib lines in a pasted Colab cell
TRAINING_KEYS = ("optimizer", "learning_rate", "epochs", "batch_size", "validation_split")  # RunRequest's order


@dataclass
class CodeImported(Imported):
    training: dict | None = None  # RunRequest's settings from compile() and fit(), when the code calls them

    def to_json(self) -> dict:
        out = super().to_json()
        if self.training is not None:
            out["training"] = self.training
        return out


def read_code(data: bytes | str, filename: str | None, limits: CodeLimits, field: str = "code") -> CodeImported:
    """Raises CodeRefused (422, or 413 for a limit) pointing at the line and column it will not read."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > limits.max_code_bytes:
        raise CodeRefused(None, Text(f"the code is {size:,} bytes, over the limit of {limits.max_code_bytes:,} (setting "
                                     "CNN_MAX_IMPORT_CODE_BYTES); send the cell or file that builds the model",
                                     f"코드가 {size:,}바이트로 한도 {limits.max_code_bytes:,}바이트를 넘습니다 (설정 "
                                     "CNN_MAX_IMPORT_CODE_BYTES); 모델을 만드는 셀이나 파일만 보내세요"),
                          status=413, kind="too_long", field=field)
    text = _decoded(data, field)
    notes = Notes()
    tree = _parsed(text, notes, field)
    reader = Interpreter(text, notes, field, limits)
    try:
        reader.run(tree)
    except RecursionError:
        raise CodeRefused(None, Text("the code nests too deeply to be read", "코드가 너무 깊게 중첩되어 읽을 수 없습니다"),
                          field=field) from None
    model = _chosen(reader, notes, field)
    body, lines, class_name = _sequential(reader, model) if isinstance(model, SequentialModel) else \
        _functional(reader, model)
    _channels_first_hint(body, notes)
    source = {"format": "python", "class_name": class_name, "name": model.name, "layers": len(body["layers"]),
              "line": model.where.line, "lines": lines, "filename": clip(filename or "", 200) or None, "bytes": size}
    training = reader.trainings.get(id(model))
    if training is not None:
        for text_ in training.notes:
            notes.add(text_)
    settings = {key: training.values[key] for key in TRAINING_KEYS if key in training.values} if training else None
    return CodeImported(body, notes, source, settings)


def _decoded(data: bytes | str, field: str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CodeRefused(None, Text(f"the code is not UTF-8 text (byte {error.start:,} cannot be read)",
                                     f"코드가 UTF-8 텍스트가 아닙니다 ({error.start:,}번째 바이트를 읽을 수 없습니다)"),
                          field=field) from None


def _parsed(text: str, notes: Notes, field: str) -> ast.Module:
    try:
        return _parse(text, field)
    except CodeRefused as error:
        stripped, count = MAGIC.subn("", text)
        if not count or error.kind != "syntax":
            raise
    tree = _parse(stripped, field)  # the same lines: each IPython line is emptied, not removed
    notes.add(Text(f"{count} IPython line(s) (!pip, %matplotlib, …) are skipped", f"IPython 줄 {count}개(!pip, "
                   "%matplotlib, …)는 건너뛰었습니다"))
    return tree


def _parse(text: str, field: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as error:
        where = Where(error.lineno or 1, error.offset or 1)
        raise CodeRefused(where, Text(f"this is not valid Python 3 ({clip(error.msg, 120)}); fix the line, or send only "
                                      "the cell that builds the model", f"올바른 파이썬 3 코드가 아닙니다 "
                                      f"({clip(error.msg, 120)}); 그 줄을 고치거나 모델을 만드는 셀만 보내세요"),
                          kind="syntax", field=field) from None
    except (RecursionError, MemoryError):
        raise CodeRefused(None, Text("the code nests too deeply to be parsed (Python's parser gives up); split the "
                                     "expression", "코드가 너무 깊게 중첩되어 파싱할 수 없습니다 (파이썬 파서가 "
                                     "멈춥니다); 식을 나누세요"), field=field) from None
    except ValueError as error:  # e.g. an integer literal of thousands of digits
        raise CodeRefused(None, Text(f"the code cannot be parsed ({clip(str(error), 120)})",
                                     f"코드를 파싱할 수 없습니다 ({clip(str(error), 120)})"), field=field) from None


def _chosen(reader: Interpreter, notes: Notes, field: str):
    """The model the code trains last; else the one it compiles last; else the last it builds."""
    models = [model for model in reader.models if getattr(model, "placed", None) is None]
    unread = [(name, error) for name, error in reader.deferred.items() if "model" in name.lower()]
    if not models and unread:
        name, error = unread[-1]
        root = error.root
        raise CodeRefused(root.where, Text(f"no model was found: {name} could not be read ({root.bare.en})",
                                           f"모델을 찾지 못했습니다: {josa(name, '을/를')} 읽을 수 없습니다 ({root.bare.ko})"),
                          field=field)
    if not models:
        raise CodeRefused(None, Text("no model was found: the code builds no keras.Sequential or keras.Model (a "
                                     "subclassed model or keras.applications cannot be read); paste the code that "
                                     "builds it", "모델을 찾지 못했습니다: 코드가 keras.Sequential이나 keras.Model을 "
                                     "만들지 않습니다 (상속한 모델이나 keras.applications는 읽을 수 없습니다); 모델을 만드는 "
                                     "코드를 붙여 넣으세요"), field=field)
    trained = [model for model in models if id(model) in reader.trained_at]
    model = max(trained, key=lambda m: reader.trained_at[id(m)]) if trained else models[-1]
    if len(models) > 1:
        why = ("the one trained with fit()" if reader.trained_at[id(model)][0] else "the one compiled") if trained \
            else "the last one"
        why_ko = ("fit()으로 학습하는 모델" if reader.trained_at[id(model)][0] else "compile()한 모델") if trained \
            else "마지막 모델"
        notes.add(Text(f"the code builds {len(models)} models; this is the one at line {model.where.line}, {why}",
                       f"코드가 모델 {len(models)}개를 만듭니다; {model.where.line}행의 모델({why_ko})을 열었습니다"))
    return model


def _sequential(reader: Interpreter, model: SequentialModel) -> tuple[dict, list[int], str]:
    if model.input_shape is None:
        raise CodeRefused(model.where, Text("the model's input shape is not in the code: give its first layer "
                                            "input_shape=(28, 28, 1), or start it with keras.Input(shape=(28, 28, 1))",
                                            "모델의 입력 형태가 코드에 없습니다: 첫 레이어에 input_shape=(28, 28, 1)을 "
                                            "주거나 keras.Input(shape=(28, 28, 1))로 시작하세요"), field=reader.field)
    for text in reader.model_notes.get(id(model), []):
        reader.notes.add(text)
    _label(model.layers)
    _layer_notes(reader, model.layers)
    layers = [layer.spec() for layer in model.layers]
    return {"input_shape": model.input_shape, "layers": layers}, [layer.where.line for layer in model.layers], \
        "Sequential"


def _functional(reader: Interpreter, model: FunctionalModel) -> tuple[dict, list[int], str]:
    nodes, start = reader.nodes, model.input_node
    needed = _ancestors(nodes, model.output_node)
    for index in sorted(needed):
        node = nodes[index]
        if node.layer is None and index != start:
            raise CodeRefused(nodes[model.output_node].where, Text(
                f"the model's output also comes from a second Input (line {node.where.line}); a model here has one "
                "input", f"모델의 출력이 두 번째 Input({node.where.line}행)에서도 옵니다; 여기서는 입력이 하나인 모델만 "
                "됩니다"), field=reader.field)
    member, chosen = {start}, []
    for node in nodes[start + 1:]:
        if node.layer is not None and node.inputs and all(i in member for i in node.inputs):
            member.add(node.index)
            chosen.append(node)
    _label([node.layer for node in chosen])
    _layer_notes(reader, [node.layer for node in chosen])
    unused = [node for node in chosen if node.index not in needed]
    if unused:
        reader.notes.add(Text(f"{len(unused)} layer(s) do not lead to the model's output: Keras leaves them out of the "
                              "model; here they are shown unused", f"레이어 {len(unused)}개는 모델의 출력으로 이어지지 "
                              "않습니다: Keras는 모델에서 빼고, 여기서는 쓰이지 않음으로 보여 줍니다"))
    label = {start: INPUT, **{node.index: node.layer.label for node in chosen}}
    layers, previous = [], INPUT
    for node in chosen:
        spec = node.layer.spec()
        inputs = [label[i] for i in node.inputs]
        if inputs != [previous]:
            spec = {"type": spec["type"], **({"name": spec["name"]} if "name" in spec else {}), "inputs": inputs,
                    **{k: v for k, v in spec.items() if k not in ("type", "name")}}
        layers.append(spec)
        previous = node.layer.label
    return {"input_shape": nodes[start].shape, "layers": layers}, [node.where.line for node in chosen], "Functional"


def _ancestors(nodes: list, output: int) -> set[int]:
    needed, todo = set(), [output]
    while todo:
        index = todo.pop()
        if index not in needed:
            needed.add(index)
            todo.extend(nodes[index].inputs)
    return needed


def _label(layers: list[LayerObject]) -> None:
    """Each layer's name in the model: its own, else the automatic one Keras gives it where the code creates it.

    The engine names unnamed layers in the spec's order, as a fresh session building them in that order would; a
    layer whose Keras name differs (created in another order, or after another model's layers) is named in the spec."""
    counters: dict[str, int] = {}
    for layer in layers:
        if layer.name is not None:
            layer.label = layer.name
            continue
        prefix = layer.kind.name_prefix
        count = counters.get(prefix, 0)
        engine = prefix if count == 0 else f"{prefix}_{count}"
        if layer.keras_name is not None and layer.keras_name != engine:
            layer.name = layer.label = layer.keras_name
            continue
        counters[prefix] = count + 1
        layer.label = engine


def _layer_notes(reader: Interpreter, layers: list[LayerObject]) -> None:
    for layer in layers:
        for text in dict.fromkeys(layer.notes):
            reader.notes.add(text, layer.label)


def _channels_first_hint(body: dict, notes: Notes) -> None:
    """Keras 1 with Theano put channels first ((1, 28, 28)); Keras 3 reads channels last unless told."""
    shape = body["input_shape"]
    told = any(layer.get("data_format") == "channels_first" for layer in body["layers"])
    if len(shape) == 3 and shape[0] in (1, 3) and isinstance(shape[2], int) and shape[2] > 4 and not told:
        notes.add(Text(f"the input shape {tuple(shape)} looks channels-first (Keras 1 with Theano); Keras 3 reads "
                       f"channels last: write {(shape[1], shape[2], shape[0])}, or data_format='channels_first'",
                       f"입력 형태 {josa(tuple(shape), '은/는')} 채널이 앞에 있는 것 같습니다 (Theano를 쓰던 Keras 1); Keras 3은 "
                       f"채널을 마지막으로 읽습니다: {(shape[1], shape[2], shape[0])}로 쓰거나 "
                       "data_format='channels_first'를 주세요"))

