"""The page fits a 1280×800 screen and a 390×844 phone without sideways scrolling; screenshots of both."""

from __future__ import annotations

import re

import pytest
from blocks_page import blocks, open_page, select_block
from browser_env import DESKTOP, PHONE
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCROLL_WIDTHS = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def assert_no_sideways_scroll(page):
    scroll_width, client_width = page.evaluate(SCROLL_WIDTHS)
    assert scroll_width <= client_width, f"page is {scroll_width}px wide in a {client_width}px window"


def test_phone_width_has_no_horizontal_scroll(new_page, artifacts):
    page = new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    open_page(page)
    assert_no_sideways_scroll(page)
    page.screenshot(path=artifacts / "phone.png", full_page=True)
    page.get_by_text("Presets", exact=True).click()
    page.get_by_role("button", name=re.compile("^VGG16")).click()
    expect(page.locator("#totals")).to_contain_text("138,357,544")
    assert_no_sideways_scroll(page)
    select_block(page, 0)
    expect(page.locator("#inspector")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.screenshot(path=artifacts / "phone-inspector.png")
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#inspector")).to_be_hidden()


def test_desktop_shows_palette_model_and_inspector_side_by_side(new_page, artifacts):
    page = new_page(viewport=DESKTOP)
    open_page(page)
    select_block(page, 2)
    expect(blocks(page).nth(2)).to_have_class(re.compile(r"\bis-selected\b"))
    assert_no_sideways_scroll(page)
    for region in ("#palette-groups", "#stack", "#inspector"):
        box = page.locator(region).bounding_box()
        assert box["x"] + box["width"] <= DESKTOP["width"] + 1
    page.screenshot(path=artifacts / "desktop.png")
