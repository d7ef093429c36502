"""Browser tests: the real server in a subprocess, Debian's Chromium through Playwright (sync API).

Every page collects console errors and uncaught exceptions; a test that leaves any behind fails
at teardown, so "no JavaScript errors" is checked everywhere, not just in one test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_env import CHROMIUM, CHROMIUM_ARGS, DESKTOP, serve_app

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def base_url():
    """Shape questions need no TensorFlow workers: this server starts none (feature-map tests start their own)."""
    with serve_app(workers=0) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# Chromium logs every 4xx response in the console. A 422 is an answer the page expects and shows
# on the block (a value only the server can check); it is not a JavaScript error.
EXPECTED_NETWORK_LOG = "the server responded with a status of 422"


def _on_console(message, errors: list[str]) -> None:
    if message.type == "error" and EXPECTED_NETWORK_LOG not in message.text:
        errors.append(message.text)


def _watch(page, errors: list[str]) -> None:
    page.on("console", lambda message: _on_console(message, errors))
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))


@pytest.fixture
def new_page(browser, base_url):
    """new_page(viewport=..., locale=...) -> a page in a fresh context (empty localStorage)."""
    contexts, errors = [], []

    def make(viewport=DESKTOP, locale="en-US", **options):
        context = browser.new_context(viewport=viewport, locale=locale, base_url=base_url, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5_000)
        _watch(page, errors)
        page.console_errors = errors
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors in the console: {errors}"


@pytest.fixture
def page(new_page):
    return new_page()
