"""A Keras model config as a flat list of layers in topological order, each naming the layers it takes.

Reads Functional and Sequential configs as Keras 3 writes them (``inbound_nodes`` of ``{"args", "kwargs"}`` holding
``__keras_tensor__`` entries) and as Keras 2 / tf.keras wrote them (``[[["name", 0, 0, {}], …]]``). A model nested
inside another (ConvNeXt's stem is a Sequential; a fine-tuned base model inside a Sequential) is opened up in its
place. The model's input is called ``"input"``; its output comes last. What the spec cannot say is refused, naming
the layer: several inputs or outputs, a layer called more than once (shared), a layer with several outputs.

Everything here is dictionaries and strings: a module path is compared, never imported.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

from app.core.readers.base import ImportRefused, Notes, ReadLimits, refused
from app.core.readers.keras.nodes import Entry, Tensor, flat_tensors, read_entry, resolve
from app.core.readers.keras.safety import KERAS_MODULES, MODEL_CLASSES, in_modules
from app.core.text import Text, clip, josa, quoted

INPUT = "input"  # what the spec calls the model's input in ``inputs``
OPERATION_MODULES = ("keras.src.ops", "keras.ops")
OPERATIONS = {"Add", "Subtract", "Multiply", "Divide", "TrueDivide", "Maximum", "Minimum"}  # read by layers
MAX_MODEL_NESTING = 8  # a model inside a model inside …; real ones nest once


@dataclass(frozen=True)
class Trainability:
    """Which layers Keras counts as frozen, read from the flags saved in the file.

    A model whose own ``trainable`` is False has no trainable weight at all, but only the top model's flag acts
    so: inside it, each weight keeps its own layer's flag (Keras's setter wrote False into every layer of a model
    frozen in code, and a layer unfrozen after that says True). A layer saved without the key, as hand-written
    JSON may be, takes the flag of the nearest model that has one."""

    whole_model: bool = False
    nearest_model: bool = False

    @classmethod
    def of_top(cls, config: Any) -> Trainability:
        return cls(whole_model=_own_flag(config) is False)

    def inside(self, model_config: Any) -> Trainability:
        own = _own_flag(model_config)
        return self if own is None else Trainability(self.whole_model, not own)

    def frozen(self, layer_config: Any) -> bool:
        own = _own_flag(layer_config)
        return self.whole_model or (self.nearest_model if own is None else not own)


def _own_flag(config: Any) -> bool | None:
    flag = config.get("trainable") if isinstance(config, dict) else None
    return flag if isinstance(flag, bool) else None


@dataclass
class GraphLayer:
    name: str  # unique in the model; the file's name unless it was taken
    class_name: str
    module: str | None
    config: dict
    args: list  # positional call arguments: Tensor, lists of them, or constants (x + 3.0)
    index: int  # the top-level layer in the file to blame (a nested model's own index for its layers)
    loc: tuple  # where in the file
    frozen: bool = False  # its weights count as non-trainable (``Trainability.frozen``)

    @property
    def inputs(self) -> list[str]:
        return [tensor.name for tensor in flat_tensors(self.args)]

    @property
    def is_operation(self) -> bool:
        """Python arithmetic between tensors (keras.ops), not a layer. The legacy .h5 format writes no module; there
        an operation's config holds its name alone, where a layer's always holds trainable and dtype too."""
        if self.module is not None:
            return in_modules(self.module, OPERATION_MODULES)
        return self.class_name in OPERATIONS and isinstance(self.config, dict) and set(self.config) <= {"name"}


@dataclass
class Graph:
    input_shape: list
    layers: list[GraphLayer]
    name: str | None
    class_name: str
    file_layers: int  # entries in the file's top-level layer list


@dataclass
class _Context:
    notes: Notes
    limits: ReadLimits
    layers: list[GraphLayer] = field(default_factory=list)
    taken: set[str] = field(default_factory=lambda: {INPUT})

    def unique(self, name: str) -> str:
        if name not in self.taken:
            self.taken.add(name)
            return name
        number = 1
        while f"{name}_{number}" in self.taken:
            number += 1
        new = f"{name}_{number}"
        self.taken.add(new)
        why = (Text("'input' stands for the model's input here", "여기서 'input'은 모델의 입력을 뜻합니다") if name == INPUT
               else Text("a layer of another model inside had the same name", "안쪽 모델의 다른 레이어가 같은 이름을 씁니다"))
        self.notes.add(Text(f"renamed {quoted(name)} to {quoted(new)}: {why.en}",
                            f"{josa(quoted(name), '을/를')} {josa(quoted(new), '으로/로')} 바꿨습니다: {why.ko}"), new)
        return new

    def add(self, layer: GraphLayer) -> None:
        if len(self.layers) >= self.limits.max_layers:
            raise ImportRefused(Text(f"the model has more than {self.limits.max_layers:,} layers, the limit "
                                     "(setting CNN_MAX_LAYERS)",
                                     f"모델의 레이어가 한도 {self.limits.max_layers:,}개보다 많습니다 (설정 CNN_MAX_LAYERS)"),
                                status=413, layer=layer.index, name=layer.name, loc=layer.loc, kind="too_long")
        self.layers.append(layer)


def read_graph(document: Any, notes: Notes, limits: ReadLimits) -> Graph:
    if not isinstance(document, dict):
        raise refused("the file does not hold a Keras model config (a JSON object with class_name and config)",
                      "Keras 모델 설정(class_name과 config가 있는 JSON 객체)이 아닙니다")
    if "input_shape" in document and "layers" in document and "class_name" not in document:
        raise refused("this is already a CNN Blocks model (input_shape and layers), not a Keras file: send it to "
                      "POST /api/shapes or open it on the page",
                      "이미 CNN Blocks 모델(input_shape, layers)이고 Keras 파일이 아닙니다: POST /api/shapes로 보내거나 "
                      "페이지에서 여세요")
    class_name = document.get("class_name")
    module = document.get("module")
    if class_name not in MODEL_CLASSES or (module is not None and not in_modules(module, KERAS_MODULES)):
        shown = quoted(clip(str(class_name), 60))
        raise refused(f"the file describes a {shown}, not a Functional or Sequential model; a subclassed model is "
                      "Python code and cannot be read from a file: build it with the functional API or Sequential",
                      f"파일에 담긴 것은 {shown}이고 Functional이나 Sequential 모델이 아닙니다; 서브클래스 모델은 파이썬 "
                      "코드라서 파일에서 읽을 수 없습니다: 함수형 API나 Sequential로 만드세요", loc=("class_name",))
    config = document.get("config")
    context = _Context(notes, limits)
    build = document.get("build_config")
    fallback = build.get("input_shape") if isinstance(build, dict) else None
    if class_name == "Sequential":
        _, shape, count = _sequential(config, ("config",), INPUT, 0, context, None, Trainability.of_top(config),
                                      fallback)
    else:
        _, shape, count = _functional(config, ("config",), INPUT, 0, context, None, Trainability.of_top(config))
    if shape is None:
        raise refused("the model's input shape is not in the file (a Sequential model that was never built); "
                      "start it with keras.Input(shape=…) and save it again",
                      "파일에 모델의 입력 형태가 없습니다 (빌드되지 않은 Sequential 모델); keras.Input(shape=…)으로 "
                      "시작해서 다시 저장하세요", loc=("config", "layers"))
    name = config.get("name") if isinstance(config, dict) else None
    return Graph(shape, context.layers, name if isinstance(name, str) else None, class_name, count)


# ---- Functional


def _functional(config: Any, loc: tuple, entry: str, depth: int, context: _Context, blame: int | None,
                trainability: Trainability) -> tuple[str, list | None, int]:
    """Reads one Functional config into ``context.layers``; answers (its output's final name, its input shape,
    how many layers its list has)."""
    raw_layers = _layer_list(config, loc)
    inputs = _endpoints(config.get("input_layers"), loc + ("input_layers",))
    outputs = _endpoints(config.get("output_layers"), loc + ("output_layers",))
    if len(inputs) != 1:
        raise refused(f"the model has {len(inputs)} inputs ({_names(inputs)}); only models with one input can be "
                      "read", f"모델의 입력이 {len(inputs)}개입니다 ({_names(inputs)}); 입력이 하나인 모델만 읽을 수 있습니다",
                      loc=loc + ("input_layers",), kind="unsupported")
    if len(outputs) != 1:
        raise refused(f"the model has {len(outputs)} outputs ({_names(outputs)}); only models with one output can be "
                      "read", f"모델의 출력이 {len(outputs)}개입니다 ({_names(outputs)}); 출력이 하나인 모델만 읽을 수 있습니다",
                      loc=loc + ("output_layers",), kind="unsupported")
    entries = [read_entry(raw, index, loc + ("layers", index), context.limits, blame, True)
               for index, raw in enumerate(raw_layers)]
    ordered, after_output = _order(entries, outputs[0], loc)
    for dropped in after_output:
        context.notes.add(Text("left out: it comes after the model's output, so it does not change what the model "
                               "computes", "뺐습니다: 모델의 출력 뒤에 있어서 모델이 계산하는 값을 바꾸지 않습니다"), dropped.name)
    alias: dict[str, str] = {}
    shape = None
    for item in ordered:
        own = item.index if blame is None else blame
        if item.class_name == "InputLayer":
            if item.name != inputs[0]:
                raise refused(f"the input layer {quoted(item.name)} is not the model's input; only models with one "
                              "input can be read", f"입력 레이어 {josa(quoted(item.name), '은/는')} 모델의 입력이 "
                              "아닙니다; 입력이 하나인 모델만 읽을 수 있습니다", own, item.name, item.loc, "unsupported")
            alias[item.name] = entry
            shape = _input_shape(item.config, item, own)
            continue
        args = resolve(item.args, alias)
        if item.class_name in MODEL_CLASSES:
            sources = list(flat_tensors(args))
            if len(sources) != 1:
                raise refused(f"the model {quoted(item.name)} inside takes {len(sources)} inputs; only one can be "
                              "read", f"안쪽 모델 {josa(quoted(item.name), '이/가')} 입력을 {len(sources)}개 받습니다; "
                              "하나만 읽을 수 있습니다", own, item.name, item.loc, "unsupported")
            alias[item.name] = _nested(item, sources[0].name, depth, context, own, trainability)
            continue
        final = context.unique(item.name)
        alias[item.name] = final
        context.add(GraphLayer(final, item.class_name, item.module, item.config, args, own, item.loc,
                               trainability.frozen(item.config)))
    if inputs[0] not in alias:
        raise refused(f"the model's input {quoted(inputs[0])} is not among its layers",
                      f"모델의 입력 {josa(quoted(inputs[0]), '이/가')} 레이어 목록에 없습니다", loc=loc + ("input_layers",))
    return alias[outputs[0]], shape, len(raw_layers)


def _order(entries: list[Entry], output: str, loc: tuple) -> tuple[list[Entry], list[Entry]]:
    """A stable topological order (the file's own when it is one) with the output last; and what comes after it."""
    by_name: dict[str, Entry] = {}
    for item in entries:
        if item.name in by_name:
            raise refused(f"two layers are named {quoted(item.name)}", f"이름이 {quoted(item.name)}인 레이어가 둘입니다",
                          item.index, item.name, item.loc)
        by_name[item.name] = item
    if output not in by_name:
        raise refused(f"the model's output {quoted(output)} is not among its layers",
                      f"모델의 출력 {josa(quoted(output), '이/가')} 레이어 목록에 없습니다", loc=loc + ("output_layers",))
    waiting: dict[str, int] = {}
    users: dict[str, list[Entry]] = {}
    for item in entries:
        sources = {ref.name for ref in item.refs}
        for source in sources:
            if source not in by_name:
                raise refused(f"layer {quoted(item.name)} takes its input from {quoted(source)}, which is not in the "
                              "model", f"레이어 {josa(quoted(item.name), '은/는')} 모델에 없는 {quoted(source)}에서 입력을 "
                              "받습니다", item.index, item.name, item.loc)
            users.setdefault(source, []).append(item)
        waiting[item.name] = len(sources)
    ready = [(item.name == output, item.index) for item in entries if not waiting[item.name]]
    heapq.heapify(ready)
    ordered: list[Entry] = []
    while ready:
        _, index = heapq.heappop(ready)
        item = entries[index]
        ordered.append(item)
        for user in users.get(item.name, ()):
            waiting[user.name] -= 1
            if not waiting[user.name]:
                heapq.heappush(ready, (user.name == output, user.index))
    if len(ordered) < len(entries):
        stuck = next(item for item in entries if waiting[item.name])
        raise refused(f"layer {quoted(stuck.name)} is part of a loop (its input depends on its own output)",
                      f"레이어 {josa(quoted(stuck.name), '이/가')} 순환에 걸려 있습니다 (입력이 자기 출력에 달려 있음)",
                      stuck.index, stuck.name, stuck.loc)
    last = next(position for position, item in enumerate(ordered) if item.name == output)
    return ordered[: last + 1], ordered[last + 1:]


# ---- Sequential


def _sequential(config: Any, loc: tuple, entry: str, depth: int, context: _Context, blame: int | None,
                trainability: Trainability, fallback_shape: Any = None) -> tuple[str, list | None, int]:
    raw_layers = config if isinstance(config, list) else _layer_list(config, loc)  # Keras 2.2 wrote a bare list
    if isinstance(config, list):
        loc = loc[:-1] if loc[-1:] == ("config",) else loc
    previous, shape = entry, None
    for index, raw in enumerate(raw_layers):
        item = read_entry(raw, index, loc + ("layers", index), context.limits, blame, False)
        own = item.index if blame is None else blame
        if item.class_name == "InputLayer":
            if index != 0:
                raise refused("an InputLayer can only come first in a Sequential model",
                              "InputLayer는 Sequential 모델의 맨 앞에만 올 수 있습니다", own, item.name, item.loc)
            shape = _input_shape(item.config, item, own)
            continue
        if shape is None and index == 0 and isinstance(item.config, dict):
            shape = _declared_shape(item.config, item, own)
        if item.class_name in MODEL_CLASSES:
            previous = _nested(item, previous, depth, context, own, trainability)
            continue
        final = context.unique(item.name)
        context.add(GraphLayer(final, item.class_name, item.module, item.config, [Tensor(previous)], own, item.loc,
                               trainability.frozen(item.config)))
        previous = final
    if shape is None and isinstance(config, dict):
        shape = _shape_or_none(config.get("build_input_shape"))
    if shape is None:
        shape = _shape_or_none(fallback_shape)
    return previous, shape, len(raw_layers)


def _nested(item: Entry, source: str, depth: int, context: _Context, blame: int, trainability: Trainability) -> str:
    if depth + 1 > MAX_MODEL_NESTING:
        raise refused(f"models are nested more than {MAX_MODEL_NESTING} deep", f"모델이 {MAX_MODEL_NESTING}단계보다 깊이 "
                      "중첩되어 있습니다", blame, item.name, item.loc, "too_deep")
    trainability = trainability.inside(item.config)
    before = len(context.layers)
    if item.class_name == "Sequential":
        output, _, _ = _sequential(item.config, item.loc + ("config",), source, depth + 1, context, blame,
                                   trainability)
    else:
        output, _, _ = _functional(item.config, item.loc + ("config",), source, depth + 1, context, blame,
                                   trainability)
    context.notes.add(Text(f"the {item.class_name} model {quoted(item.name)} inside was opened up: its layers are "
                           "listed in its place", f"안쪽 {item.class_name} 모델 {josa(quoted(item.name), '을/를')} 풀어서 "
                           "그 자리에 레이어들을 넣었습니다"), item.name)
    if len(context.layers) == before:
        context.notes.add(Text("an empty model inside passes its input through", "비어 있는 안쪽 모델은 입력을 그대로 "
                               "넘깁니다"), item.name)
    return output


# ---- small readers


def _layer_list(config: Any, loc: tuple) -> list:
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list):
        raise refused("the model config has no list of layers", "모델 설정에 레이어 목록이 없습니다",
                      loc=loc + ("layers",), kind="malformed")
    return layers


def _endpoints(value: Any, loc: tuple) -> list[str]:
    """Names of a model's input or output layers: ["x", 0, 0] (Keras 3, one), [["x", 0, 0], …] or a dict."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [value[0]]
    if isinstance(value, list) and all(isinstance(v, list) and v and isinstance(v[0], str) for v in value):
        return [v[0] for v in value]
    raise refused("the model config does not say which layers are its input and output",
                  "모델 설정에 어떤 레이어가 입력과 출력인지 없습니다", loc=loc, kind="malformed")


def _input_shape(config: Any, item: Entry, own: int) -> list:
    shape = _declared_shape(config, item, own) if isinstance(config, dict) else None
    if shape is None:
        raise refused(f"the input layer {quoted(item.name)} has no shape", f"입력 레이어 {quoted(item.name)}에 형태가 "
                      "없습니다", own, item.name, item.loc, "malformed")
    return shape


def _declared_shape(config: dict, item: Entry, own: int) -> list | None:
    for key in ("batch_shape", "batch_input_shape"):
        if key in config:
            shape = _shape_or_none(config[key])
            if shape is None:
                raise refused(f"{key} of {quoted(item.name)} is not a shape with a batch axis: {quoted(config[key])}",
                              f"{quoted(item.name)}의 {key}가 배치 축이 있는 형태가 아닙니다: {quoted(config[key])}",
                              own, item.name, item.loc + ("config", key), "malformed")
            return shape
    if isinstance(config.get("input_shape"), list):  # Keras 1/2: the shape without the batch axis
        return list(config["input_shape"])
    return None


def _shape_or_none(value: Any) -> list | None:
    """A shape with its batch axis dropped, or None when it is not one."""
    if isinstance(value, list) and len(value) >= 2 and not isinstance(value[0], list):
        return list(value[1:])
    return None


def _names(names: list[str]) -> str:
    return ", ".join(quoted(name) for name in names[:5]) + (", …" if len(names) > 5 else "")


