"""What the feature-map tests do to the page, said once: open the view, pick a picture, find a layer's
card, point at a tile, read the pixels a canvas shows."""

from __future__ import annotations

import re

from blocks_page import open_page
from playwright.sync_api import Locator, Page, expect

# The first feature-map request waits for the worker to import TensorFlow: up to a minute on a busy
# two-core machine, so the first answer gets a generous deadline (the rest are quick).
FIRST_ANSWER_MS = 120_000
ANSWER_MS = 30_000


def open_maps(page: Page, model: dict | None = None) -> Page:
    open_page(page, model=model)
    page.get_by_role("tab", name=re.compile("Feature maps|특성 맵")).click()
    expect(page.locator("#view-maps")).to_be_visible()
    return page


def layer_list(page: Page) -> Locator:
    return page.get_by_role("list", name=re.compile("Feature maps by layer|레이어별 특성 맵"))


def cards(page: Page) -> Locator:
    """The input's card first, then one card per layer."""
    return layer_list(page).locator(":scope > li")


def card(page: Page, layer_index: int) -> Locator:
    return layer_list(page).locator(f':scope > li[data-index="{layer_index}"]')


def sample(page: Page, name: str) -> Locator:
    return page.locator("#fm-samples").get_by_role("button", name=name, exact=True)


def wait_painted(page: Page, timeout: float = ANSWER_MS) -> None:
    """Every card of the newest answer is on screen and every mosaic painted."""
    expect(layer_list(page)).to_have_attribute("data-state", "ready", timeout=timeout)


def pick_sample(page: Page, name: str, timeout: float = FIRST_ANSWER_MS) -> None:
    sample(page, name).click()
    expect(sample(page, name)).to_have_attribute("aria-pressed", "true")
    wait_painted(page, timeout)


def mosaic(layer_card: Locator) -> Locator:
    return layer_card.locator(".fm-maps .fm-mosaic")


def click_tile(layer_card: Locator, row: int, col: int) -> None:
    """Click the middle of one tile of a layer's mosaic (its grid is on the element as --rows/--cols)."""
    target = mosaic(layer_card)
    rows, cols = target.evaluate("el => [el.style.getPropertyValue('--rows'), el.style.getPropertyValue('--cols')].map(Number)")
    box = target.locator("canvas").bounding_box()
    target.locator("canvas").click(position={"x": box["width"] * (col + 0.5) / cols, "y": box["height"] * (row + 0.5) / rows})


def canvas_colours(canvas: Locator) -> list[list[int]]:
    """The distinct (r, g, b) colours a canvas shows, read from its pixels."""
    return canvas.evaluate("""canvas => {
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        const seen = new Set();
        for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
        return [...seen].map((key) => key.split(",").map(Number));
    }""")


def requests_to(page: Page, path: str) -> list[str]:
    """A list that fills with the URL of every request the page makes to `path` from now on."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if path in request.url else None)
    return seen


def forget_expected_network_errors(page: Page, *statuses: int) -> None:
    """Chromium logs each 4xx/5xx response as a console error; the ones a test provoked on purpose go."""
    expected = [f"status of {status}" for status in statuses]
    page.console_errors[:] = [e for e in page.console_errors if not any(text in e for text in expected)]
