"""Normalisation: BatchNormalization and LayerNormalization."""

from __future__ import annotations

from typing import Any

from app.core.explain import NO_PARAMS, SAME_SHAPE, Step, n
from app.core.layers.activation import axis_error
from app.core.layers.base import ArgumentError, Inference, LayerError, LayerKind
from app.core.params import AxisParam, BoolParam, FloatParam, NumbersParam
from app.core.shapes import Dim, Shape, format_shape, normalize_axis
from app.core.text import Text

CENTER = BoolParam("center", Text("learn an offset β per feature", "특성마다 이동값 β를 학습"), default=True)
SCALE = BoolParam("scale", Text("learn a scale γ per feature", "특성마다 배율 γ를 학습"), default=True)
EPSILON = FloatParam("epsilon", Text("small number added to the variance to avoid dividing by 0",
                                     "0으로 나누지 않도록 분산에 더하는 작은 값"), default=1e-3, minimum=0.0)


def features(shape: Shape, axes: tuple[int, ...], needs_size: bool = True) -> Dim:
    """How many values each learned vector holds: the product of the normalised axes' sizes.

    An axis outside the input always fails (Keras indexes the shape with it); an unknown size
    fails only when a weight has to be created with it (``needs_size``).
    """
    count: Dim = 1
    for axis in axes:
        index = normalize_axis(axis, len(shape))
        if index is None:
            raise axis_error(axis, shape)
        if shape[index] is None and needs_size:
            raise LayerError(
                f"axis {axis} has unknown size (None); normalisation needs a fixed size there "
                "(axis 0 is the batch)",
                f"축 {axis}의 크기를 알 수 없습니다 (None); 정규화하려면 크기가 정해져 있어야 합니다 (축 0은 배치)",
            )
        count = None if count is None or shape[index] is None else count * shape[index]
    return count


def _learned(p: dict[str, Any]) -> tuple[int, str]:
    names = [name for flag, name in ((p["scale"], "γ"), (p["center"], "β")) if flag]
    return len(names), ", ".join(names) or "—"


def _batch_norm_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    size = features(shape, (p["axis"],))
    count, names = _learned(p)
    return Inference(
        shape,
        trainable=count * size,
        non_trainable=2 * size,
        macs=0,
        shape_steps=[Step(SAME_SHAPE, "")],
        param_steps=[
            Step(Text(f"trainable: {names} per channel", f"학습됨: 채널마다 {names}"),
                 f"{count}·{n(size)} = {n(count * size)}"),
            Step(Text("non-trainable: moving mean and variance per channel", "학습 안 됨: 채널마다 이동 평균과 분산"),
                 f"2·{n(size)} = {n(2 * size)}"),
        ],
    )


def _layer_norm_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    axes = p["axis"] if isinstance(p["axis"], tuple) else (p["axis"],)
    count, names = _learned(p)
    # Without γ and β Keras creates no weight, so unknown sizes on the axes do not matter.
    size = features(shape, axes, needs_size=count > 0)
    if count == 0:
        return Inference(shape, shape_steps=[Step(SAME_SHAPE, "")], param_steps=[Step(NO_PARAMS, "0")])
    return Inference(
        shape,
        trainable=count * size,
        shape_steps=[Step(SAME_SHAPE, "")],
        param_steps=[Step(Text(f"{names} per normalised feature", f"정규화된 특성마다 {names}"),
                          f"{count}·{n(size)} = {n(count * size)}")],
    )


def _normalization_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    axes = () if p["axis"] is None else p["axis"] if isinstance(p["axis"], tuple) else (p["axis"],)
    kept = [normalize_axis(a, len(shape)) for a in axes]
    if None in kept:
        raise LayerError(f"every axis must lie in [-{len(shape)}, {len(shape)}) for the input {format_shape(shape)}",
                         f"입력 {format_shape(shape)}의 축은 [-{len(shape)}, {len(shape)}) 안에 있어야 합니다")
    kept.sort()
    size = features(shape, tuple(kept))
    if p["mean"] is not None:
        _check_constants(p["mean"], p["variance"], shape, kept)
        return Inference(shape, shape_steps=[Step(SAME_SHAPE, "")], param_steps=[Step(Text(
            "mean and variance are given as constants: no weights", "평균과 분산을 상수로 주었으므로 가중치 없음"), "0")])
    return Inference(shape, non_trainable=2 * size + 1, int64_weights=1, shape_steps=[Step(SAME_SHAPE, "")], param_steps=[Step(
        Text("non-trainable: mean and variance per kept feature, and the sample count",
             "학습 안 됨: 남는 특성마다 평균과 분산, 그리고 샘플 수"), f"2·{n(size)} + 1 = {n(2 * size + 1)}")])


def _check_constants(mean: Any, variance: Any, shape: Shape, kept: list[int]) -> None:
    """As Keras's build: a list of means lies along the last kept axis and the variances are reshaped like it;
    both must then stretch to that axis's size (one value stretches to any)."""
    means, variances = _count(mean), _count(variance)
    if isinstance(mean, tuple):
        target = shape[kept[-1]] if kept else 1
        if not kept or variances != means or means not in (1, target):
            raise _constants_error(means, variances, target)
        return
    target = shape[-1] if len(shape) - 1 in kept else 1  # a scalar mean: the variances line up with the last axis
    if variances not in (1, target):
        raise _constants_error(means, variances, target)


def _count(values: Any) -> int:
    return len(values) if isinstance(values, tuple) else 1


def _constants_error(means: int, variances: int, size: int) -> LayerError:
    return LayerError(f"mean has {means} value(s) and variance {variances}, but the normalised axis has {size}; give "
                      f"both {size} values, or one each",
                      f"평균은 {means}개, 분산은 {variances}개인데 정규화할 축의 크기는 {size}입니다; 둘 다 "
                      f"{size}개나 1개씩 주세요")


def _normalization_check(p: dict[str, Any]) -> None:
    if (p["mean"] is None) != (p["variance"] is None):
        missing = "variance" if p["variance"] is None else "mean"
        raise ArgumentError(missing, Text("when setting mean or variance, both must be set",
                                          "mean이나 variance를 줄 때는 둘 다 주어야 합니다"),
                            Text("mean and variance together, or neither", "mean과 variance를 함께, 또는 둘 다 없이"))


KINDS = (
    LayerKind(
        "BatchNormalization",
        "normalization",
        Text("normalises each channel with the batch's mean and variance, then scales and shifts",
             "각 채널을 배치의 평균과 분산으로 정규화한 뒤 배율과 이동을 적용"),
        (AxisParam("axis", Text("the features axis, usually the channels (-1)", "특성 축, 보통 채널 (-1)"), default=-1),
         FloatParam("momentum", Text("how slowly the moving statistics change", "이동 통계가 바뀌는 속도"),
                    default=0.99, minimum=0.0, maximum=1.0),
         EPSILON, CENTER, SCALE),
        _batch_norm_infer,
    ),
    LayerKind(
        "LayerNormalization",
        "normalization",
        Text("normalises each sample across its features, independently of the batch",
             "각 샘플을 특성 방향으로 정규화, 배치와 무관"),
        (AxisParam("axis", Text("axis or axes to normalise over", "정규화할 축"), default=-1, allow_list=True),
         EPSILON, CENTER, SCALE),
        _layer_norm_infer,
    ),
    LayerKind(
        "Normalization",
        "preprocessing",
        Text("shifts and scales inputs to mean 0 and variance 1, with statistics learned by adapt() or given",
             "adapt()로 구하거나 주어진 통계로 입력을 평균 0, 분산 1로 맞춤"),
        (AxisParam("axis", Text("the axes that keep their own statistics (-1: per channel; null: one for all)",
                                "통계를 따로 두는 축 (-1: 채널마다; null: 전체에 하나)"), default=-1,
                   allow_list=True, nullable=True),
         NumbersParam("mean", Text("the mean to subtract; null: learned by adapt()", "뺄 평균; null이면 adapt()로 구함"),
                      nullable=True),
         NumbersParam("variance", Text("the variance to divide by; null: learned by adapt()",
                                       "나눌 분산; null이면 adapt()로 구함"), nullable=True),
         BoolParam("invert", Text("undo the normalisation instead", "정규화를 되돌림"), default=False)),
        _normalization_infer,
        check=_normalization_check,
    ),
)
