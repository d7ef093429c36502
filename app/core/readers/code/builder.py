"""Calls in the code that build a model: layers constructed, added to a Sequential or applied to tensors, Inputs,
Models, merges, optimizers, and a model's add / compile / fit. Every other call is refused where it is used.

The functional API is followed as a graph of nodes: ``keras.Input`` makes an input node, calling a layer on tensors
makes a node that takes them, ``keras.Model(inputs, outputs)`` records which input and output make the model. A
layer placed twice (added twice, or called on two tensors) would share its weights, which the spec cannot say.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from app.core.layers import lookup
from app.core.readers.base import Notes
from app.core.readers.code.evaluator import Evaluator, describe
from app.core.readers.code.layers import (
    construct,
    input_layer,
    input_shape_of,
    merge_layer,
    trainable_flag,
    unknown_layer,
)
from app.core.readers.code.names import DATA_FORMAT_FUNCTIONS, MERGE_FUNCTIONS, meaning
from app.core.readers.code.training import Training, TrainingLimits, read_compile, read_fit
from app.core.readers.code.values import (
    MODELS,
    CodeRefused,
    FunctionalModel,
    Identity,
    InputObject,
    LayerObject,
    Node,
    Optimizer,
    Ref,
    SequentialModel,
    TensorValue,
    UserClass,
    UserFunction,
    layers_held,
)
from app.core.text import Text, josa

ARCHITECTURE_METHODS = {"add", "pop", "build"}  # a model's methods that change what it is
TRAINING_METHODS = {"compile", "fit", "fit_generator"}
ELEMENTWISE = {ast.Add: "Add", ast.Sub: "Subtract", ast.Mult: "Multiply"}


@dataclass(frozen=True)
class CodeLimits:
    """Plain limits (the core takes no Settings); each names the setting that sets it."""

    max_code_bytes: int = 256 * 1024  # CNN_MAX_IMPORT_CODE_BYTES
    max_layers: int = 2_000  # CNN_MAX_LAYERS
    training: TrainingLimits = TrainingLimits()


class Builder(Evaluator):
    def __init__(self, text: str, notes: Notes, field: str, limits: CodeLimits):
        super().__init__(text, notes, field)
        self.limits = limits
        self.nodes: list[Node] = []
        self.models: list = []
        self.trainings: dict[int, Training] = {}
        self.trained_at: dict[int, tuple[int, int]] = {}  # model → (steps at its last fit, at its last compile)
        self.model_notes: dict[int, list[Text]] = {}
        self.uids: dict[str, int] = {}  # Keras's automatic names, counted per class in the order layers are created
        self.deferred: dict[str, CodeRefused] = {}  # names whose value could not be read, and why

    def created(self, layer: Any) -> Any:
        """A layer the code constructs gets the name Keras would give it there: conv2d, conv2d_1, …"""
        if isinstance(layer, LayerObject) and layer.name is None:  # a given name takes no number from the count
            prefix = layer.kind.name_prefix
            count = self.uids.get(prefix, 0)
            self.uids[prefix] = count + 1
            layer.keras_name = prefix if count == 0 else f"{prefix}_{count}"
        return layer

    # ---- calls

    def _Call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Attribute) and not func.attr.startswith("_"):
            base = self.value(func.value)
            if isinstance(base, MODELS):
                return self.model_method(base, func.attr, node)
            target = self.attribute_of(base, func)
        else:
            target = self.value(func)
        return self.call_value(target, node)

    def call_value(self, target: Any, node: ast.Call) -> Any:
        if isinstance(target, (LayerObject, Identity)):
            return self.apply(target, node)
        if isinstance(target, SequentialModel):
            return self.apply_sequential(target, node)
        if isinstance(target, UserFunction):
            return self.call_function(target, node)
        if isinstance(target, Ref):
            return self.keras_call(target, node)
        if isinstance(target, UserClass) and target.keras:
            raise self.refuse(node, f"{target.name} (line {target.where.line}) subclasses a Keras model or layer: what "
                              "it computes is written in its call(), which only running the code shows; write the "
                              "model as a Sequential or with the functional API", f"{josa(f'{target.name}({target.where.line}행)', '은/는')} Keras 모델이나 레이어를 상속합니다: 계산은 call() 안에 있어 코드를 실행해야 알 수 "
                              "있습니다; Sequential이나 함수형 API로 쓰세요")
        if isinstance(target, FunctionalModel):
            raise self.refuse(node, "a functional model called as a layer of another is not read; build them as one "
                              "model", "함수형 모델을 다른 모델의 레이어로 부른 것은 읽지 않습니다; 한 모델로 만드세요")
        raise self.refuse(node, f"calling {describe(target)} is not read", f"{describe(target)} 호출은 읽지 않습니다")

    def call_function(self, function: UserFunction, node: ast.Call) -> Any:  # pragma: no cover - overridden
        raise self.unsupported(node)

    def keras_call(self, target: Ref, node: ast.Call) -> Any:
        found = meaning(target.path)
        what = found.what if found is not None else None
        if what in ("layer", "identity"):
            return self.created(construct(self, found.name, node))
        if what == "input_layer":
            return input_layer(self, node)
        if what == "input":
            return self.make_input(node)
        if what == "sequential":
            return self.make_sequential(node)
        if what == "model":
            return self.make_model(node)
        if what in ("merge_function", "legacy_merge"):
            layer, tensors = merge_layer(self, node, found.name, MERGE_FUNCTIONS.get(found.name))
            return self.apply_value(self.created(layer), self.value(tensors), node)
        if what == "optimizer":
            return self.make_optimizer(found.name, node)
        if what == "data_format":
            value = DATA_FORMAT_FUNCTIONS[found.name]
            self.notes.add(Text(f"line {node.lineno}: {found.name}() is read as {value!r}, Keras's default",
                                f"{node.lineno}행: {josa(found.name + '()', '은/는')} Keras의 기본값 {value!r}로 읽었습니다"))
            return value
        if what == "application":
            raise self.refuse(node, f"keras.applications.{found.name} builds a whole model inside Keras, which is never "
                              f"run here; save it (model.save('{found.name.lower()}.keras')) and open that file instead",
                              f"{josa('keras.applications.' + found.name, '은/는')} Keras 안에서 모델 전체를 만드는데, 여기서는 실행하지 "
                              f"않습니다; 저장해서(model.save('{found.name.lower()}.keras')) 그 파일을 여세요")
        if what == "unknown_layer":
            raise unknown_layer(self, node, found.name)
        if what == "activation":
            raise self.refuse(node, "an activation function called on a tensor is not read; use a layer such as "
                              "layers.Activation('relu') or layers.ReLU()", "텐서에 활성화 함수를 직접 부른 것은 읽지 "
                              "않습니다; layers.Activation('relu')나 layers.ReLU() 같은 레이어를 쓰세요")
        shown = self.source(node.func)
        raise self.refuse(node, f"{shown}(…) is a call the reader does not follow: the code is never run, and only "
                          "Keras's layers, models, Input and optimizers are read; write the value it gives instead",
                          f"{shown}(…) 호출은 따라가지 않습니다: 코드는 실행하지 않으며 Keras의 레이어, 모델, Input, "
                          "옵티마이저만 읽습니다; 그 호출이 주는 값을 직접 쓰세요")

    # ---- inputs and models

    def make_input(self, node: ast.Call) -> TensorValue:
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        if node.args:
            keywords.setdefault("shape", node.args[0])
        if "shape" in keywords:
            shape = input_shape_of(self, keywords["shape"])
        elif "batch_shape" in keywords or "batch_input_shape" in keywords:
            shape = input_shape_of(self, keywords.get("batch_shape") or keywords["batch_input_shape"], batch=True)
        else:
            raise self.refuse(node, "Input gives no shape; write keras.Input(shape=(28, 28, 1))",
                              "Input에 형태가 없습니다; keras.Input(shape=(28, 28, 1))처럼 쓰세요")
        return TensorValue(self.add_node(Node(len(self.nodes), self.where(node), shape=shape), node).index)

    def add_node(self, item: Node, node: ast.AST) -> Node:
        if len(self.nodes) >= 2 * self.limits.max_layers:
            raise self.too_many_layers(node)
        self.nodes.append(item)
        return item

    def too_many_layers(self, node: ast.AST) -> CodeRefused:
        error = self.refuse(node, f"the code builds more than {self.limits.max_layers:,} layers (setting "
                            "CNN_MAX_LAYERS)", f"코드가 레이어를 {self.limits.max_layers:,}개보다 많이 만듭니다 "
                            "(설정 CNN_MAX_LAYERS)", status=413, kind="too_long")
        error.fatal = True
        return error

    def set_trainable(self, owner: Any, trainable: bool) -> None:
        """As Keras's ``owner.trainable = …``: a layer, or every layer of a model."""
        for layer in layers_held(owner, self.nodes):
            layer.trainable = trainable

    def make_sequential(self, node: ast.Call) -> SequentialModel:
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        model = SequentialModel(self.where(node))
        if "name" in keywords:
            name = self.value(keywords["name"])
            model.name = name if isinstance(name, str) else None
        self.models.append(model)
        items = node.args[0] if node.args else keywords.get("layers")
        if items is not None:
            values = self.value(items)
            if not isinstance(values, (list, tuple)):
                raise self.refuse(items, "Sequential takes a list of layers", "Sequential에는 레이어의 리스트를 줍니다")
            places = items.elts if isinstance(items, (ast.List, ast.Tuple)) else [items] * len(values)
            for value, place in zip(values, places):
                self.add_to(model, value, place)
        self.model_trainable(model, keywords)
        return model

    def model_trainable(self, model: SequentialModel | FunctionalModel, keywords: dict[str, ast.expr]) -> None:
        """``keras.Sequential([...], trainable=False)`` or ``keras.Model(i, o, trainable=False)``: every layer it
        holds so far, as ``model.trainable = False`` right after."""
        if "trainable" in keywords:
            self.set_trainable(model, trainable_flag(self, keywords["trainable"], self.value(keywords["trainable"])))

    def add_to(self, model: SequentialModel, item: Any, node: ast.AST) -> None:
        notes = self.model_notes.setdefault(id(model), [])
        if isinstance(item, TensorValue) and self.nodes[item.node].layer is None:
            item = InputObject(self.nodes[item.node].shape, self.nodes[item.node].where)
        if isinstance(item, InputObject):
            if model.layers or model.input_shape is not None:
                raise self.refuse(node, "the model's input must come first, before its layers",
                                  "모델의 입력은 레이어보다 먼저 와야 합니다")
            model.input_shape = item.shape
            return
        if isinstance(item, Identity):
            self.first_shape(model, item.input_shape)
            notes.append(identity_note(item.class_name))
            return
        if isinstance(item, SequentialModel):
            self.place(item, node)
            if item is model:
                raise self.refuse(node, "a model cannot be added to itself", "모델을 자기 자신에게 넣을 수 없습니다")
            self.first_shape(model, item.input_shape)
            notes.extend(self.model_notes.get(id(item), []))
            notes.append(Text("a Sequential model inside this one is opened up in its place",
                              "이 모델 안의 Sequential 모델은 그 자리에 풀어 넣었습니다"))
            self.extend(model, item.layers, node)
            return
        if not isinstance(item, LayerObject):
            raise self.refuse(node, f"a Sequential model takes layers; this is {describe(item)}",
                              f"Sequential 모델에는 레이어를 넣습니다; 이것은 {describe(item)}입니다")
        self.place(item, node)
        if item.input_shape is not None and not self.first_shape(model, item.input_shape):
            item.notes.append(Text("input_shape on a layer that is not the first is ignored, as Keras ignores it",
                                   "첫 레이어가 아닌 곳의 input_shape는 Keras처럼 무시했습니다"))
        self.extend(model, [item, *([item.then] if item.then else [])], node)

    def first_shape(self, model: SequentialModel, shape: list | None) -> bool:
        if shape is None or model.layers or model.input_shape is not None:
            return False
        model.input_shape = shape
        return True

    def extend(self, model: SequentialModel, layers: list, node: ast.AST) -> None:
        if len(model.layers) + len(layers) > self.limits.max_layers:
            raise self.too_many_layers(node)
        model.layers.extend(layers)

    def place(self, item: LayerObject | SequentialModel, node: ast.AST) -> None:
        if item.placed is not None:
            raise self.refuse(node, f"this layer is already used at line {item.placed.line}: using it again shares its "
                              "weights, which a model here cannot have; create a second layer",
                              f"이 레이어는 이미 {item.placed.line}행에서 썼습니다: 다시 쓰면 가중치를 공유하는데, "
                              "여기서는 그런 모델을 만들 수 없습니다; 레이어를 하나 더 만드세요")
        item.placed = self.where(node)

    def make_model(self, node: ast.Call) -> FunctionalModel:
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        for old, new in (("input", "inputs"), ("output", "outputs")):
            if old in keywords and new not in keywords:
                keywords[new] = keywords.pop(old)
                self.notes.add(Text("Model(input=…, output=…) (Keras 1) is Model(inputs=…, outputs=…) in Keras 3",
                                    "Model(input=…, output=…)(Keras 1)은 Keras 3의 Model(inputs=…, outputs=…)입니다"))
        for name, value in zip(("inputs", "outputs"), node.args):
            keywords.setdefault(name, value)
        if "inputs" not in keywords or "outputs" not in keywords:
            raise self.refuse(node, "Model needs its inputs and outputs: keras.Model(inputs, outputs)",
                              "Model에는 입력과 출력이 필요합니다: keras.Model(inputs, outputs)")
        inputs = self.one_tensor(keywords["inputs"], "inputs", "입력")
        if self.nodes[inputs].layer is not None:
            raise self.refuse(keywords["inputs"], "a model's inputs must be a keras.Input", "모델의 입력은 keras.Input이어야 "
                              "합니다")
        name = self.value(keywords["name"]) if "name" in keywords else None
        model = FunctionalModel(self.where(node), inputs, self.one_tensor(keywords["outputs"], "outputs", "출력"),
                                name if isinstance(name, str) else None)
        self.models.append(model)
        self.model_trainable(model, keywords)
        return model

    def one_tensor(self, node: ast.expr, what: str, ko: str) -> int:
        value = self.value(node)
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        if isinstance(value, (list, tuple)):
            raise self.refuse(node, f"a model with several {what} is not read: the spec has one input and one output",
                              f"{ko}이 여러 개인 모델은 읽지 않습니다: 입력과 출력이 하나씩인 모델만 됩니다")
        if not isinstance(value, TensorValue):
            raise self.refuse(node, f"a model's {what} must be tensors from keras.Input and layers; this is "
                              f"{describe(value)}", f"모델의 {ko}은 keras.Input과 레이어가 만든 텐서여야 합니다; 이것은 "
                              f"{describe(value)}입니다")
        return value.node

    def make_optimizer(self, name: str, node: ast.Call) -> Optimizer:
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        rate_node = node.args[0] if node.args else keywords.pop("learning_rate", None)
        renamed = rate_node is None and "lr" in keywords
        if renamed:
            rate_node = keywords.pop("lr")
        rate = None
        if rate_node is not None:
            try:
                rate = self.value(rate_node)
            except CodeRefused as error:
                if error.status != 422 or error.fatal:
                    raise
                rate = error
        dropped = tuple(key for key in keywords if key not in ("name", "learning_rate", "lr"))
        return Optimizer(name.lower(), rate, self.where(node), dropped, renamed)

    # ---- a model's methods

    def model_method(self, model: Any, method: str, node: ast.Call) -> Any:
        if method in ARCHITECTURE_METHODS and not isinstance(model, SequentialModel):
            raise self.refuse(node, f"{method}() is read on a Sequential model only", f"{josa(method + '()', '은/는')} Sequential 모델에서만 "
                              "읽습니다")
        if method == "add":
            item = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "layer"), None)
            if item is None:
                raise self.refuse(node, "add() takes the layer to add", "add()에는 넣을 레이어를 줍니다")
            self.add_to(model, self.value(item), item)
        elif method == "pop" and model.layers:
            model.layers.pop()
        elif method == "build" and (node.args or node.keywords):
            shape = input_shape_of(self, node.args[0] if node.args else node.keywords[0].value, batch=True)
            model.input_shape = model.input_shape or shape
        elif method in TRAINING_METHODS:
            training = self.trainings.setdefault(id(model), Training())
            fit, compiled = self.trained_at.get(id(model), (0, 0))
            if method == "compile":
                read_compile(self, node, training)
                self.trained_at[id(model)] = (fit, self.steps)
            else:
                read_fit(self, node, training, method, self.limits.training)
                self.trained_at[id(model)] = (self.steps, compiled)
        return None

    # ---- the functional API

    def apply(self, layer: LayerObject | Identity, node: ast.Call) -> Any:
        tensors = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "inputs"), None)
        if tensors is None:
            raise self.refuse(node, "a layer is called on a tensor: layer(x)", "레이어는 텐서에 대고 부릅니다: layer(x)")
        if isinstance(layer, LayerObject) and (len(node.args) > 1 or any(k.arg != "inputs" for k in node.keywords)):
            layer.notes.append(Text("called with values besides its inputs (e.g. training=…); they are not kept",
                                    "입력 말고 다른 값과 함께 호출되었습니다 (예: training=…); 그 값은 뺐습니다"))
        return self.apply_value(layer, self.value(tensors), node)

    def apply_value(self, layer: LayerObject | Identity, value: Any, node: ast.AST, shared_check: bool = True) -> Any:
        tensors = [value] if isinstance(value, TensorValue) else list(value) if isinstance(value, (list, tuple)) else []
        if not tensors or not all(isinstance(tensor, TensorValue) for tensor in tensors):
            raise self.refuse(node, f"a layer is called on tensors from keras.Input and other layers; this is "
                              f"{describe(value)}", f"레이어는 keras.Input과 다른 레이어가 만든 텐서에 대고 부릅니다; "
                              f"이것은 {describe(value)}입니다")
        if isinstance(layer, Identity):
            if len(tensors) != 1:
                raise self.refuse(node, f"{layer.class_name} takes one tensor", f"{layer.class_name}에는 텐서 하나를 줍니다")
            self.notes.add(identity_note(layer.class_name))
            return tensors[0]
        if shared_check:
            self.place(layer, node)
        if len(tensors) > 1 and not layer.kind.merge:
            raise self.refuse(node, f"{layer.kind.type} takes one input but is given {len(tensors)}; join them first with "
                              "a merge layer such as Add or Concatenate", f"{layer.kind.type}에는 입력이 하나인데 "
                              f"{len(tensors)}개를 주었습니다; 먼저 Add나 Concatenate 같은 병합 레이어로 합치세요")
        applied = self.add_node(Node(len(self.nodes), self.where(node), layer, [tensor.node for tensor in tensors],
                                     isinstance(value, (list, tuple))), node)
        out = TensorValue(applied.index)
        if layer.then is not None:
            out = self.apply_value(layer.then, out, node, shared_check=False)
        return out

    def apply_sequential(self, model: SequentialModel, node: ast.Call) -> Any:
        tensors = node.args[0] if node.args else None
        if tensors is None:
            raise self.refuse(node, "a model is called on a tensor: model(x)", "모델은 텐서에 대고 부릅니다: model(x)")
        self.place(model, node)
        out = self.value(tensors)
        for text in self.model_notes.get(id(model), []):
            self.notes.add(text)
        self.notes.add(Text("a Sequential model called as a layer is opened up in its place",
                            "레이어처럼 부른 Sequential 모델은 그 자리에 풀어 넣었습니다"))
        for layer in model.layers:
            out = self.apply_value(layer, out, node, shared_check=False)
        return out

    def tensor_arithmetic(self, node: ast.BinOp, left: Any, right: Any) -> Any:
        """Python arithmetic between tensors (``x + shortcut``) or with a number (``inputs / 255``) as the layer that
        computes the same."""
        if isinstance(left, TensorValue) and isinstance(right, TensorValue) and type(node.op) in ELEMENTWISE:
            kind = ELEMENTWISE[type(node.op)]
            layer = LayerObject(lookup(kind), {}, None, self.where(node))
            layer.notes.append(Text(f"Python arithmetic between two tensors is read as an {kind} layer: the same shapes, "
                                    "no weights", f"두 텐서 사이의 파이썬 계산을 {kind} 레이어로 읽었습니다: 형태가 같고 "
                                    "가중치가 없습니다"))
            return self.apply_value(layer, [left, right], node)
        tensor_first = isinstance(left, TensorValue)
        number = right if tensor_first else left
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            scaling = _scale_offset(type(node.op), float(number), tensor_first)
            if scaling is not None:
                layer = LayerObject(lookup("Rescaling"), {"scale": scaling[0], **({"offset": scaling[1]}
                                                                                   if scaling[1] else {})},
                                    None, self.where(node))
                layer.notes.append(Text("Python arithmetic with a number (e.g. x / 255) is read as a Rescaling layer "
                                        "(scale·x + offset)", "숫자와의 파이썬 계산(예: x / 255)을 Rescaling 레이어"
                                        "(scale·x + offset)로 읽었습니다"))
                return self.apply_value(layer, left if tensor_first else right, node)
        raise self.refuse(node, "this arithmetic on tensors has no layer in the catalogue; use a layer (Add, Multiply, "
                          "Rescaling, …)", "텐서의 이 계산에 맞는 레이어가 카탈로그에 없습니다; 레이어(Add, Multiply, "
                          "Rescaling, …)를 쓰세요")


def _scale_offset(op: type, number: float, tensor_first: bool) -> tuple[float, float] | None:
    if op is ast.Add:
        return 1.0, number
    if op is ast.Sub:
        return (1.0, -number) if tensor_first else (-1.0, number)
    if op is ast.Mult:
        return number, 0.0
    if op is ast.Div and tensor_first and number != 0:
        return 1.0 / number, 0.0
    return None


def identity_note(class_name: str) -> Text:
    return Text(f"{class_name} changes pictures only while training and keeps their shape, with no weights: it is left "
                "out (the Train tab's augmentation does this); Keras's summary has one more row for it",
                f"{josa(class_name, '은/는')} 학습할 때만 사진을 바꾸고 형태는 그대로이며 가중치가 없어서 뺐습니다 "
                "(학습 탭의 데이터 증강이 같은 일을 합니다); Keras의 요약에는 이 레이어의 행이 하나 더 있습니다")

