"""Shape arithmetic, as Keras 3 computes it, in plain integers.

A dimension is an ``int`` or ``None`` (unknown until run time); unknown stays
unknown. Shapes include the batch dimension first, as Keras prints them.
Validity (``<= 0`` sizes and the like) is left to the layer that calls these,
so it can explain the failure in its own words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Dim = int | None
Shape = tuple[Dim, ...]

CHANNELS_LAST = "channels_last"
CHANNELS_FIRST = "channels_first"


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """The span a dilated kernel covers.

    >>> effective_kernel(3, 2)
    5
    """
    return dilation * (kernel - 1) + 1


def conv_length(size: Dim, kernel: int, stride: int, padding: str, dilation: int = 1) -> Dim:
    """Output length of a convolution along one axis (may be ≤ 0: invalid).

    >>> conv_length(32, 3, 1, "valid")
    30
    >>> conv_length(32, 3, 2, "same")
    16
    >>> conv_length(3, 5, 1, "valid")
    -1
    >>> conv_length(None, 3, 1, "valid") is None
    True
    """
    if size is None:
        return None
    if padding == "valid":
        return (size - effective_kernel(kernel, dilation)) // stride + 1
    return (size - 1) // stride + 1  # "same" and "causal": ceil(size / stride)


def pool_length(size: Dim, pool: int, stride: int, padding: str) -> Dim:
    """Output length of a pooling window along one axis (may be ≤ 0: invalid).

    >>> pool_length(30, 2, 2, "valid")
    15
    >>> pool_length(5, 2, 2, "same")
    3
    """
    if size is None:
        return None
    if padding == "valid":
        return (size - pool) // stride + 1
    return (size - 1) // stride + 1


def transpose_length(
    size: Dim, kernel: int, stride: int, padding: str, output_padding: int | None, dilation: int = 1
) -> Dim:
    """Output length of a transposed convolution along one axis.

    >>> transpose_length(7, 3, 2, "same", None)
    14
    >>> transpose_length(7, 3, 2, "valid", None)
    15
    >>> transpose_length(7, 3, 2, "same", 1)
    14
    """
    if size is None:
        return None
    span = effective_kernel(kernel, dilation)
    if padding == "valid":
        extra = max(span, stride) - span if output_padding is None else output_padding
        return (size - 1) * stride + span + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + span % 2 + output_padding


def product(dims: Sequence[Dim]) -> Dim:
    """Number of elements, or None if any dimension is unknown.

    >>> product((5, 5, 64))
    1600
    >>> product((None, 4)) is None
    True
    """
    if any(d is None for d in dims):
        return None
    return math.prod(dims)


def flatten(shape: Shape) -> Shape:
    """Flatten keeps the batch axis and multiplies the rest.

    >>> flatten((None, 5, 5, 64))
    (None, 1600)
    >>> flatten((None,))
    (None, 1)
    """
    rest = shape[1:]
    return (shape[0], product(rest) if rest else 1)


def split_channels(shape: Shape, data_format: str) -> tuple[Shape, Dim]:
    """(spatial dims, channels) of a batched shape.

    >>> split_channels((None, 32, 32, 3), "channels_last")
    ((32, 32), 3)
    >>> split_channels((None, 3, 32, 32), "channels_first")
    ((32, 32), 3)
    """
    if data_format == CHANNELS_FIRST:
        return shape[2:], shape[1]
    return shape[1:-1], shape[-1]


def join_channels(batch: Dim, spatial: Sequence[Dim], channels: Dim, data_format: str) -> Shape:
    """Inverse of ``split_channels``.

    >>> join_channels(None, (30, 30), 32, "channels_last")
    (None, 30, 30, 32)
    """
    if data_format == CHANNELS_FIRST:
        return (batch, channels, *spatial)
    return (batch, *spatial, channels)


def format_shape(shape: Shape | None) -> str:
    """A shape as Keras prints it.

    >>> format_shape((None, 30, 30, 32))
    '(None, 30, 30, 32)'
    >>> format_shape((None, 10))
    '(None, 10)'
    """
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def normalize_axis(axis: int, rank: int) -> int | None:
    """A Python-style axis index made non-negative, or None if out of range.

    >>> normalize_axis(-1, 4)
    3
    >>> normalize_axis(4, 4) is None
    True
    """
    if -rank <= axis < rank:
        return axis % rank
    return None
