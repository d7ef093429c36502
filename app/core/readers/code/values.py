"""What the Python reader's evaluator computes with: plain data, and markers for the Keras things code builds.

Values are plain Python data (int, float, bool, None, str, tuples and lists of them) or the markers below. None
of them is ever a Python object taken from the code: a dotted name is a string (``Ref``), a layer is the
arguments read for it (``LayerObject``), a tensor a node number (``TensorValue``). Nothing is imported or called.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from app.core.layers.base import LayerKind
from app.core.readers.base import ImportRefused
from app.core.text import Text


@dataclass(frozen=True)
class Where:
    """A place in the code: line and column, both counted from 1 (the column in characters, not bytes)."""

    line: int
    column: int

    @property
    def en(self) -> str:
        return f"line {self.line}, column {self.column}"

    @property
    def ko(self) -> str:
        return f"{self.line}행 {self.column}열"


class CodeRefused(ImportRefused):
    """A refusal that points at a line and column of the code."""

    def __init__(self, where: Where | None, text: Text, *, status: int = 422, kind: str = "refused",
                 field: str = "code"):
        shown = Text(f"{where.en}: {text.en}", f"{where.ko}: {text.ko}") if where else text
        super().__init__(shown, status=status, kind=kind)
        self.where, self.bare = where, text  # bare: the words without the place
        self.fatal = False  # about the model itself: raised even where a failed value could be set aside
        self.root: CodeRefused = self  # the first refusal a chain of unknown values goes back to
        self.loc = ("body", field, "line", where.line, "column", where.column) if where else ("body", field)


@dataclass(frozen=True)
class Ref:
    """A dotted name reached through an import (``keras.layers.Conv2D``, ``np.random``): a string, never looked up."""

    path: str


@dataclass(frozen=True)
class Unknown:
    """A value only running the code would give (data loaded, a call we do not follow): using it where a value is
    needed raises the refusal kept here, which says where the value came from."""

    refusal: CodeRefused


@dataclass(eq=False)
class LayerObject:
    """A layer as the code constructs it: its catalogue kind and the arguments read, by Keras 3's names."""

    kind: LayerKind
    arguments: dict[str, Any]
    name: str | None
    where: Where
    input_shape: list | None = None  # input_shape= / input_dim= / batch_input_shape= on it
    then: LayerObject | None = None  # activation=LeakyReLU(…): the layer applied after this one
    notes: list[Text] = field(default_factory=list)  # written against its name once it has one
    placed: Where | None = None  # where it was added or applied: a second time is a shared layer
    label: str | None = None  # its name in the model (given or Keras's automatic one), set at the end
    keras_name: str | None = None  # the automatic name Keras gives it where the code creates it
    trainable: bool = True  # trainable=False where it is made, or .trainable = False on it or a model holding it

    def spec(self) -> dict:
        """As the spec writes it: type, name if given, then the arguments in the catalogue's order."""
        order = {param.name: i for i, param in enumerate(self.kind.params)}
        arguments = sorted(self.arguments.items(), key=lambda item: order.get(item[0], len(order)))
        return {"type": self.kind.type, **({"name": self.name} if self.name else {}), **dict(arguments),
                **({} if self.trainable else {"trainable": False})}


@dataclass(eq=False)
class Identity:
    """A layer that changes pictures only while training (RandomFlip, GaussianNoise, …): left out of the model."""

    class_name: str
    where: Where
    input_shape: list | None = None
    placed: Where | None = None


@dataclass(eq=False)
class InputObject:
    """``InputLayer(input_shape=…)`` in a Sequential list."""

    shape: list
    where: Where


@dataclass(eq=False)
class Node:
    """A tensor of the functional API: the model input (``layer`` None) or a layer applied to earlier nodes."""

    index: int
    where: Where
    layer: LayerObject | None = None
    inputs: list[int] = field(default_factory=list)
    listed: bool = False  # called on a list, as merges are: Add()([a, b])
    shape: list | None = None  # for an input


@dataclass(frozen=True)
class TensorValue:
    node: int


@dataclass(eq=False)
class SequentialModel:
    where: Where
    name: str | None = None
    layers: list = field(default_factory=list)  # LayerObject, Identity
    input_shape: list | None = None
    placed: Where | None = None  # used as a layer of another model


@dataclass(eq=False)
class FunctionalModel:
    where: Where
    input_node: int
    output_node: int
    name: str | None = None


@dataclass(frozen=True)
class Optimizer:
    """``keras.optimizers.Adam(learning_rate=0.01)``: its name (lower case) and the arguments read."""

    name: str
    learning_rate: Any = None  # a number, or Unknown
    where: Where | None = None
    dropped: tuple[str, ...] = ()  # arguments not kept (momentum, decay, …)
    renamed_lr: bool = False  # written lr=, Keras 2's spelling


@dataclass(eq=False)
class UserFunction:
    node: ast.FunctionDef
    defaults: dict[str, Any]  # parameter name → default value (evaluated at the def, as Python does)


@dataclass(frozen=True)
class UserClass:
    """A class defined in the code; ``keras`` says it subclasses a Keras model or layer."""

    name: str
    where: Where
    keras: bool


MODELS = (SequentialModel, FunctionalModel)


def layers_held(owner: Any, nodes: list[Node]) -> list[LayerObject]:
    """The layers a value stands for: a layer itself, or every layer of a model (a functional one's, from its
    output back to its input), as ``owner.trainable = …`` reaches them in Keras."""
    if isinstance(owner, LayerObject):
        return [owner]
    if isinstance(owner, SequentialModel):
        return [layer for item in owner.layers for layer in layers_held(item, nodes)]
    if not isinstance(owner, FunctionalModel):
        return []
    held, waiting, seen = [], [owner.output_node], set()
    while waiting:
        node = nodes[waiting.pop()]
        if node.index in seen or node.index == owner.input_node:
            continue
        seen.add(node.index)
        held += [node.layer] if node.layer is not None else []
        waiting += node.inputs
    return held
