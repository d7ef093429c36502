"""Layers that keras.applications define for themselves: ConvNeXt's LayerScale and InceptionResNetV2's
CustomScaleLayer. They appear in those models' saved configs, so opening the files needs them."""

from __future__ import annotations

from typing import Any

from app.core.explain import NO_PARAMS, SAME_SHAPE, Step, n
from app.core.layers.base import Inference, LayerError, LayerKind
from app.core.params import FloatParam, IntParam
from app.core.shapes import Dim, Shape, format_shape
from app.core.text import Text, josa


def tensor_broadcast(first: Shape, second: Shape) -> Shape | None:
    """NumPy broadcasting over whole shapes, batch axis included, as ``x * y`` traced by TensorFlow.

    >>> tensor_broadcast((None, 7, 7, 96), (96,)), tensor_broadcast((None, 8, 8, 3), (None, 8, 8, 4))
    ((None, 7, 7, 96), None)
    """
    if len(first) < len(second):
        first, second = second, first
    out: list[Dim] = list(first[: len(first) - len(second)])
    for a, b in zip(first[len(first) - len(second):], second):
        if a == 1 or b == 1:
            out.append(b if a == 1 else a)
        elif a is None or b is None:
            out.append(b if a is None else a)
        elif a != b:
            return None
        else:
            out.append(a)
    return tuple(out)


def _layer_scale_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    size = p["projection_dim"]
    out = tensor_broadcast(shape, (size,))
    if out is None:
        raise LayerError(f"projection_dim {size} must equal the last axis of {format_shape(shape)}",
                         f"projection_dim {josa(size, '은/는')} {format_shape(shape)}의 마지막 축과 같아야 합니다")
    return Inference(out, trainable=size, macs=0, shape_steps=[Step(SAME_SHAPE, "")], param_steps=[Step(
        Text("one learned scale γ per channel: projection_dim", "채널마다 학습되는 배율 γ 하나: projection_dim"), n(size))])


def _custom_scale_infer(sources: list[tuple[str, Shape]], p: dict[str, Any]) -> Inference:
    if len(sources) < 2:  # Keras's call reads inputs[1]
        raise LayerError("CustomScaleLayer takes two inputs, x and the branch to scale and add to it",
                         "CustomScaleLayer에는 입력 두 개 (x와, 배율을 곱해 더할 갈래)가 필요합니다")
    (name_x, x), (name_up, up) = sources[:2]
    out = tensor_broadcast(x, up)
    if out is None:
        raise LayerError(f"CustomScaleLayer adds {format_shape(up)} from {name_up} to {format_shape(x)} from "
                         f"{name_x}; they must have one shape",
                         f"CustomScaleLayer는 {name_up}의 {josa(format_shape(up), '을/를')} {name_x}의 "
                         f"{format_shape(x)}에 더합니다; 형태가 같아야 합니다")
    return Inference(out, shape_steps=[Step(Text("x + branch · scale", "x + 갈래 · scale"),
                                            f"{format_shape(x)} + {format_shape(up)} · {p['scale']}")],
                     param_steps=[Step(NO_PARAMS, "0")])


def _custom_scale_single(shape: Shape, p: dict[str, Any]) -> Inference:
    """Called on one tensor, Keras's ``inputs[0] + inputs[1] * scale`` indexes its batch axis: no error, one axis
    fewer. Almost surely a mistake, so the page says so."""
    warning = Text("CustomScaleLayer called on one tensor adds its first two samples and drops the batch axis; "
                   "give it two inputs", "CustomScaleLayer를 텐서 하나에 쓰면 첫 두 샘플을 더하고 배치 축이 사라집니다; "
                   "입력 두 개를 주세요")
    return Inference(shape[1:], shape_steps=[Step(warning, f"{format_shape(shape)} → {format_shape(shape[1:])}")],
                     param_steps=[Step(NO_PARAMS, "0")])


KINDS = (
    LayerKind("LayerScale", "core", Text(
        "multiplies each channel by a learned scale (ConvNeXt's layer scale)",
        "채널마다 학습되는 배율을 곱함 (ConvNeXt의 layer scale)"),
        (FloatParam("init_values", Text("the scales' starting value", "배율의 시작값"), required=True, example=1e-6),
         IntParam("projection_dim", Text("how many channels (the last axis)", "채널 수 (마지막 축)"), required=True,
                  example=96)),
        _layer_scale_infer),
    LayerKind("CustomScaleLayer", "merging", Text(
        "adds a branch, scaled by a constant, to its first input (InceptionResNetV2's residual)",
        "상수 배율을 곱한 갈래를 첫 입력에 더함 (InceptionResNetV2의 잔차 연결)"),
        (FloatParam("scale", Text("the branch's constant scale", "갈래에 곱할 상수 배율"), required=True, example=0.17),),
        _custom_scale_infer, merge=True, single=_custom_scale_single),
)
