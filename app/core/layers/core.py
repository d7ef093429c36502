"""Core layers: Dense, Dropout, SpatialDropout2D, Activation, Rescaling."""

from __future__ import annotations

from typing import Any

from app.core.explain import NO_PARAMS, SAME_SHAPE, Step, n, with_bias_formula
from app.core.layers.base import DATA_FORMAT, USE_BIAS, Inference, LayerError, LayerKind, activation_param
from app.core.params import FloatParam, IntParam
from app.core.shapes import Shape, product
from app.core.text import Text


def passthrough(shape: Shape, p: dict[str, Any]) -> Inference:
    """Layers that change values, never the shape, and learn nothing."""
    return Inference(shape, shape_steps=[Step(SAME_SHAPE, "")], param_steps=[Step(NO_PARAMS, "0")])


def _dense_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    inputs, units = shape[-1], p["units"]
    if inputs is None:
        raise LayerError(
            "the size of the last input axis is unknown (None); Dense needs it to size its weights",
            "입력 마지막 축의 크기를 알 수 없습니다 (None); Dense는 가중치 크기를 정하려면 이 값이 필요합니다",
        )
    weights = inputs * units + (units if p["use_bias"] else 0)
    positions = product(shape[1:-1])
    steps = [Step(Text("last axis = units", "마지막 축 = units"), n(units))]
    if len(shape) > 2:
        steps.append(Step(Text("Dense acts on the last axis only; add Flatten first to connect every value",
                               "Dense는 마지막 축에만 작용합니다; 모든 값을 연결하려면 먼저 Flatten을 넣으세요"), ""))
    return Inference(
        (*shape[:-1], units),
        trainable=weights,
        macs=None if positions is None else positions * inputs * units,
        shape_steps=steps,
        param_steps=[Step(Text("(inputs + 1 bias) × units", "(입력 수 + 편향 1) × units") if p["use_bias"]
                          else Text("inputs × units", "입력 수 × units"),
                          with_bias_formula(n(inputs), units, p["use_bias"], weights))],
    )


DENSE = LayerKind(
    "Dense",
    "core",
    Text("fully connected: every input value connects to every unit", "완전 연결: 모든 입력 값이 모든 유닛에 연결됨"),
    (IntParam("units", Text("number of output values", "출력 값의 수"), required=True, minimum=1),
     activation_param(), USE_BIAS),
    _dense_infer,
    min_rank=2,
)

RATE = FloatParam("rate", Text("fraction of inputs set to 0 while training", "학습 중 0으로 만드는 입력의 비율"),
                  required=True, minimum=0.0, maximum=1.0)

DROPOUT = LayerKind(
    "Dropout",
    "regularization",
    Text("randomly zeroes a fraction of values while training, to fight overfitting",
         "학습 중 일부 값을 무작위로 0으로 만들어 과적합을 막음"),
    (RATE,),
    passthrough,
)

SPATIAL_DROPOUT2D = LayerKind(
    "SpatialDropout2D",
    "regularization",
    Text("drops whole feature maps (channels) at random while training",
         "학습 중 특성 맵(채널) 전체를 무작위로 버림"),
    (RATE, DATA_FORMAT),
    passthrough,
    rank=4,
    takes_trainable=False,
)

ACTIVATION = LayerKind(
    "Activation",
    "activation",
    Text("applies an activation function to every value", "모든 값에 활성화 함수를 적용"),
    (activation_param(required=True),),
    passthrough,
)

RESCALING = LayerKind(
    "Rescaling",
    "preprocessing",
    Text("multiplies by scale and adds offset, e.g. 1/255 to map pixels to [0, 1]",
         "scale을 곱하고 offset을 더함, 예: 1/255로 픽셀을 [0, 1]로"),
    (FloatParam("scale", Text("factor to multiply by", "곱할 값"), required=True),
     FloatParam("offset", Text("value to add after scaling", "곱한 뒤 더할 값"), default=0.0)),
    passthrough,
)

KINDS = (DENSE, DROPOUT, SPATIAL_DROPOUT2D, ACTIVATION, RESCALING)
