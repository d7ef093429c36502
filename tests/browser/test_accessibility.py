"""Accessibility: axe-core (from the axe-playwright-python package) finds no serious or critical
violations, and a tour of the page leaves no JavaScript errors in the console."""

from __future__ import annotations

import json
import re

import pytest
from blocks_page import blocking_violations, blocks, open_page, palette_button, select_block
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
pytest.importorskip("axe_playwright_python.sync_playwright")


@pytest.mark.parametrize("state", ["fresh", "block selected", "invalid model", "python view", "feature maps view", "branches",
                                   "red merge", "read-only graph"])
def test_axe_finds_no_serious_or_critical_violations(page, state):
    open_page(page)
    if state == "block selected":
        select_block(page, 0)
    elif state == "invalid model":
        select_block(page, 4)
        page.locator("#f-kernel_size").fill("9")
        expect(blocks(page).nth(4)).to_have_class(re.compile("is-error"))
    elif state == "branches":  # a U-Net: nested lanes, shortcuts, a collapsed branch, a lane to add into
        page.get_by_text("Presets", exact=True).click()
        page.get_by_role("button", name=re.compile("^Small U-Net")).click()
        page.locator(".branch").nth(1).get_by_role("button", name=re.compile("^Collapse the branch")).click()
        expect(page.locator(".collapsed-block")).to_have_count(1)
        page.locator(".lane-empty").first.click()
    elif state == "red merge":  # squeeze-and-excitation concatenated instead of multiplied: shapes disagree
        page.get_by_text("Presets", exact=True).click()
        page.get_by_role("button", name=re.compile("^Squeeze-and-excitation")).click()
        page.locator(".merge-block select.merge-kind").select_option("Concatenate")
        expect(page.locator(".merge-block.is-error")).to_have_count(1)
    elif state == "read-only graph":
        open_page(page, model={"input_shape": [8], "layers": [
            {"type": "Dense", "units": 4}, {"type": "Dense", "units": 4},
            {"type": "Add", "inputs": ["dense", "dense_1"]}, {"type": "Add", "inputs": ["add", "dense"]}]})
        expect(page.locator(".graph-row")).to_have_count(4)
        page.locator(".graph-row").nth(3).locator(".block-select").click()
        expect(page.locator(".insp-type")).to_have_text("Add")
    elif state == "python view":  # once its code has come: while it loads, the old code is dimmed on purpose
        page.get_by_role("tab", name="Python").click()
        expect(page.locator("#python-text")).to_contain_text("import keras")
        expect(page.locator("#python-text")).not_to_have_class(re.compile(r"\bis-stale\b"))
    elif state == "feature maps view":  # before a picture is picked (the maps themselves: test_featuremaps)
        page.get_by_role("tab", name="Feature maps").click()
        expect(page.locator("#fm-samples").get_by_role("button", name="Scene")).to_be_visible()
    found = blocking_violations(page)
    assert found == [], json.dumps(found, indent=2)


def test_the_page_names_its_parts_for_screen_readers(page):
    open_page(page)
    expect(page.get_by_role("list", name="Model layers").get_by_role("listitem")).to_have_count(8)
    expect(palette_button(page, "Conv2D")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^MaxPooling2D\b"))).to_be_visible()
    expect(page.get_by_role("tablist", name="Model views")).to_be_visible()
    expect(page.get_by_role("button", name="Remove conv2d_1")).to_be_visible()


def test_a_tour_of_the_page_leaves_no_javascript_errors(page):
    open_page(page)
    for preset in ("8×8 shapes CNN", "24×24 shapes CNN", "Fashion-MNIST, VGG-style", "AlexNet-style", "MLP on 8 inputs"):
        page.get_by_text("Presets", exact=True).click()
        page.get_by_role("button", name=re.compile(f"^{re.escape(preset)}")).click()
        expect(page.locator("#totals")).to_contain_text("Total params")
    for layer_type in ("Conv2D", "Reshape", "ZeroPadding2D", "BatchNormalization", "Softmax"):
        palette_button(page, layer_type).click()
        select_block(page, blocks(page).count() - 1)
    for tab in ("Summary", "Python", "Feature maps", "Blocks"):
        page.get_by_role("tab", name=tab).click()
    page.get_by_role("button", name="KO", exact=True).click()
    page.get_by_role("button", name="EN", exact=True).click()
    assert page.console_errors == []
