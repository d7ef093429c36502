"""Convolutions: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D."""

from __future__ import annotations

from typing import Any

from app.core.explain import Step, axis_names, n, product_text, transpose_formula, window_formula, with_bias_formula
from app.core.layers.base import (
    DATA_FORMAT,
    USE_BIAS,
    ArgumentError,
    Inference,
    LayerError,
    LayerKind,
    activation_param,
    data_format,
    padding_param,
)
from app.core.params import IntParam, TupleParam
from app.core.shapes import (
    Dim,
    Shape,
    conv_length,
    effective_kernel,
    format_shape,
    join_channels,
    product,
    split_channels,
    transpose_length,
)
from app.core.text import Text, josa

FILTERS = IntParam(
    "filters", Text("number of filters = output channels", "필터 수 = 출력 채널 수"), required=True, minimum=1
)
DEPTH_MULTIPLIER = IntParam(
    "depth_multiplier",
    Text("output channels per input channel", "입력 채널당 출력 채널 수"),
    default=1,
    minimum=1,
)


def kernel_size(rank: int) -> TupleParam:
    return TupleParam(
        "kernel_size", Text("size of the sliding window", "슬라이딩 창(커널)의 크기"), required=True, rank=rank
    )


def strides(rank: int) -> TupleParam:
    return TupleParam("strides", Text("step between windows", "창 사이의 보폭(스트라이드)"), default=1, rank=rank)


def dilation_rate(rank: int) -> TupleParam:
    return TupleParam(
        "dilation_rate",
        Text("gap between kernel taps (1 = none)", "커널 원소 사이 간격 (1 = 없음)"),
        default=1,
        rank=rank,
    )


def window_params(rank: int, causal: bool = False) -> tuple:
    return (kernel_size(rank), strides(rank), padding_param(causal), DATA_FORMAT, dilation_rate(rank))


def require_channels(channels: Dim) -> int:
    if channels is None:
        raise LayerError(
            "the number of input channels is unknown (None); give the Input a fixed channel count",
            "입력 채널 수를 알 수 없습니다 (None); Input의 채널 수를 정해 주세요",
        )
    return channels


def too_big(window: str, spans: tuple[int, ...], spatial: Shape) -> LayerError:
    span = "×".join(map(str, spans))
    size = "×".join("None" if d is None else str(d) for d in spatial)
    window_ko = _WINDOW_KO.get(window, window)
    return LayerError(
        f"{window} {span} is larger than its {size} input; use padding='same' or a smaller {window}",
        f"{josa(f'{window_ko} {span}', '이/가')} 입력 {size}보다 큽니다; "
        f"padding='same'을 쓰거나 더 작은 {josa(window_ko, '을/를')} 쓰세요",
    )


_WINDOW_KO = {"kernel": "커널", "pool": "풀링 창"}


def slide(spatial: Shape, p: dict[str, Any]) -> tuple[list[Dim], list[Step]]:
    """Output lengths and their formulas for a convolution's sliding window."""
    out, steps = [], []
    names = axis_names(len(spatial))
    for axis, size in enumerate(spatial):
        k, s, d = p["kernel_size"][axis], p["strides"][axis], p["dilation_rate"][axis]
        length = conv_length(size, k, s, p["padding"], d)
        steps.append(Step(names[axis], window_formula(size, k, s, p["padding"], length, d)))
        out.append(length)
    if any(length is not None and length <= 0 for length in out):
        spans = tuple(effective_kernel(k, d) for k, d in zip(p["kernel_size"], p["dilation_rate"]))
        raise too_big("kernel", spans, spatial)
    return out, steps


def check_rank(spatial: Shape, rank: int, shape: Shape) -> None:
    # Keras: "Kernel shape must have the same length as input".
    if len(spatial) != rank:
        raise LayerError(
            f"expects {rank} spatial axes but the input {format_shape(shape)} has {len(spatial)}; "
            "add a Reshape or pick the layer for this many axes",
            f"공간 축 {rank}개가 필요하지만 입력 {format_shape(shape)}에는 {len(spatial)}개가 있습니다; "
            "Reshape를 추가하거나 축 수에 맞는 레이어를 쓰세요",
        )


def conv_input(shape: Shape, p: dict[str, Any], rank: int) -> tuple[str, Shape, int]:
    """The data format, spatial axes and (known) channel count a convolution reads, or why it cannot."""
    fmt = data_format(p)
    spatial, channels = split_channels(shape, fmt)
    channels = require_channels(channels)
    check_rank(spatial, rank, shape)
    return fmt, spatial, channels


def no_dilated_strides(p: dict[str, Any]) -> None:
    if max(p["strides"]) > 1 and max(p["dilation_rate"]) > 1:
        raise ArgumentError(
            "dilation_rate",
            Text("strides > 1 cannot be combined with dilation_rate > 1",
                 "strides > 1과 dilation_rate > 1은 함께 쓸 수 없습니다"),
            Text("set strides to 1, or dilation_rate to 1", "strides나 dilation_rate를 1로 하세요"),
        )


def conv_macs(out_spatial: list[Dim], out_channels: int, per_output: int) -> int | None:
    positions = product(out_spatial)
    return None if positions is None else positions * out_channels * per_output


def conv(rank: int) -> LayerKind:
    def check(p: dict[str, Any]) -> None:
        filters, groups = f"filters={p['filters']}", f"groups={p['groups']}"
        if p["filters"] % p["groups"]:
            raise ArgumentError("groups", Text(f"{filters} is not divisible by {groups}",
                                               f"{josa(filters, '은/는')} {josa(groups, '으로/로')} 나누어떨어지지 않습니다"),
                                Text("a number of groups that divides filters", "filters의 약수인 groups"))
        no_dilated_strides(p)

    def infer(shape: Shape, p: dict[str, Any]) -> Inference:
        fmt, spatial, channels = conv_input(shape, p, rank)
        groups = p["groups"]
        if channels % groups:
            raise LayerError(
                f"its {channels} input channels cannot be split into groups={groups}; "
                "use a number of groups that divides the channels",
                f"입력 채널 {channels}개를 {josa(f'groups={groups}', '으로/로')} 나눌 수 없습니다; 채널 수의 약수를 쓰세요",
            )
        out, steps = slide(spatial, p)
        per_filter = product(p["kernel_size"]) * (channels // groups)
        weights = per_filter * p["filters"] + (p["filters"] if p["use_bias"] else 0)
        factors = product_text(*p["kernel_size"], channels // groups)
        return Inference(
            join_channels(shape[0], out, p["filters"], fmt),
            trainable=weights,
            macs=conv_macs(out, p["filters"], per_filter),
            shape_steps=steps + [Step(Text("channels = filters", "채널 = 필터 수"), n(p["filters"]))],
            param_steps=[Step(_KERNEL_BIAS if p["use_bias"] else _KERNEL,
                              with_bias_formula(factors, p["filters"], p["use_bias"], weights))],
        )

    return LayerKind(
        f"Conv{rank}D",
        "convolution",
        Text(
            f"slides {rank}-D filters over the input; each filter makes one output channel",
            f"{rank}차원 필터를 입력 위로 밀며 계산; 필터 하나가 출력 채널 하나를 만듦",
        ),
        (FILTERS, *window_params(rank, causal=rank == 1),
         IntParam("groups", Text("split channels into independent groups", "채널을 독립된 그룹으로 나눔"),
                  default=1, minimum=1),
         activation_param(), USE_BIAS),
        infer,
        aliases=(f"Convolution{rank}D",),
        min_rank=rank + 2,
        check=check,
    )


_KERNEL_BIAS = Text("(kernel weights + 1 bias) per filter × filters", "필터당 (커널 가중치 + 편향 1) × 필터 수")
_KERNEL = Text("kernel weights per filter × filters", "필터당 커널 가중치 × 필터 수")


def _transpose_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    fmt, spatial, channels = conv_input(shape, p, 2)
    out, steps = [], []
    for axis, size in enumerate(spatial):
        k, s, d = p["kernel_size"][axis], p["strides"][axis], p["dilation_rate"][axis]
        op = None if p["output_padding"] is None else p["output_padding"][axis]
        length = transpose_length(size, k, s, p["padding"], op, d)
        steps.append(Step(axis_names(2)[axis], transpose_formula(size, k, s, p["padding"], op, length, d)))
        out.append(length)
    per_filter = product(p["kernel_size"]) * channels
    weights = per_filter * p["filters"] + (p["filters"] if p["use_bias"] else 0)
    factors = product_text(*p["kernel_size"], channels)
    return Inference(
        join_channels(shape[0], out, p["filters"], fmt),
        trainable=weights,
        macs=conv_macs(list(spatial), p["filters"], per_filter),
        shape_steps=steps,
        param_steps=[Step(_KERNEL_BIAS if p["use_bias"] else _KERNEL,
                          with_bias_formula(factors, p["filters"], p["use_bias"], weights))],
    )


def _transpose_check(p: dict[str, Any]) -> None:
    no_dilated_strides(p)
    if p["output_padding"] is not None:
        if any(op >= s for op, s in zip(p["output_padding"], p["strides"])):
            raise ArgumentError("output_padding", Text("output_padding must be smaller than strides on every axis",
                                                       "output_padding은 모든 축에서 strides보다 작아야 합니다"),
                                Text("values below the strides, or null", "strides보다 작은 값, 또는 null"))


CONV2D_TRANSPOSE = LayerKind(
    "Conv2DTranspose",
    "convolution",
    Text(
        "the 'reverse' of a convolution: spreads each input pixel over a window, growing the image",
        "합성곱의 '역방향': 입력 픽셀 하나를 창 전체로 퍼뜨려 이미지를 키움",
    ),
    (FILTERS, *window_params(2),
     TupleParam("output_padding", Text("extra rows/columns added to one side of the output",
                                       "출력 한쪽에 더할 행/열 수"), default=None, nullable=True, rank=2, minimum=0),
     activation_param(), USE_BIAS),
    _transpose_infer,
    aliases=("Convolution2DTranspose",),
    min_rank=4,
    check=_transpose_check,
)


def _depthwise_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    fmt, spatial, channels = conv_input(shape, p, 2)
    out, steps = slide(spatial, p)
    dm = p["depth_multiplier"]
    taps = product(p["kernel_size"])
    weights = taps * channels * dm + (channels * dm if p["use_bias"] else 0)
    taps_text = product_text(*p["kernel_size"])
    formula = f"({taps_text} + 1)·{n(channels)}·{dm}" if p["use_bias"] else f"{taps_text}·{n(channels)}·{dm}"
    return Inference(
        join_channels(shape[0], out, channels * dm, fmt),
        trainable=weights,
        macs=conv_macs(out, channels * dm, taps),
        shape_steps=steps + [Step(Text("channels = input channels × depth_multiplier", "채널 = 입력 채널 × depth_multiplier"),
                                  f"{n(channels)}·{dm} = {n(channels * dm)}")],
        param_steps=[Step(Text("one kernel (+ bias) per input channel × depth_multiplier",
                               "입력 채널마다 커널 하나 (+ 편향) × depth_multiplier"), f"{formula} = {n(weights)}")],
    )


DEPTHWISE_CONV2D = LayerKind(
    "DepthwiseConv2D",
    "convolution",
    Text("convolves each input channel with its own kernel; channels never mix",
         "입력 채널마다 따로 커널을 적용; 채널끼리 섞이지 않음"),
    (*window_params(2), DEPTH_MULTIPLIER, activation_param(), USE_BIAS),
    _depthwise_infer,
    min_rank=4,
)


def _separable_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    fmt, spatial, channels = conv_input(shape, p, 2)
    out, steps = slide(spatial, p)
    dm, filters = p["depth_multiplier"], p["filters"]
    taps = product(p["kernel_size"])
    depthwise = taps * channels * dm
    pointwise = channels * dm * filters + (filters if p["use_bias"] else 0)
    positions = product(out)
    return Inference(
        join_channels(shape[0], out, filters, fmt),
        trainable=depthwise + pointwise,
        macs=None if positions is None else positions * channels * dm * (taps + filters),
        shape_steps=steps + [Step(Text("channels = filters", "채널 = 필터 수"), n(filters))],
        param_steps=[
            Step(Text("depthwise: one kernel per input channel", "깊이별: 입력 채널마다 커널 하나"),
                 f"{product_text(*p['kernel_size'], channels, dm)} = {n(depthwise)}"),
            Step(Text("pointwise: 1×1 convolution mixing channels", "점별: 채널을 섞는 1×1 합성곱"),
                 with_bias_formula(product_text(channels, dm), filters, p["use_bias"], pointwise)),
        ],
    )


SEPARABLE_CONV2D = LayerKind(
    "SeparableConv2D",
    "convolution",
    Text("a depthwise convolution followed by a 1×1 convolution: far fewer weights than Conv2D",
         "깊이별 합성곱 뒤에 1×1 합성곱: Conv2D보다 가중치가 훨씬 적음"),
    (FILTERS, *window_params(2), DEPTH_MULTIPLIER, activation_param(), USE_BIAS),
    _separable_infer,
    aliases=("SeparableConvolution2D",),
    min_rank=4,
)

KINDS = (conv(2), conv(1), CONV2D_TRANSPOSE, DEPTHWISE_CONV2D, SEPARABLE_CONV2D)
