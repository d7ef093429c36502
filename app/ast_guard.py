"""``ast.parse`` serialised across threads on the Pythons whose AST constructor is not thread-safe.

CPython 3.11.0–3.11.7 and 3.12.0–3.12.1 keep the AST constructor's recursion counter in interpreter-wide state
(gh-106905, fixed in 3.11.8 and 3.12.2). When a garbage collection inside one ``ast.parse`` runs Python code, the
GIL can pass to a second thread that parses too, and the first then fails with "SystemError: AST constructor
recursion depth mismatch". That is not only our code reader: ``inspect.signature`` of a builtin (numpy imports
call it), 3.11's traceback carets and pytest's assertion rewriting all parse. CI failed once on it: pytest
importing a plugin module while the web process's dataset warm-up thread imported ``numpy.ma``.
``tests/unit/test_ast_guard.py`` reproduces the race within a few hundred parses without this lock.

The lock is re-entrant because a collection during a parse may run a finalizer that parses again on the same
thread. Parsing is short next to what waits on it (a 256 KB cell: about 200 ms, already holding the GIL).
"""

from __future__ import annotations

import ast
import functools
import sys
import threading


def needed(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> bool:
    """Whether this interpreter has the shared recursion counter (3.11 before 3.11.8, 3.12 before 3.12.2)."""
    return (3, 11) <= version < (3, 11, 8) or (3, 12) <= version < (3, 12, 2)


def install() -> None:
    """Replace ``ast.parse`` by one that holds a process-wide lock, once, and only where ``needed``."""
    if needed() and not getattr(ast.parse, "serialised", False):
        ast.parse = _serialised(ast.parse)


def _serialised(parse):
    lock = threading.RLock()

    @functools.wraps(parse)
    def parse_one_at_a_time(*args, **kwargs):
        with lock:
            return parse(*args, **kwargs)

    parse_one_at_a_time.serialised = True
    return parse_one_at_a_time
