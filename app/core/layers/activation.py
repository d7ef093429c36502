"""Activation layers with their own arguments: ReLU, LeakyReLU, ELU, Softmax."""

from __future__ import annotations

from typing import Any

from app.core.explain import Step
from app.core.layers.base import Inference, LayerError, LayerKind
from app.core.layers.core import passthrough
from app.core.params import AxisParam, FloatParam
from app.core.shapes import Shape, format_shape, normalize_axis
from app.core.text import Text, josa


def _softmax_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    inference = passthrough(shape, p)
    if normalize_axis(p["axis"], len(shape)) is None:
        # Keras builds a Softmax on a missing axis (the shape is unchanged) and only fails when data
        # flows through it, so the model is valid here too, with a warning; running it is refused here.
        error = axis_error(p["axis"], shape).text
        inference.run_error = Text("Keras builds this layer but running it fails: " + error.en,
                                   "Keras는 이 레이어를 만들지만 실행하면 실패합니다: " + error.ko)
        inference.shape_steps.append(Step(inference.run_error, ""))
    return inference


def axis_error(axis: int, shape: Shape) -> LayerError:
    return LayerError(
        f"axis {axis} does not exist in the input {format_shape(shape)}; use -1 for the last axis",
        f"입력 {format_shape(shape)}에는 축 {josa(axis, '이/가')} 없습니다; 마지막 축은 -1을 쓰세요",
    )


KINDS = (
    LayerKind(
        "ReLU",
        "activation",
        Text("max(x, 0), optionally capped at max_value", "max(x, 0), max_value로 상한을 둘 수 있음"),
        (
            FloatParam("max_value", Text("upper cap (null = none)", "상한 (null = 없음)"), nullable=True, minimum=0.0),
            FloatParam("negative_slope", Text("slope below the threshold", "임계값 아래의 기울기"), default=0.0,
                       minimum=0.0),
            FloatParam("threshold", Text("values below this are damped", "이 값보다 작으면 줄어듦"), default=0.0,
                       minimum=0.0),
        ),
        passthrough,
    ),
    LayerKind(
        "LeakyReLU",
        "activation",
        Text("like ReLU but lets a small slope through below zero", "ReLU와 같지만 0 아래에서도 작은 기울기를 통과시킴"),
        (FloatParam("negative_slope", Text("slope below zero", "0 아래의 기울기"), default=0.3, minimum=0.0),),
        passthrough,
    ),
    LayerKind(
        "ELU",
        "activation",
        Text("x above zero, alpha·(eˣ − 1) below", "0 위에서는 x, 아래에서는 alpha·(eˣ − 1)"),
        (FloatParam("alpha", Text("scale of the negative part", "음수 부분의 크기"), default=1.0),),
        passthrough,
    ),
    LayerKind(
        "Softmax",
        "activation",
        Text("turns values along an axis into probabilities that sum to 1",
             "축을 따라 값들을 합이 1인 확률로 바꿈"),
        (AxisParam("axis", Text("axis to normalise over", "정규화할 축"), default=-1),),
        _softmax_infer,
    ),
)
