"""``ast.parse`` serialised across threads on the Pythons whose AST constructor is not thread-safe.

CPython 3.11.0–3.11.7 and 3.12.0–3.12.1 keep the AST constructor's recursion counter in interpreter-wide state
(gh-106905, fixed in 3.11.8 and 3.12.2). When a garbage collection inside one ``ast.parse`` runs Python code, the
GIL can pass to a second thread that parses too, and the first then fails with "SystemError: AST constructor
recursion depth mismatch". That is not only our code reader: ``inspect.signature`` of a builtin (numpy imports
call it), 3.11's traceback carets and pytest's assertion rewriting all parse. CI failed once on it: pytest
importing a plugin module while the web process's dataset warm-up thread imported ``numpy.ma``.
``tests/unit/test_ast_guard.py`` reproduces the race within a few hundred parses without this lock.

The lock is re-entrant because a collection during a parse may run a finalizer that parses again on the same
thread. A parse waits for it at most WAIT_S and then goes ahead unguarded: a finalizer that logs inside a guarded
parse can need a logging handler's lock that another thread holds while its traceback formatting waits for ours,
and the rare race is better than that deadlock. Parsing is short next to the wait (a 256 KB cell: about 200 ms).
``compile(…, ast.PyCF_ONLY_AST)`` called directly is not guarded; only imports do that (anyio, mako), on the
main thread.
"""

from __future__ import annotations

import ast
import functools
import sys
import threading

WAIT_S = 5.0  # longer than any parse we make; past it, a deadlock is more likely than a slow parse


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
        if not lock.acquire(timeout=WAIT_S):
            return parse(*args, **kwargs)
        try:
            return parse(*args, **kwargs)
        finally:
            lock.release()

    parse_one_at_a_time.serialised = True
    return parse_one_at_a_time
