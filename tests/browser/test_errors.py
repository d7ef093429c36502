"""A model Keras cannot build: the failing block turns red and says why; fixing it recovers at once."""

from __future__ import annotations

import re

import pytest
from blocks_page import blocks, field, model_fragment, open_page, select_block, totals
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_kernel_bigger_than_its_input_turns_the_block_red_until_fixed(page, artifacts):
    open_page(page)
    select_block(page, 4)  # conv2d_2 sees a 6×6 input
    field(page, "kernel_size").fill("7")
    failing = blocks(page).nth(4)
    expect(failing).to_have_class(re.compile(r"\bis-error\b"))
    expect(failing).to_contain_text("kernel 7×7 is larger than its 6×6 input")
    expect(page.locator(".insp-problem")).to_contain_text("use padding='same' or a smaller kernel")
    for later in (5, 6, 7):
        expect(blocks(page).nth(later)).to_have_class(re.compile(r"\bis-unreached\b"))
        expect(blocks(page).nth(later).locator(".block-shape")).to_have_text("—")
    expect(blocks(page).nth(3)).to_have_class(re.compile(r"\bis-ok\b"))
    expect(totals(page)).to_contain_text("Counted up to the failing layer 5 (conv2d_2)")
    blocks(page).nth(6).scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "error-desktop.png")

    field(page, "kernel_size").fill("3")
    expect(failing).to_have_class(re.compile(r"\bis-ok\b"))
    expect(blocks(page).nth(7)).to_contain_text("(None, 10)")
    expect(totals(page)).to_contain_text("Total params: 122,570 (478.79 KB)")


def test_an_out_of_range_value_is_refused_in_the_field_and_the_model_keeps_its_last_good_value(page):
    open_page(page)
    select_block(page, 0)
    filters = field(page, "filters")
    filters.fill("0")
    expect(filters).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-filters-error")).to_have_text("Must be at least 1.")
    expect(blocks(page).nth(0)).to_contain_text("(None, 30, 30, 32)")
    filters.fill("16")
    expect(page.locator("#f-filters-error")).to_have_text("")
    expect(blocks(page).nth(0)).to_contain_text("(None, 30, 30, 16)")


def test_a_value_only_the_server_can_check_marks_its_block_and_field(page):
    open_page(page, model={"input_shape": [8, 8, 3], "layers": [
        {"type": "Conv2D", "filters": 6, "kernel_size": 3}, {"type": "Flatten"}]})
    select_block(page, 0)
    field(page, "groups").fill("4")  # 6 filters do not split into 4 groups: only the API knows the rule
    expect(blocks(page).nth(0)).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#f-groups-error")).to_contain_text("groups=4")  # the API's own words
    expect(blocks(page).nth(0).locator(".block-problem")).to_contain_text("groups=4")
    field(page, "groups").fill("3")
    expect(blocks(page).nth(0)).to_have_class(re.compile(r"\bis-ok\b"))


def test_a_link_with_an_unknown_layer_type_shows_the_problem_instead_of_breaking(page):
    page.goto("/" + model_fragment({"input_shape": [8, 8, 3], "layers": [{"type": "Conv3D", "filters": 2}, {"type": "Flatten"}]}))
    expect(blocks(page).nth(0)).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(totals(page)).to_contain_text("Fix the highlighted value")
    expect(blocks(page).nth(0)).to_contain_text("Conv3D")
    select_block(page, 0)
    expect(page.locator(".insp-problem")).to_contain_text("Conv3D is not a layer this server knows")
    blocks(page).nth(0).get_by_role("button", name=re.compile("^Remove")).click()
    expect(totals(page)).to_contain_text("Total params: 0 (0.00 B)")
