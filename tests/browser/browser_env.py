"""What the browser tests share by import (a test module importing `conftest` by name gets whichever
conftest was imported first when several folders run in one process)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import live_server
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@contextmanager
def serve_app(workers: int):
    """The app served on a free port, with `workers` TensorFlow worker processes."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with live_server.serve_app(workers) as url:
        yield url
