"""The examples in the core's docstrings run too (tests/unit alone does not collect app/)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["app.core.shapes", "app.core.explain", "app.core.summary", "app.core.layers.base"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
