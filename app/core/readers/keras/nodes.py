"""One layer entry of a model config: its name, class, config and what its call takes, in either format.

Keras 3 writes ``"inbound_nodes": [{"args": [...], "kwargs": {...}}]`` with ``__keras_tensor__`` entries naming
``[layer, node, tensor]``; Keras 2 / tf.keras wrote ``[[["layer", node, tensor, {kwargs}], ...]]``. A layer called
more than once (shared), a tensor taken from a second output or passed by keyword are refused, naming the layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.layers.base import to_snake_case
from app.core.readers.base import ImportRefused, ReadLimits, refused
from app.core.readers.keras.safety import check_safe
from app.core.text import josa, quoted

MAX_TENSOR_NESTING = 4  # a call's arguments: [[tensor, tensor]] for a merge


@dataclass(frozen=True)
class Tensor:
    """A call argument that is another layer's output (its final name once read)."""

    name: str


@dataclass
class Ref:
    name: str
    tensor: int


@dataclass
class Entry:
    """One layer of a config as found, before ordering."""

    index: int
    name: str
    class_name: str
    module: str | None
    config: Any
    args: list  # with Ref where a tensor is
    loc: tuple

    @property
    def refs(self) -> list[Ref]:
        return list(flat(self.args, Ref))


def read_entry(raw: Any, index: int, loc: tuple, limits: ReadLimits, blame: int | None, functional: bool) -> Entry:
    own = index if blame is None else blame
    if not isinstance(raw, dict) or not isinstance(raw.get("class_name"), str):
        raise refused("this layer entry is not an object with a class_name", "이 레이어 항목은 class_name이 있는 "
                      "객체가 아닙니다", own, None, loc, "malformed")
    class_name, config = raw["class_name"], raw.get("config", {})
    if not isinstance(config, (dict, list)):
        raise refused(f"the {quoted(class_name)} layer's config is not an object",
                      f"{quoted(class_name)} 레이어의 config가 객체가 아닙니다", own, None, loc, "malformed")
    name = raw.get("name", config.get("name") if isinstance(config, dict) else None)
    if not isinstance(name, str) or not name:
        name = to_snake_case(class_name) or "layer"
    check_safe(raw, class_name, name, own, loc, limits)
    module = raw.get("module") if isinstance(raw.get("module"), str) else None
    nodes = raw.get("inbound_nodes")
    if not functional or class_name == "InputLayer":
        return Entry(index, name, class_name, module, config, [], loc)
    if not isinstance(nodes, list) or not nodes:
        raise _no_nodes(name, own, loc)
    if len(nodes) > 1:
        raise refused(f"layer {quoted(name)} is called {len(nodes)} times (a shared layer); each layer must be "
                      "called once: give every call a layer of its own",
                      f"레이어 {josa(quoted(name), '이/가')} {len(nodes)}번 호출됩니다 (공유 레이어); 레이어마다 한 번만 "
                      "호출해야 합니다: 호출마다 따로 레이어를 만드세요", own, name, loc, "unsupported")
    args = _node_args(nodes[0], name, own, loc)
    for ref in flat(args, Ref):
        if ref.tensor != 0:
            raise refused(f"layer {quoted(name)} takes output #{ref.tensor} of {quoted(ref.name)}; layers with "
                          "several outputs cannot be read",
                          f"레이어 {josa(quoted(name), '이/가')} {quoted(ref.name)}의 {ref.tensor}번 출력을 받습니다; "
                          "출력이 여럿인 레이어는 읽을 수 없습니다", own, name, loc, "unsupported")
    return Entry(index, name, class_name, module, config, args, loc)


def _no_nodes(name: str, own: int, loc: tuple) -> ImportRefused:
    return refused(f"layer {quoted(name)} is not connected to anything (no inbound_nodes)",
                   f"레이어 {josa(quoted(name), '이/가')} 어디에도 연결되어 있지 않습니다 (inbound_nodes 없음)",
                   own, name, loc, "malformed")


def _node_args(node: Any, name: str, own: int, loc: tuple) -> list:
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        args, kwargs = node.get("args", []), node.get("kwargs", {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise refused(f"layer {quoted(name)}'s inbound node is malformed", f"레이어 {quoted(name)}의 inbound "
                          "node 형식이 잘못되었습니다", own, name, loc, "malformed")
        if any(_is_tensor(value) or isinstance(value, list) and any(map(_is_tensor, value))
               for value in kwargs.values()):
            raise refused(f"layer {quoted(name)} takes a tensor as a keyword argument (e.g. a mask); only "
                          "positional inputs can be read", f"레이어 {josa(quoted(name), '이/가')} 키워드 인자로 텐서를 "
                          "받습니다 (예: mask); 위치 인자로 받는 입력만 읽을 수 있습니다", own, name, loc, "unsupported")
        return [_arg(value, name, own, loc, 0) for value in args]
    if isinstance(node, list):  # Keras 2: [["name", node_index, tensor_index, {kwargs}], ...]
        refs = []
        for item in node:
            if not (isinstance(item, list) and len(item) >= 3 and isinstance(item[0], str)
                    and all(isinstance(i, int) for i in item[1:3])):
                raise refused(f"layer {quoted(name)}'s inbound node is malformed", f"레이어 {quoted(name)}의 inbound "
                              "node 형식이 잘못되었습니다", own, name, loc, "malformed")
            refs.append(Ref(item[0], item[2]))
        return [refs] if len(refs) > 1 else refs  # a merge took them as one list
    raise refused(f"layer {quoted(name)}'s inbound node is malformed", f"레이어 {quoted(name)}의 inbound node 형식이 "
                  "잘못되었습니다", own, name, loc, "malformed")


def _arg(value: Any, name: str, own: int, loc: tuple, depth: int) -> Any:
    if depth > MAX_TENSOR_NESTING:
        raise refused(f"layer {quoted(name)}'s call arguments are nested too deeply",
                      f"레이어 {quoted(name)}의 호출 인자가 너무 깊이 중첩되어 있습니다", own, name, loc, "too_deep")
    if _is_tensor(value):
        history = value.get("config", {}).get("keras_history") if isinstance(value.get("config"), dict) else None
        if not (isinstance(history, list) and len(history) == 3 and isinstance(history[0], str)
                and all(isinstance(i, int) for i in history[1:])):
            raise refused(f"layer {quoted(name)} takes a tensor that does not say where it comes from",
                          f"레이어 {josa(quoted(name), '이/가')} 어디서 오는지 알 수 없는 텐서를 받습니다",
                          own, name, loc, "malformed")
        return Ref(history[0], history[2])
    if isinstance(value, list):
        return [_arg(item, name, own, loc, depth + 1) for item in value]
    return value


def _is_tensor(value: Any) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def flat(args: list, kind: type):
    for value in args:
        if isinstance(value, kind):
            yield value
        elif isinstance(value, list):
            yield from flat(value, kind)


def flat_tensors(args: list):
    return flat(args, Tensor)


def resolve(args: list, alias: dict[str, str]) -> list:
    return [Tensor(alias[value.name]) if isinstance(value, Ref) else resolve(value, alias) if isinstance(value, list)
            else value for value in args]
