"""Reshaping: Flatten, Reshape, ZeroPadding2D, Cropping2D, UpSampling2D."""

from __future__ import annotations

from typing import Any

from app.core.explain import NO_PARAMS, Step, axis_names, n, product_text, sides_formula
from app.core.layers.base import DATA_FORMAT, Inference, LayerError, LayerKind, data_format
from app.core.params import ChoiceParam, ShapeParam, SidesParam, TupleParam
from app.core.shapes import Shape, flatten, format_shape, join_channels, product, split_channels
from app.core.text import Text, josa

_NO_WEIGHTS = [Step(NO_PARAMS, "0")]


def _flatten_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    out = flatten(shape)
    dims = [d for d in shape[1:]]
    formula = f"{product_text(*(d if d is not None else 'None' for d in dims))} = {n(out[1])}" if dims else "1"
    return Inference(out, shape_steps=[Step(Text("all values in one row", "모든 값을 한 줄로"), formula)],
                     param_steps=_NO_WEIGHTS)


def _reshape_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    target = p["target_shape"]
    size = product(shape[1:])
    if size is None:
        out = tuple(None if d == -1 else d for d in target)
    elif -1 in target:
        known = product([d for d in target if d != -1])
        if size % known:
            raise _reshape_error(shape, target, size)
        out = tuple(size // known if d == -1 else d for d in target)
    elif product(target) != size:
        raise _reshape_error(shape, target, size)
    else:
        out = target
    return Inference((shape[0], *out),
                     shape_steps=[Step(Text("same number of values, new arrangement", "값의 수는 같고 배치만 바뀜"),
                                       f"{n(size)} = {product_text(*out) if None not in out else format_shape(out)}")],
                     param_steps=_NO_WEIGHTS)


def _reshape_error(shape: Shape, target: tuple[int, ...], size: int) -> LayerError:
    return LayerError(
        f"cannot arrange the {size:,} values of {format_shape(shape)} as {list(target)}; "
        "the sizes must multiply to the same total (use -1 for one axis to have it computed)",
        f"{format_shape(shape)}의 값 {size:,}개를 {list(target)} 형태로 바꿀 수 없습니다; "
        "크기의 곱이 같아야 합니다 (한 축에 -1을 쓰면 자동 계산)",
    )


def _sides_infer(sign: str):
    def infer(shape: Shape, p: dict[str, Any]) -> Inference:
        fmt = data_format(p)
        spatial, channels = split_channels(shape, fmt)
        sides = p["padding" if sign == "+" else "cropping"]
        out, steps = [], []
        for axis, (size, (before, after)) in enumerate(zip(spatial, sides)):
            length = None if size is None else size + before + after if sign == "+" else size - before - after
            if sign == "−" and size is not None and before + after >= size:
                raise LayerError(
                    f"cropping {before}+{after} from the {axis_names(2)[axis].en} leaves nothing of {size}; "
                    "crop less",
                    f"{axis_names(2)[axis].ko} {size}에서 {josa(f'{before}+{after}', '을/를')} 잘라내면 남는 것이 없습니다; 덜 잘라내세요",
                )
            steps.append(Step(axis_names(2)[axis], sides_formula(size, before, after, sign, length)))
            out.append(length)
        return Inference(join_channels(shape[0], out, channels, fmt), shape_steps=steps, param_steps=_NO_WEIGHTS)

    return infer


def _upsampling_infer(shape: Shape, p: dict[str, Any]) -> Inference:
    fmt = data_format(p)
    spatial, channels = split_channels(shape, fmt)
    out = [None if d is None else d * k for d, k in zip(spatial, p["size"])]
    steps = [Step(axis_names(2)[i], f"{n(d)}·{k} = {n(o)}") for i, (d, k, o) in enumerate(zip(spatial, p["size"], out))]
    return Inference(join_channels(shape[0], out, channels, fmt), shape_steps=steps, param_steps=_NO_WEIGHTS)


KINDS = (
    LayerKind(
        "Flatten",
        "reshaping",
        Text("unrolls everything but the batch into one long vector, e.g. before Dense",
             "배치를 뺀 모든 축을 하나의 긴 벡터로 펼침 (보통 Dense 앞)"),
        (DATA_FORMAT,),
        _flatten_infer,
        min_rank=1,
    ),
    LayerKind(
        "Reshape",
        "reshaping",
        Text("rearranges the same values into a new shape", "같은 값들을 새 형태로 재배열"),
        (ShapeParam("target_shape", Text("new shape without the batch axis; one entry may be -1",
                                         "배치 축을 뺀 새 형태; 한 항목은 -1 가능"), required=True),),
        _reshape_infer,
    ),
    LayerKind(
        "ZeroPadding2D",
        "reshaping",
        Text("adds rows and columns of zeros around the image", "이미지 둘레에 0으로 된 행과 열을 추가"),
        (SidesParam("padding", Text("zeros to add: int, [height, width] or [[top, bottom], [left, right]]",
                                    "추가할 0: 정수, [높이, 너비] 또는 [[위, 아래], [왼쪽, 오른쪽]]"), default=1),
         DATA_FORMAT),
        _sides_infer("+"),
        rank=4,
    ),
    LayerKind(
        "Cropping2D",
        "reshaping",
        Text("cuts rows and columns off the edges of the image", "이미지 가장자리의 행과 열을 잘라냄"),
        (SidesParam("cropping", Text("amount to cut: int, [height, width] or [[top, bottom], [left, right]]",
                                     "잘라낼 양: 정수, [높이, 너비] 또는 [[위, 아래], [왼쪽, 오른쪽]]"), default=0),
         DATA_FORMAT),
        _sides_infer("−"),
        rank=4,
    ),
    LayerKind(
        "UpSampling2D",
        "reshaping",
        Text("repeats rows and columns to enlarge the image", "행과 열을 반복해 이미지를 키움"),
        (TupleParam("size", Text("how many times to repeat rows and columns", "행과 열을 반복할 횟수"), default=2, rank=2),
         DATA_FORMAT,
         ChoiceParam("interpolation", Text("how new pixels are filled", "새 픽셀을 채우는 방법"), default="nearest",
                     choices=("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"))),
        _upsampling_infer,
        rank=4,
    ),
)
