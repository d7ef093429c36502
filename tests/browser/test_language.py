"""English and Korean: the toggle, ?lang= in the address, and the browser's language as the default."""

from __future__ import annotations

import re

import pytest
from blocks_page import blocks, open_page, select_block, stack, totals
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_korean_toggle_translates_the_page_and_the_layer_texts(page, artifacts):
    open_page(page)
    page.get_by_role("button", name="KO", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("모델")
    expect(stack(page)).to_have_attribute("aria-label", "모델 레이어")
    expect(totals(page)).to_contain_text("전체 파라미터: 122,570 (478.79 KB)")
    expect(page.get_by_role("button", name="실행 취소")).to_be_visible()
    select_block(page, 0)
    expect(page.locator(".insp-desc")).to_contain_text("2차원 필터")
    expect(page.locator(".explain")).to_contain_text("필터당 (커널 가중치 + 편향 1) × 필터 수")
    expect(page).to_have_url(re.compile(r"[?&]lang=ko"))
    page.screenshot(path=artifacts / "korean-desktop.png")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Model")
    expect(blocks(page).nth(0)).to_contain_text("params")


def test_lang_in_the_address_wins_over_the_browser_language(new_page):
    korean_browser = new_page(locale="ko-KR")
    open_page(korean_browser)
    expect(korean_browser.locator("html")).to_have_attribute("lang", "ko")
    open_page(korean_browser, "/?lang=en")
    expect(korean_browser.locator("html")).to_have_attribute("lang", "en")
    expect(korean_browser.get_by_role("heading", level=1)).to_have_text("Model")

    english_browser = new_page(locale="en-US")
    open_page(english_browser, "/?lang=ko")
    expect(english_browser.get_by_role("heading", level=1)).to_have_text("모델")
    expect(blocks(english_browser).nth(0)).to_contain_text("파라미터")
