"""Pooling: MaxPooling/AveragePooling 1D and 2D, GlobalMax/GlobalAverage 1D and 2D."""

from __future__ import annotations

from typing import Any

from app.core.explain import NO_PARAMS, Step, axis_names, window_formula
from app.core.layers.base import DATA_FORMAT, Inference, LayerKind, data_format, padding_param
from app.core.layers.conv import too_big
from app.core.params import BoolParam, TupleParam
from app.core.shapes import Shape, join_channels, pool_length, split_channels
from app.core.text import Text, josa

_WHAT = {"Max": Text("the largest", "가장 큰 값"), "Average": Text("the mean", "평균")}
_ALIAS = {"Max": "MaxPool", "Average": "AvgPool"}
_INPUT = {1: Text("sequence", "시퀀스"), 2: Text("image", "이미지")}
_AXES = {1: Text("(steps, C) → (C)", "(스텝, C) → (C)"), 2: Text("(H, W, C) → (C)", "(H, W, C) → (C)")}


def pooling(op: str, rank: int) -> LayerKind:
    def infer(shape: Shape, p: dict[str, Any]) -> Inference:
        fmt = data_format(p)
        spatial, channels = split_channels(shape, fmt)
        pool = p["pool_size"]
        stride = p["strides"] or pool  # Keras: strides=None means "= pool_size"
        out, steps = [], []
        for axis, size in enumerate(spatial):
            length = pool_length(size, pool[axis], stride[axis], p["padding"])
            steps.append(Step(axis_names(rank)[axis],
                              window_formula(size, pool[axis], stride[axis], p["padding"], length)))
            out.append(length)
        if any(length is not None and length <= 0 for length in out):
            raise too_big("pool", pool, spatial)
        return Inference(join_channels(shape[0], out, channels, fmt), shape_steps=steps,
                         param_steps=[Step(NO_PARAMS, "0")])

    what = _WHAT[op]
    default_pool = 2 if rank == 1 else (2, 2)
    # Keras 3 requires pool_size for average pooling (AveragePooling2D() is a TypeError) but not for max pooling.
    required = op == "Average"
    return LayerKind(
        f"{op}Pooling{rank}D",
        "pooling",
        Text(f"keeps {what.en} value of each window, shrinking the {_INPUT[rank].en}; channels unchanged",
             f"각 창에서 {what.ko}만 남겨 {josa(_INPUT[rank].ko, '을/를')} 줄임; 채널 수는 그대로"),
        (
            TupleParam("pool_size", Text("size of the pooling window", "풀링 창의 크기"),
                       default=None if required else default_pool, required=required, example=default_pool,
                       rank=rank),
            TupleParam("strides", Text("step between windows (null = pool_size)", "창 사이 보폭 (null = pool_size)"),
                       default=None, nullable=True, rank=rank),
            padding_param(),
            DATA_FORMAT,
        ),
        infer,
        aliases=(f"{_ALIAS[op]}{rank}D",),
        rank=rank + 2,
    )


def global_pooling(op: str, rank: int) -> LayerKind:
    def infer(shape: Shape, p: dict[str, Any]) -> Inference:
        fmt = data_format(p)
        spatial, channels = split_channels(shape, fmt)
        kept = (1,) * len(spatial) if p["keepdims"] else ()
        out = join_channels(shape[0], kept, channels, fmt)
        return Inference(
            out,
            shape_steps=[Step(Text("one value per channel", "채널마다 값 하나"),
                              f"{'×'.join(map(str, spatial))} → 1")],
            param_steps=[Step(NO_PARAMS, "0")],
        )

    what = _WHAT[op]
    return LayerKind(
        f"Global{op}Pooling{rank}D",
        "pooling",
        Text(f"reduces each whole channel to {what.en} value: {_AXES[rank].en}",
             f"채널 전체를 {what.ko} 하나로 줄임: {_AXES[rank].ko}"),
        (DATA_FORMAT, BoolParam("keepdims", Text("keep the spatial axes with size 1", "공간 축을 크기 1로 유지"),
                                default=False)),
        infer,
        aliases=(f"Global{_ALIAS[op]}{rank}D",),
        rank=rank + 2,
    )


KINDS = tuple(
    factory(op, rank) for factory in (pooling, global_pooling) for rank in (2, 1) for op in ("Max", "Average")
)
