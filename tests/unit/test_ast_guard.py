"""ast.parse from two threads at once, on an interpreter with CPython's shared AST recursion counter (gh-106905).

The race is provoked, not waited for: a collection callback sleeps, so every garbage collection inside a parse
hands the GIL to the other thread, which parses too. Each run is a fresh interpreter, so the callback and the
tiny switch interval never touch this test process."""

import subprocess
import sys
import textwrap

import pytest

from app import ast_guard

RACE = textwrap.dedent("""
    import ast, gc, sys, threading, time
    if sys.argv[1] == "guarded":
        import app  # installs the guard, as every entry point of the app does
    sys.setswitchinterval(1e-6)
    gc.callbacks.append(lambda phase, info: time.sleep(0))
    long_module = "\\n".join(f"x{i} = [({i}, {{'a': [{i}]}}) for _ in range(3)]" for i in range(100))
    failures, parses = [], [0, 0]
    def parse_often(which, source):
        while parses[which] < 300 and not failures:
            try:
                ast.parse(source)
                parses[which] += 1
            except SystemError as error:
                failures.append(str(error))
    threads = [threading.Thread(target=parse_often, args=(0, long_module)),
               threading.Thread(target=parse_often, args=(1, "f(a, b=[1, 2])"))]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    print(failures[0] if failures else f"parsed {parses[0]} and {parses[1]}")
""")


def race(mode: str) -> str:
    done = subprocess.run([sys.executable, "-c", RACE, mode], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_two_threads_parse_at_once_without_a_system_error():
    assert race("guarded") == "parsed 300 and 300"


@pytest.mark.skipif(not ast_guard.needed(), reason="this interpreter's AST constructor is thread-safe")
def test_without_the_guard_this_interpreter_fails_the_same_race():
    """The control: shows the race above is real here, so the guarded run passing means the guard works."""
    assert "AST constructor recursion depth mismatch" in race("plain")


@pytest.mark.parametrize(("version", "affected"), [
    ((3, 11, 7), True), ((3, 11, 8), False), ((3, 12, 1), True), ((3, 12, 2), False), ((3, 13, 0), False),
    ((3, 10, 13), False),
])
def test_only_the_interpreters_with_the_bug_are_guarded(version, affected):
    assert ast_guard.needed(version) is affected


def test_the_guard_is_installed_here_when_needed_and_parses_as_before():
    import ast

    assert getattr(ast.parse, "serialised", False) is ast_guard.needed()
    source = "model.add(Conv2D(32, (3, 3)))"
    assert ast.dump(ast.parse(source)) == ast.dump(compile(source, "<unknown>", "exec", ast.PyCF_ONLY_AST))
