"""The layer catalogue: one declarative entry per Keras layer kind, looked up by class name or alias."""

from __future__ import annotations

import difflib

from app.core.layers import activation, applications, conv, core, merge, norm, pool, reshape
from app.core.layers.base import LayerKind

CATEGORIES = ("convolution", "pooling", "core", "merging", "reshaping", "normalization", "regularization",
              "activation", "preprocessing")

KINDS: tuple[LayerKind, ...] = (
    *conv.KINDS, *pool.KINDS, *core.KINDS, *merge.KINDS, *reshape.KINDS, *norm.KINDS, *activation.KINDS,
    *applications.KINDS,
)

_BY_NAME: dict[str, LayerKind] = {
    name: kind for kind in KINDS for name in (kind.type, *kind.aliases)
}


def lookup(type_name: str) -> LayerKind | None:
    return _BY_NAME.get(type_name)


def suggest(type_name: str) -> str | None:
    """The closest known type, for 'did you mean …?' (case mistakes first)."""
    for name in _BY_NAME:
        if name.lower() == type_name.lower():
            return name
    close = difflib.get_close_matches(type_name, list(_BY_NAME), n=1, cutoff=0.6)
    return close[0] if close else None


def catalogue() -> dict:
    return {
        "categories": list(CATEGORIES),
        "layers": [kind.to_json() for kind in KINDS],
    }
