"""Frozen layers (Keras's trainable=False): the inspector's Trainable switch freezes a block, by mouse or by
keyboard; the page sends `"trainable": false` for it alone, marks the block frozen, shows the totals the API
answers (its weights non-trainable), and keeps it through undo, the link, a reload and an opened model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from blocks_page import (
    SIZES,
    blocking_violations,
    blocks,
    body_when,
    open_page,
    select_block,
    sized_page,
    tab_to,
    totals,
)
from fit_check import FIND_PROBLEMS
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/frozen-shots")

SMALL = {"input_shape": [28, 28, 1], "layers": [
    {"type": "Conv2D", "filters": 8, "kernel_size": [3, 3], "activation": "relu"},
    {"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax"},
]}
FROZEN = {**SMALL, "layers": [{**SMALL["layers"][0], "trainable": False}, *SMALL["layers"][1:]]}
CONV_WEIGHTS = (3 * 3 * 1 + 1) * 8  # 80: all of them non-trainable once frozen

WORDS = {
    "en": {"switch": "Trainable", "badge": "frozen", "unit": "non-trainable", "trainable": "Trainable params",
           "non_trainable": "Non-trainable params", "help": "Off freezes its weights (trainable=False)"},
    "ko": {"switch": "학습함", "badge": "고정", "unit": "학습 불가", "trainable": "학습 가능 파라미터",
           "non_trainable": "학습 불가 파라미터", "help": "끄면 가중치를 얼립니다 (trainable=False)"},
}


def switch(page, lang: str = "en"):
    return page.get_by_role("switch", name=WORDS[lang]["switch"], exact=True)


def badge(block):
    return block.locator(".block-frozen")


def is_shapes_post(response) -> bool:
    return response.url.endswith("/api/shapes") and response.request.method == "POST"


def toggle(page, act) -> tuple[dict, dict]:
    """Do `act` (a click, a key) and answer the body the page sent to /api/shapes and the API's answer to it."""
    with page.expect_response(is_shapes_post) as info:
        act()
    return info.value.request.post_data_json, info.value.json()


def expect_totals_of(page, answer: dict, lang: str = "en") -> None:
    """The totals panel shows the API's numbers, as Keras's summary words them."""
    words = WORDS[lang]
    expect(totals(page)).to_contain_text(f"{words['trainable']}: {answer['trainable_params']:,} (")
    expect(totals(page)).to_contain_text(f"{words['non_trainable']}: {answer['non_trainable_params']:,} (")


def expect_frozen(page, lang: str = "en") -> None:
    """The Conv2D (first block) is frozen and shown so; the other blocks are not."""
    words = WORDS[lang]
    conv = blocks(page).nth(0)
    expect(badge(conv)).to_contain_text(words["badge"])
    expect(conv.locator(".block-params")).to_have_text(f"{CONV_WEIGHTS} {words['unit']}")
    expect(badge(blocks(page).nth(1))).to_have_count(0)
    expect(badge(blocks(page).nth(2))).to_have_count(0)
    expect(totals(page)).to_contain_text(f"{words['non_trainable']}: {CONV_WEIGHTS} (")


def test_the_switch_freezes_a_block_and_the_page_shows_the_apis_totals(page):
    open_page(page, model=SMALL)
    select_block(page, 0)
    expect(switch(page)).to_be_checked()
    expect(badge(blocks(page).nth(0))).to_have_count(0)
    sent, answer = toggle(page, switch(page).click)
    assert sent["layers"][0]["trainable"] is False
    assert [("trainable" in layer) for layer in sent["layers"]] == [True, False, False]  # the others as they were
    assert answer["layers"][0]["trainable"] is False
    assert (answer["layers"][0]["trainable_params"], answer["layers"][0]["non_trainable_params"]) == (0, CONV_WEIGHTS)
    assert answer["non_trainable_params"] == CONV_WEIGHTS
    expect(switch(page)).not_to_be_checked()
    expect_frozen(page)
    expect_totals_of(page, answer)
    expect(page.locator(".explain")).to_contain_text("trainable=False")  # the API's last step: why they are non-trainable
    assert body_when(page, lambda body: body["layers"][0].get("trainable") is False) == FROZEN


def test_the_switch_works_by_keyboard_and_on_again_sends_the_body_as_it_was(page):
    open_page(page, model=SMALL)
    tab_to(page, blocks(page).nth(0).locator(".block-select"))
    page.keyboard.press("Enter")
    expect(page.locator(".insp-type")).to_have_text("Conv2D")
    tab_to(page, switch(page))
    sent, answer = toggle(page, lambda: page.keyboard.press("Space"))
    assert sent == FROZEN
    expect_frozen(page)
    expect_totals_of(page, answer)
    sent, answer = toggle(page, lambda: page.keyboard.press("Space"))
    assert sent == SMALL  # on omits the field: bodies and links are what they always were
    assert answer["non_trainable_params"] == 0
    expect(badge(blocks(page).nth(0))).to_have_count(0)
    expect(blocks(page).nth(0).locator(".block-params")).to_have_text(f"{CONV_WEIGHTS} params")
    expect_totals_of(page, answer)
    assert body_when(page, lambda body: "trainable" not in body["layers"][0]) == SMALL


def test_freezing_is_one_undo_step_and_redo_freezes_again(page):
    open_page(page, model=SMALL)
    select_block(page, 0)
    switch(page).click()
    expect_frozen(page)
    page.get_by_role("button", name="Undo").click()
    expect(badge(blocks(page).nth(0))).to_have_count(0)
    expect(switch(page)).to_be_checked()
    expect(totals(page)).to_contain_text("Non-trainable params: 0 (")
    page.get_by_role("button", name="Redo").click()
    expect_frozen(page)
    expect(switch(page)).not_to_be_checked()


def test_a_frozen_block_survives_the_link_a_reload_and_a_fresh_visitor(page, new_page):
    open_page(page, model=SMALL)
    select_block(page, 0)
    switch(page).click()
    expect_frozen(page)
    link = page.url
    assert body_when(page, lambda body: body["layers"][0].get("trainable") is False) == FROZEN
    page.reload()
    expect_frozen(page)
    visitor = new_page()  # another browser: nothing saved, only the link
    with visitor.expect_response(is_shapes_post) as info:
        visitor.goto(link)
    assert info.value.request.post_data_json == FROZEN
    expect_frozen(visitor)
    expect_totals_of(visitor, info.value.json())
    select_block(visitor, 0)
    expect(switch(visitor)).not_to_be_checked()


def test_the_switch_and_the_frozen_block_speak_korean(new_page):
    page = new_page()
    open_page(page, path="/?lang=ko", model=SMALL)
    select_block(page, 0)
    expect(page.locator("#f-trainable-help")).to_contain_text(WORDS["ko"]["help"])
    sent, answer = toggle(page, switch(page, "ko").click)
    assert sent == FROZEN
    expect_frozen(page, "ko")
    expect_totals_of(page, answer, "ko")
    page.get_by_role("button", name="EN", exact=True).click()  # a new language relabels the frozen block in place
    expect_frozen(page, "en")
    expect(switch(page, "en")).not_to_be_checked()
    expect(page.locator("#f-trainable-help")).to_contain_text(WORDS["en"]["help"])


def test_pasted_code_with_trainable_false_opens_frozen(page):
    open_page(page, model=SMALL)
    code = ("import keras\nfrom keras import layers\n\nmodel = keras.Sequential([\n    keras.Input(shape=(28, 28, 1)),\n"
            "    layers.Conv2D(8, (3, 3), activation=\"relu\", trainable=False),\n"
            "    layers.Flatten(),\n    layers.Dense(10, activation=\"softmax\"),\n])\n")
    page.locator("#paste-code").click()
    page.locator("#code-input").fill(code)
    with page.expect_response(lambda r: r.url.endswith("/api/import")) as info:
        page.get_by_role("button", name="Replace my model", exact=True).click()
    assert info.value.json()["model"]["layers"][0]["trainable"] is False
    expect_frozen(page)
    assert body_when(page, lambda body: body["layers"][0].get("trainable") is False) == FROZEN


def test_axe_finds_no_serious_violation_with_a_frozen_block_selected(page):
    pytest.importorskip("axe_playwright_python.sync_playwright")
    open_page(page, model=FROZEN)
    select_block(page, 0)
    expect(switch(page)).not_to_be_checked()
    violations = blocking_violations(page)
    assert violations == [], json.dumps(violations, indent=1)[:3000]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("size", SIZES)
def test_a_frozen_block_and_the_switch_fit_at_every_size(new_page, size, lang):
    page = sized_page(new_page, SIZES[size])
    open_page(page, path=f"/?lang={lang}", model=FROZEN)
    expect_frozen(page, lang)
    problems = page.evaluate(FIND_PROBLEMS)
    SHOTS.mkdir(exist_ok=True)
    blocks(page).nth(0).scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"stack-{size}-{lang}.png")
    select_block(page, 0)
    problems += page.evaluate(FIND_PROBLEMS)
    switch(page, lang).scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"inspector-{size}-{lang}.png")
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)
