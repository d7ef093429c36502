"""Bounded memos the shape engine shares across requests, so a layer seen before is looked up, not worked out again.

Why: NASNetLarge has 1,040 layers but only 45 distinct layer bodies and 120 distinct (layer, input shapes) pairs,
and a model sent again after an edit repeats almost all of its layers. Working a layer out (validating its
arguments, its shape, its formulas in two languages) costs tens of microseconds; looking it up, about one.

Only successes are kept: a refusal names its layer's position, which the next model does not share.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

import orjson

T = TypeVar("T")
MAX_KEY_BYTES = 1024  # a key longer than this (arguments as JSON, a merge's input names) is not kept: worked out again


class Memo:
    """Values by key, bounded by count (or by the total ``sizeof`` of the values, e.g. ``len`` of bytes), oldest
    out first; safe to share between the event loop and the threads sync routes run in.

    Why not cachetools' LRUCache: a hit there took 0.74 µs (five Python calls under a lock), and NASNetLarge looks
    up 3,120 times per answer; here a hit is one dict lookup, 0.05 µs, which the GIL makes atomic, and only writes
    take the lock. The price is dropping the oldest entry rather than the least recently used one when full.
    """

    every: list[Memo] = []  # so the benchmark can time a first sight, and tests can start clean

    def __init__(self, maxsize: int, sizeof: Callable[[Any], int] | None = None):
        Memo.every.append(self)
        self.maxsize = maxsize
        self._sizeof = sizeof or (lambda value: 1)
        self._values: dict[Hashable, Any] = {}
        self._size = 0
        self._lock = Lock()

    def get(self, key: Hashable | None, compute: Callable[[], T], keep: Callable[[T], bool] | None = None) -> T:
        """The value kept for ``key``, else ``compute()``, kept under it if ``keep(value)`` (default: always);
        a ``None`` key is computed every time."""
        if key is None:
            return compute()
        found = self._values.get(key, _MISSING)
        if found is not _MISSING:
            return found
        value = compute()  # outside the lock: two threads may both compute a new key, and both get the same value
        if keep is None or keep(value):
            self._keep(key, value)
        return value

    def _keep(self, key: Hashable, value: Any) -> None:
        size = self._sizeof(value)
        if size > self.maxsize:  # larger than the whole memo (or the memo is off: CNN_…=0)
            return
        with self._lock:
            if key in self._values:
                return
            while self._size + size > self.maxsize:
                oldest = next(iter(self._values))
                self._size -= self._sizeof(self._values.pop(oldest))
            self._values[key] = value
            self._size += size

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[Hashable]:
        return list(self._values)


_MISSING = object()


def forget_everything() -> None:
    """Empty every memo: the next model is worked out as if never seen."""
    for memo in Memo.every:
        memo.clear()


def layer_key(type_name: str, arguments: dict[str, Any]) -> bytes | None:
    """A layer's type and arguments as canonical JSON bytes (keys sorted), or None: not worth keeping.

    JSON keeps apart what Python's ``==`` joins (``true``, ``1`` and ``1.0`` are different arguments to Keras).
    It cannot keep apart NaN, infinity and ``null`` (orjson writes all three as ``null``), so a layer with a
    ``null`` anywhere gets no key, as do integers beyond 64 bits and arguments over MAX_KEY_BYTES.

    >>> layer_key("Dense", {"units": 1}) == layer_key("Dense", {"units": True})
    False
    >>> layer_key("Dense", {"units": 1, "use_bias": True}) == layer_key("Dense", {"use_bias": True, "units": 1})
    True
    >>> layer_key("Dropout", {"rate": float("nan")}) is None, layer_key("Dense", {"units": 2**70}) is None
    (True, True)
    """
    try:
        text = orjson.dumps([type_name, arguments], option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return None
    return None if len(text) > MAX_KEY_BYTES or b"null" in text else text
