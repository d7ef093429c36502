"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum and Concatenate.

They take a list of inputs (``inputs`` in the spec) and check them as Keras's ``build`` does, so a merge that
cannot work fails at the merge, in words that name where each shape comes from and what would fix it.
"""

from __future__ import annotations

from typing import Any

from app.core.explain import NO_PARAMS, Step
from app.core.layers.base import Inference, LayerError, LayerKind
from app.core.params import AxisParam
from app.core.shapes import Dim, Shape, format_shape
from app.core.text import Text, josa

Source = tuple[str, Shape]  # the name of the layer an input comes from ("input" for the model's), and its shape


def broadcast(first: Shape, second: Shape) -> Shape | None:
    """Keras's element-wise output shape (``Merge._compute_elemwise_op_output_shape``), without the batch axis.

    Shapes line up from the right; an axis of 1 stretches; None stays unknown. None if they cannot agree.

    >>> broadcast((32, 32, 64), (1, 1, 64)), broadcast((4, 4, 8), (8,)), broadcast((4, 4), (4, 5))
    ((32, 32, 64), (4, 4, 8), None)
    """
    if len(first) < len(second):
        first, second = second, first
    if not second:
        return first
    out: list[Dim] = list(first[: len(first) - len(second)])
    for a, b in zip(first[len(first) - len(second):], second):
        if a is None or b is None:
            out.append(None)
        elif a == 1 or b == 1:
            out.append(b if a == 1 else a)
        elif a != b:
            return None
        else:
            out.append(a)
    return tuple(out)


def _elementwise_infer(kind: str, operation: Text, exactly: int | None = None):
    def infer(sources: list[Source], p: dict[str, Any]) -> Inference:
        if exactly is not None and len(sources) != exactly:
            raise LayerError(f"{kind} takes exactly {exactly} inputs but gets {len(sources)}; list {exactly} in inputs",
                             f"{kind}에는 입력이 정확히 {exactly}개 필요하지만 {len(sources)}개를 받았습니다; "
                             f"inputs에 {exactly}개를 적으세요")
        shape: Shape = sources[0][1][1:]
        for index, (_, other) in enumerate(sources[1:], start=1):
            joined = broadcast(shape, other[1:])
            if joined is None:
                raise _mismatch(kind, sources[: index + 1])
            shape = joined
        return Inference((None, *shape), shape_steps=[Step(operation, ", ".join(
            f"{format_shape(s)} {name}" for name, s in sources) + f" → {format_shape((None, *shape))}")],
            param_steps=[Step(NO_PARAMS, "0")])
    return infer


def _mismatch(kind: str, sources: list[Source]) -> LayerError:
    gets = " and ".join(f"{format_shape(shape)} from {name}" for name, shape in sources)
    gets_ko = ", ".join(f"{name}에서 {format_shape(shape)}" for name, shape in sources)
    fix = _fix(*sources[-2:])
    return LayerError(f"{kind} needs inputs of one shape; it gets {gets}; {fix.en}",
                      f"{kind}에는 같은 형태의 입력이 필요한데 {josa(gets_ko, '을/를')} 받습니다; {fix.ko}")


def _fix(first: Source, second: Source) -> Text:
    """The usual cure in a ResNet: a 1×1 convolution on the shortcut, strided when the sizes differ."""
    (name_a, a), (name_b, b) = first, second
    if len(a) == len(b) == 4 and None not in (*a[1:], *b[1:]):
        if a[1:3] == b[1:3]:  # channels differ: widen the narrower input
            (narrow, _), wide = sorted((first, second), key=lambda s: s[1][3])
            return Text(f"put a 1×1 Conv2D with {wide[1][3]} filters on {narrow}",
                        f"{narrow} 쪽에 filters {wide[1][3]}인 1×1 Conv2D를 넣으세요")
        (big_name, big), (_, small) = sorted((first, second), key=lambda s: -s[1][1])
        stride = big[1] // small[1]
        if big[1] == small[1] * stride and big[2] == small[2] * stride:  # sizes differ by a whole factor
            return Text(f"put a 1×1 Conv2D with {small[3]} filters and strides {stride} on {big_name}",
                        f"{big_name} 쪽에 filters {small[3]}, strides {stride}인 1×1 Conv2D를 넣으세요")
    return Text(f"make {name_a} and {name_b} agree: equal sizes, or 1 on an axis that should stretch",
                f"{josa(name_a, '과/와')} {name_b}의 형태를 맞추세요: "
                "크기를 같게 하거나, 늘릴 축은 1로")


def _concatenate_infer(sources: list[Source], p: dict[str, Any]) -> Inference:
    axis = p["axis"]
    shapes = [shape for _, shape in sources]
    if any(axis < -len(shape) for shape in shapes):  # Keras's build deletes that index and fails
        raise _axis_missing(axis, shapes[0])
    kept = [_without(shape, axis) for shape in shapes]
    if len({len(k) for k in kept}) > 1 or any(
            len({k[i] for k in kept} - {None}) > 1 for i in range(len(kept[0]))):
        raise _concat_mismatch(sources, axis)
    if len(shapes) == 1:  # nothing to join, and Keras never looks the axis up
        return Inference(shapes[0], param_steps=[Step(NO_PARAMS, "0")])
    out, sizes = list(shapes[0]), []
    for shape in shapes:  # as Keras's compute_output_shape: stops at the first unknown size
        if not -len(shape) <= axis < len(shape):
            raise _axis_missing(axis, shape)
        sizes.append(shape[axis])
        if shape[axis] is None:
            break
    out[axis] = None if None in sizes else sum(sizes)
    return Inference(tuple(out), shape_steps=[Step(
        Text(f"sizes along axis {axis} add up", f"축 {axis}의 크기를 더함"),
        " + ".join("None" if s is None else f"{s:,}" for s in sizes) + f" = {'None' if out[axis] is None else f'{out[axis]:,}'}",
    )], param_steps=[Step(NO_PARAMS, "0")])


def _axis_missing(axis: int, shape: Shape) -> LayerError:
    return LayerError(f"axis {axis} does not exist in {format_shape(shape)}; use -1 for the channels",
                      f"{format_shape(shape)}에는 축 {josa(axis, '이/가')} 없습니다; 채널은 -1을 쓰세요")


def _without(shape: Shape, axis: int) -> Shape:
    """The shape with the joined axis taken out, as Keras's build compares them (a positive axis past the end
    takes nothing out)."""
    if axis >= len(shape):
        return shape
    kept = list(shape)
    del kept[axis]
    return tuple(kept)


def _concat_mismatch(sources: list[Source], axis: int) -> LayerError:
    gets = " and ".join(f"{format_shape(shape)} from {name}" for name, shape in sources)
    gets_ko = ", ".join(f"{name}에서 {format_shape(shape)}" for name, shape in sources)
    return LayerError(
        f"Concatenate joins along axis {axis}; every other axis must agree, but it gets {gets}; pool, crop or pad "
        "the larger input (e.g. MaxPooling2D) so heights and widths match",
        f"Concatenate는 축 {axis}을 따라 잇습니다; 다른 축은 모두 같아야 하는데 {gets_ko}을 받습니다; 큰 입력을 "
        "풀링하거나 자르거나 채워서 (예: MaxPooling2D) 높이와 너비를 맞추세요")


def _merge(type_name: str, what: Text, operation: Text, exactly: int | None = None) -> LayerKind:
    return LayerKind(type_name, "merging", what, (), _elementwise_infer(type_name, operation, exactly), merge=True)


KINDS = (
    _merge("Add", Text("adds its inputs element by element: the shortcut of a ResNet",
                       "입력을 원소별로 더함: ResNet의 지름길 연결"), Text("element-wise sum", "원소별 합")),
    _merge("Subtract", Text("subtracts the second input from the first, element by element",
                            "두 번째 입력을 첫 번째에서 원소별로 뺌"), Text("element-wise difference", "원소별 차"), 2),
    _merge("Multiply", Text("multiplies its inputs element by element: the gate of squeeze-and-excitation",
                            "입력을 원소별로 곱함: squeeze-and-excitation의 게이트"), Text("element-wise product", "원소별 곱")),
    _merge("Average", Text("averages its inputs element by element", "입력의 원소별 평균"),
           Text("element-wise mean", "원소별 평균")),
    _merge("Maximum", Text("keeps the largest input value at each position", "자리마다 가장 큰 입력값을 남김"),
           Text("element-wise maximum", "원소별 최댓값")),
    _merge("Minimum", Text("keeps the smallest input value at each position", "자리마다 가장 작은 입력값을 남김"),
           Text("element-wise minimum", "원소별 최솟값")),
    LayerKind("Concatenate", "merging", Text(
        "joins its inputs side by side along one axis (the channels by default): Inception's towers, U-Net's skips",
        "입력을 한 축(기본은 채널)을 따라 나란히 이음: Inception의 갈래, U-Net의 건너뛰기 연결"),
        (AxisParam("axis", Text("the axis to join along (-1: channels)", "이어 붙일 축 (-1: 채널)"), default=-1),),
        _concatenate_infer, merge=True),
)
