"""The model lives in the link and in localStorage, and every edit can be undone and redone."""

from __future__ import annotations

import pytest
from blocks_page import (
    blocks,
    body_from_url,
    expect_model_in_url,
    field,
    open_page,
    palette_button,
    select_block,
    totals,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SMALL = {"input_shape": [28, 28, 1], "layers": [
    {"type": "Conv2D", "filters": 8, "kernel_size": [5, 5], "activation": "relu"},
    {"type": "MaxPooling2D", "pool_size": 2}, {"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax"},
]}


def test_a_model_link_rebuilds_the_model_and_survives_a_reload(page):
    open_page(page, model=SMALL)
    expect(blocks(page)).to_have_count(4)
    expect(blocks(page).nth(0)).to_contain_text("(None, 24, 24, 8)")
    expect(totals(page)).to_contain_text("Total params: 11,738")
    palette_button(page, "Dropout").click()
    expect(blocks(page)).to_have_count(5)
    expect_model_in_url(page, {**SMALL, "layers": [*SMALL["layers"], {"type": "Dropout", "rate": 0.5}]})
    page.reload()
    expect(blocks(page)).to_have_count(5)
    expect(blocks(page).nth(4)).to_contain_text("Dropout")


def test_copy_link_puts_the_model_link_on_the_clipboard(new_page, base_url):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    open_page(page, model=SMALL)
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#toast")).to_contain_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"{base_url}/#model=")
    assert body_from_url(copied) == SMALL


def test_the_last_model_comes_back_from_local_storage(new_page):
    page = new_page()
    open_page(page, model=SMALL)
    palette_button(page, "Flatten").click()
    expect(blocks(page)).to_have_count(5)
    again = page.context.new_page()
    again.goto("/")
    expect(blocks(again)).to_have_count(5)
    expect(blocks(again).nth(0)).to_contain_text("(None, 24, 24, 8)")


def test_a_link_opens_over_the_learners_own_model_which_stays_one_click_or_undo_away(new_page):
    page = new_page()
    open_page(page, model=SMALL)
    palette_button(page, "Flatten").click()  # the learner's own work: five blocks, saved
    expect(blocks(page)).to_have_count(5)
    shared = {"input_shape": [8], "layers": [{"type": "Dense", "units": 4}]}
    linked = page.context.new_page()
    open_page(linked, model=shared)
    expect(blocks(linked)).to_have_count(1)
    notice = linked.locator("#link-notice")
    expect(notice).to_be_visible()
    linked.keyboard.press("Control+Z")  # one Undo: the learner's model
    expect(blocks(linked)).to_have_count(5)
    linked.keyboard.press("Control+Shift+Z")
    expect(blocks(linked)).to_have_count(1)
    notice.get_by_role("button", name="Back to my model").click()
    expect(blocks(linked)).to_have_count(5)
    expect(notice).to_be_hidden()
    expect(blocks(linked).nth(4)).to_contain_text("Flatten")


def test_a_link_to_the_model_already_saved_opens_without_a_notice(new_page):
    page = new_page()
    open_page(page, model=SMALL)
    again = page.context.new_page()
    open_page(again, model=SMALL)
    expect(blocks(again)).to_have_count(4)
    expect(again.locator("#link-notice")).to_be_hidden()


def test_undo_and_redo_with_shortcuts_and_buttons(page):
    open_page(page)
    palette_button(page, "Dense").click()
    expect(blocks(page)).to_have_count(9)
    page.keyboard.press("Control+Z")
    expect(blocks(page)).to_have_count(8)
    page.keyboard.press("Control+Shift+Z")
    expect(blocks(page)).to_have_count(9)
    page.get_by_role("button", name="Undo").click()
    expect(blocks(page)).to_have_count(8)
    page.get_by_role("button", name="Redo").click()
    expect(blocks(page)).to_have_count(9)
    expect(page.get_by_role("button", name="Redo")).to_be_disabled()


def test_typing_a_number_is_one_undo_step(page):
    open_page(page)
    select_block(page, 0)
    filters = field(page, "filters")
    filters.select_text()
    filters.press_sequentially("128")
    expect(blocks(page).nth(0)).to_contain_text("(None, 30, 30, 128)")
    page.get_by_role("button", name="Undo").click()
    expect(blocks(page).nth(0)).to_contain_text("(None, 30, 30, 32)")
    expect(field(page, "filters")).to_have_value("32")
