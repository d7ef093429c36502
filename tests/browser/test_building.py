"""Building models: drag from the palette, build by keyboard alone, load presets, read the views."""

from __future__ import annotations

import re

import pytest
from blocks_page import blocks, field, open_page, palette_button, select_block, tab_to, totals, type_into
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ONE_POOL = {"input_shape": [32, 32, 3], "layers": [{"type": "MaxPooling2D"}]}


def test_dragging_conv2d_from_the_palette_inserts_it_where_dropped_and_shows_its_shape(page):
    open_page(page, model=ONE_POOL)
    expect(blocks(page)).to_have_count(1)
    first = blocks(page).first
    palette_button(page, "Conv2D").drag_to(first, target_position={"x": 200, "y": 4})
    expect(blocks(page)).to_have_count(2)
    expect(blocks(page).nth(0)).to_contain_text("Conv2D")
    expect(blocks(page).nth(0)).to_contain_text("(None, 30, 30, 32)")
    expect(blocks(page).nth(0)).to_contain_text("896")
    expect(blocks(page).nth(1)).to_contain_text("MaxPooling2D")
    expect(blocks(page).nth(1)).to_contain_text("(None, 15, 15, 32)")


def test_dragging_a_block_moves_it(page):
    open_page(page, model={"input_shape": [28, 28, 1], "layers": [{"type": "Flatten"}, {"type": "Conv2D", "filters": 8, "kernel_size": 3}]})
    expect(blocks(page).nth(0)).to_have_class(re.compile("is-ok"))
    blocks(page).nth(1).drag_to(blocks(page).nth(0), target_position={"x": 200, "y": 4})
    expect(blocks(page).nth(0)).to_contain_text("Conv2D")
    expect(blocks(page).nth(0)).to_contain_text("(None, 26, 26, 8)")
    expect(blocks(page).nth(1)).to_contain_text("(None, 5408)")


def add_by_keyboard(page, layer_type: str) -> None:
    tab_to(page, palette_button(page, layer_type))
    page.keyboard.press("Enter")


def test_building_the_cifar_cnn_by_keyboard_alone_reaches_122570_params(page):
    open_page(page)
    tab_to(page, page.get_by_role("button", name="Remove all layers"))
    page.keyboard.press("Enter")
    expect(blocks(page)).to_have_count(0)
    tab_to(page, page.get_by_role("button", name="28×28×1"))
    page.keyboard.press("Enter")
    type_into(page, page.get_by_label("Channels"), "3")
    type_into(page, page.get_by_label("Height"), "32")
    type_into(page, page.get_by_label("Width"), "32")
    expect(page.locator(".input-shape")).to_have_text("(None, 32, 32, 3)")
    for filters, then_pool in (("32", True), ("64", True), ("64", False)):
        add_by_keyboard(page, "Conv2D")
        type_into(page, field(page, "filters"), filters)
        tab_to(page, field(page, "activation"))
        page.keyboard.type("relu")  # a closed <select> picks the option typed
        expect(field(page, "activation")).to_have_value("relu")
        if then_pool:
            add_by_keyboard(page, "MaxPooling2D")
    add_by_keyboard(page, "Flatten")
    for units in ("64", "10"):
        add_by_keyboard(page, "Dense")
        type_into(page, field(page, "units"), units)
    expect(blocks(page)).to_have_count(8)
    expect(totals(page)).to_contain_text("Total params: 122,570 (478.79 KB)")
    expect(totals(page)).to_contain_text("Trainable params: 122,570 (478.79 KB)")
    expect(totals(page)).to_contain_text("Non-trainable params: 0 (0.00 B)")
    expect(blocks(page).nth(2)).to_contain_text("(None, 13, 13, 64)")
    expect(blocks(page).nth(2)).to_contain_text("18,496")


def test_blocks_move_duplicate_and_remove_with_their_buttons_and_keys(page):
    open_page(page)
    second = blocks(page).nth(1)
    second.get_by_role("button", name="Move max_pooling2d up").click()
    expect(blocks(page).nth(0)).to_contain_text("MaxPooling2D")
    expect(blocks(page).nth(0).get_by_role("button", name=re.compile("^Move .* up"))).to_be_disabled()
    blocks(page).nth(0).locator(".block-select").focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(blocks(page).nth(1)).to_contain_text("MaxPooling2D")
    expect(blocks(page).nth(1).locator(".block-select")).to_be_focused()
    blocks(page).nth(1).get_by_role("button", name=re.compile("^Duplicate")).click()
    expect(blocks(page)).to_have_count(9)
    blocks(page).nth(2).locator(".block-select").focus()
    page.keyboard.press("Delete")
    expect(blocks(page)).to_have_count(8)
    expect(totals(page)).to_contain_text("Total params: 122,570")


@pytest.mark.parametrize("preset, total", [
    ("CIFAR-10 CNN", "122,570"), ("VGG16", "138,357,544"), ("LeNet-5", "61,706"), ("MLP on 8 inputs", "221"),
])
def test_a_preset_loads_with_one_click_and_shows_keras_totals(page, preset, total):
    open_page(page, model={"input_shape": [8], "layers": []})
    page.get_by_text("Presets", exact=True).click()
    page.get_by_role("button", name=re.compile(f"^{re.escape(preset)}")).click()
    expect(totals(page)).to_contain_text(f"Total params: {total} (")


def test_summary_and_python_views_show_the_keras_summary_and_code(page):
    open_page(page)
    page.get_by_role("tab", name="Summary").click()
    summary = page.locator("#summary-text")
    expect(summary).to_contain_text("conv2d_2 (Conv2D)")
    expect(summary).to_contain_text("Total params: 122,570 (478.79 KB)")
    page.get_by_role("tab", name="Summary").press("ArrowRight")
    expect(page.get_by_role("tab", name="Formulas")).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="Formulas").press("ArrowRight")
    expect(page.get_by_role("tab", name="Python")).to_have_attribute("aria-selected", "true")
    python = page.locator("#python-text")
    expect(python).to_contain_text("keras.Input(shape=(32, 32, 3))")  # the server's code (POST /api/export)
    expect(python).to_contain_text('layers.Conv2D(filters=32, kernel_size=3, activation="relu")')
    expect(python).to_contain_text("layers.Dense(units=10)")


def test_the_inspector_explains_the_parameter_formula_with_the_numbers(page):
    open_page(page)
    select_block(page, 0)
    expect(page.locator(".explain")).to_contain_text("(3·3·3 + 1)·32 = 896")
    expect(page.locator(".explain")).to_contain_text("⌊(32 − 3) / 1⌋ + 1 = 30")


def test_the_palette_filter_narrows_the_layers_by_name_or_description(page):
    open_page(page)
    page.get_by_label("Filter layers").fill("pool")
    expect(palette_button(page, "MaxPooling2D")).to_be_visible()
    expect(palette_button(page, "Conv2D")).to_be_hidden()
    page.get_by_label("Filter layers").fill("zzz")
    expect(page.locator(".palette-none")).to_have_text("No layer matches.")
    page.get_by_label("Filter layers").fill("")
    expect(palette_button(page, "Conv2D")).to_be_visible()


def test_enter_in_the_palette_adds_after_the_selected_block_and_lands_in_its_first_field(page):
    open_page(page)
    select_block(page, 1)  # max_pooling2d
    palette_button(page, "Dropout").focus()
    page.keyboard.press("Enter")
    expect(blocks(page)).to_have_count(9)
    expect(blocks(page).nth(2)).to_contain_text("Dropout")
    expect(field(page, "rate")).to_be_focused()  # one key from the palette to editing the new block
    page.keyboard.press("Control+A")
    page.keyboard.type("0.25")
    expect(blocks(page).nth(2)).to_contain_text("rate 0.25")


def test_the_presets_menu_walks_with_arrow_keys(page):
    open_page(page, model={"input_shape": [8], "layers": []})
    summary = page.locator("#presets-menu summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    presets = page.locator("[data-preset]")
    expect(presets.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(presets.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(presets.last).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(presets.nth(presets.count() - 2)).to_be_focused()
    page.keyboard.press("Enter")
    expect(blocks(page).first).to_be_visible()
    expect(summary).to_be_focused()


def test_undoing_a_removal_puts_focus_back_on_the_restored_block(page):
    open_page(page)
    blocks(page).nth(2).locator(".block-select").focus()
    page.keyboard.press("Delete")
    expect(blocks(page)).to_have_count(7)
    page.keyboard.press("Control+Z")
    expect(blocks(page)).to_have_count(8)
    expect(blocks(page).nth(2).locator(".block-select")).to_be_focused()
