"""What a layer kind is: its parameters and how it turns an input shape into an output."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.core.explain import Step
from app.core.params import BoolParam, ChoiceParam, Param
from app.core.shapes import Shape
from app.core.text import Text


class LayerError(Exception):
    """Keras would refuse to build this layer on this input; the text says why and what to do."""

    def __init__(self, en: str, ko: str):
        super().__init__(en)
        self.text = Text(en, ko)


@dataclass
class Inference:
    """What a layer does to one input shape."""

    output_shape: Shape
    trainable: int = 0
    non_trainable: int = 0
    macs: int | None = 0
    shape_steps: list[Step] = field(default_factory=list)
    param_steps: list[Step] = field(default_factory=list)
    run_error: Text | None = None  # Keras builds the layer, but running data through it fails, saying this
    int64_weights: int = 0  # of the non-trainable ones, those Keras keeps as int64 (Normalization's count): 8 bytes


class ArgumentError(ValueError):
    """Arguments Keras's constructor refuses together, whatever the input (a 422, not a result)."""

    def __init__(self, field: str, problem: Text, allowed: Text):
        super().__init__(problem)
        self.field = field
        self.problem = problem
        self.allowed = allowed


Infer = Callable[[Shape, dict[str, Any]], Inference]
Check = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class LayerKind:
    """One declarative catalogue entry per Keras layer class."""

    type: str
    category: str
    description: Text
    params: tuple[Param, ...]
    infer: Infer
    aliases: tuple[str, ...] = ()
    rank: int | None = None  # exact input rank with batch (Keras InputSpec ndim)
    min_rank: int | None = None  # Keras InputSpec min_ndim
    check: Check | None = None  # cross-argument rules Keras enforces in the constructor
    merge: bool = False  # takes a list of inputs: ``infer`` gets [(source name, shape), …] instead of one shape
    single: Infer | None = None  # a merge called on one tensor instead of a list; None: Keras refuses
    # Whether the Keras constructor takes trainable=… (every layer's **kwargs); Keras 3's SpatialDropout2D lists its
    # arguments and does not. Such a layer is frozen by setting layer.trainable afterwards (it has no weights anyway).
    takes_trainable: bool = True

    @cached_property
    def name_prefix(self) -> str:
        return to_snake_case(self.type)

    @cached_property
    def _params_by_name(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}

    def param(self, name: str) -> Param | None:
        return self._params_by_name.get(name)

    def to_json(self) -> dict:
        return {
            "type": self.type,
            "aliases": list(self.aliases),
            "category": self.category,
            "description": self.description.to_json(),
            "name_prefix": self.name_prefix,
            "input_rank": self.rank,
            "min_input_rank": self.min_rank,
            "merge": self.merge,
            "params": [p.to_json() for p in self.params],
        }


def to_snake_case(name: str) -> str:
    """The name Keras gives a layer of this class (before any ``_1`` suffix).

    >>> to_snake_case("Conv2DTranspose"), to_snake_case("ReLU"), to_snake_case("MaxPooling2D")
    ('conv2d_transpose', 're_lu', 'max_pooling2d')
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


# Parameters shared by many kinds, declared once.

ACTIVATIONS = (
    "linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "softplus", "softsign",
    "swish", "silu", "gelu", "exponential", "hard_sigmoid", "hard_silu", "hard_swish",
    "relu6", "leaky_relu", "mish", "log_softmax",
)


def activation_param(required: bool = False) -> Param:
    return ChoiceParam(
        "activation",
        Text("function applied to the output (none means linear)", "출력에 적용할 활성화 함수 (없으면 선형)"),
        required=required,
        nullable=not required,
        choices=ACTIVATIONS,
    )


def padding_param(causal: bool = False) -> Param:
    choices = ("valid", "same", "causal") if causal else ("valid", "same")
    return ChoiceParam(
        "padding",
        Text(
            "'valid': no padding, the output shrinks; 'same': zero-pad so output = ⌈input / stride⌉",
            "'valid': 패딩 없음, 출력이 작아짐; 'same': 0으로 채워 출력 = ⌈입력 / 스트라이드⌉",
        ),
        default="valid",
        choices=choices,
    )


DATA_FORMAT = ChoiceParam(
    "data_format",
    Text(
        "where the channels axis is: last (height, width, channels) or first",
        "채널 축의 위치: 마지막 (높이, 너비, 채널) 또는 처음",
    ),
    default=None,
    nullable=True,
    choices=("channels_last", "channels_first"),
)

USE_BIAS = BoolParam(
    "use_bias",
    Text("add a learned bias to each output channel", "각 출력 채널에 학습되는 편향을 더함"),
    default=True,
)


def data_format(params: dict[str, Any]) -> str:
    # Keras reads None as keras.config.image_data_format(), "channels_last" by default.
    return params.get("data_format") or "channels_last"
