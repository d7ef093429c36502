"""Hypothesis strategies for random models, generated through our own catalogue.

Every value comes from the parameter's declaration (its kind, bounds and
choices), kept small so that some stacks run out of pixels and fail. Values
our validation would refuse with a 422 are filtered out by the tests.
"""

from __future__ import annotations

import os

from hypothesis import strategies as st

from app.core.layers import KINDS, LayerKind
from app.core.params import (
    AxisParam,
    BoolParam,
    ChoiceParam,
    FloatParam,
    IntParam,
    NumbersParam,
    Param,
    ShapeParam,
    SidesParam,
    TupleParam,
)

# To explore: KERAS_EXAMPLES_SCALE=20 pytest tests/keras/test_generated.py runs 20 times as many
# examples, freshly random; otherwise the examples are the same on every run.
SCALE = float(os.environ.get("KERAS_EXAMPLES_SCALE", "1"))
DERANDOMIZE = "KERAS_EXAMPLES_SCALE" not in os.environ


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


# Small bounds: weights stay tiny (fast builds) and windows often outgrow the input.
SMALL_INTS = {
    "filters": (1, 8), "units": (1, 8), "groups": (1, 4), "depth_multiplier": (1, 3),
    "kernel_size": (1, 5), "strides": (1, 3), "dilation_rate": (1, 3), "pool_size": (1, 4),
    "size": (1, 3), "output_padding": (0, 2),
}


def _int_range(param: Param, wild: bool = False) -> tuple[int, int]:
    low = getattr(param, "minimum", 1)
    low, high = SMALL_INTS.get(param.name, (low, low + 4))
    return (low - 2, high) if wild else (low, high)  # wild: step below the minimum, into refusals


def _case(choice: str) -> st.SearchStrategy[str]:
    # Keras lower-cases padding and the like; so does our parsing.
    return st.sampled_from([choice, choice.upper()]) if choice in ("same", "valid") else st.just(choice)


def _float(param: FloatParam, wild: bool = False) -> st.SearchStrategy[float]:
    low = -3.0 if param.minimum is None or wild else param.minimum
    high = 3.0 if param.maximum is None or wild else param.maximum
    return st.floats(low, high, allow_nan=False)


def _sides(param: SidesParam) -> st.SearchStrategy:
    side = st.integers(0, 3)
    return st.one_of(side, st.lists(side, min_size=param.rank, max_size=param.rank),
                     st.lists(st.lists(side, min_size=2, max_size=2), min_size=param.rank, max_size=param.rank))


def _target_shape() -> st.SearchStrategy[list[int]]:
    dims = st.lists(st.integers(1, 6), min_size=1, max_size=3)
    return st.one_of(dims, st.tuples(dims, st.integers(0, 3)).map(lambda t: [*t[0][:t[1]], -1, *t[0][t[1]:]]))


def value(param: Param, wild: bool = False) -> st.SearchStrategy:
    """Values the parameter accepts; ``wild`` also numbers below its minimum or outside its range."""
    if isinstance(param, IntParam):
        strategy = st.integers(*_int_range(param, wild))
    elif isinstance(param, FloatParam):
        strategy = _float(param, wild)
    elif isinstance(param, BoolParam):
        strategy = st.booleans()
    elif isinstance(param, ChoiceParam):
        strategy = st.sampled_from(param.choices).flatmap(_case)
    elif isinstance(param, TupleParam):
        each = st.integers(*_int_range(param, wild))
        strategy = st.one_of(each, st.lists(each, min_size=param.rank, max_size=param.rank))
    elif isinstance(param, SidesParam):
        strategy = _sides(param)
    elif isinstance(param, ShapeParam):
        strategy = _target_shape()
    elif isinstance(param, AxisParam):
        axis = st.integers(-5, 4)
        strategy = st.one_of(axis, st.lists(axis, min_size=1, max_size=2, unique=True)) if param.allow_list else axis
    elif isinstance(param, NumbersParam):
        number = st.floats(0.5, 2.0)
        strategy = st.one_of(number, st.lists(number, min_size=1, max_size=4))
    else:  # pragma: no cover - a new Param class needs a strategy here
        raise NotImplementedError(type(param).__name__)
    return st.one_of(st.none(), strategy) if param.nullable else strategy


def layer(kind: LayerKind, wild: bool = False) -> st.SearchStrategy[dict]:
    """A layer of this kind: required arguments always, optional ones sometimes (else Keras's default), and
    sometimes frozen (trainable=False, which every Keras layer takes)."""
    required = {p.name: value(p, wild) for p in kind.params if p.required}
    optional = {p.name: value(p, wild) for p in kind.params if not p.required} | {"trainable": st.just(False)}
    type_name = st.sampled_from((kind.type, *kind.aliases))
    return st.builds(lambda t, args: {"type": t, **args}, type_name, st.fixed_dictionaries(required, optional=optional))


def _is_image_kind(kind: LayerKind) -> bool:
    return kind.rank == 4 or kind.min_rank == 4 or (kind.rank is None and kind.min_rank in (None, 2))


def _is_sequence_kind(kind: LayerKind) -> bool:
    return kind.rank == 3 or kind.min_rank == 3 or (kind.rank is None and kind.min_rank in (None, 2))


ANY_LAYER = st.sampled_from(KINDS).flatmap(layer)
WILD_LAYER = st.sampled_from(KINDS).flatmap(lambda kind: layer(kind, wild=True))
# Weighted toward kinds that fit the input's rank, so stacks get deep before they fail.
IMAGE_LAYER = st.sampled_from([k for k in KINDS if _is_image_kind(k)] * 3 + list(KINDS)).flatmap(layer)
SEQUENCE_LAYER = st.sampled_from([k for k in KINDS if _is_sequence_kind(k)] * 3 + list(KINDS)).flatmap(layer)

# Mostly known sizes; sometimes None (unknown until run time).
DIM = st.one_of(st.integers(1, 16), st.integers(1, 16), st.integers(1, 16), st.none())
CHANNELS = st.one_of(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), st.none())


def image_models() -> st.SearchStrategy[dict]:
    shape = st.builds(lambda h, w, c: [h, w, c], DIM, DIM, CHANNELS)
    return st.fixed_dictionaries({"input_shape": shape, "layers": st.lists(IMAGE_LAYER, min_size=1, max_size=6)})


def sequence_models() -> st.SearchStrategy[dict]:
    shape = st.builds(lambda n, c: [n, c], DIM, CHANNELS)
    return st.fixed_dictionaries({"input_shape": shape, "layers": st.lists(SEQUENCE_LAYER, min_size=1, max_size=5)})


def any_models() -> st.SearchStrategy[dict]:
    shape = st.lists(DIM, min_size=1, max_size=4)
    return st.fixed_dictionaries({"input_shape": shape, "layers": st.lists(ANY_LAYER, min_size=1, max_size=4)})
