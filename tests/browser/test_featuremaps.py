"""Feature maps in the page: pick a picture, see what every layer makes of it, enlarge a channel, switch
colour maps, change the model and see the maps follow; every failure said in plain words.

These tests need real TensorFlow, so this module runs its own server with one worker (the other
browser tests keep their fast server without workers)."""

from __future__ import annotations

import io
import json
import re

import pytest
from blocks_page import field, palette_button, totals
from browser_env import PHONE, serve_app
from maps_page import (
    ANSWER_MS,
    canvas_colours,
    card,
    cards,
    click_tile,
    forget_expected_network_errors,
    layer_list,
    mosaic,
    open_maps,
    pick_sample,
    requests_to,
    sample,
    wait_painted,
)
from PIL import Image
from playwright.sync_api import expect
from test_accessibility import blocking_violations

pytestmark = pytest.mark.browser

CIFAR_CARDS = 9  # the input, then the CIFAR-10 preset's 8 layers
SPATIAL = {0: (4, 8, 30), 1: (4, 8, 15), 2: (8, 8, 13), 3: (8, 8, 6), 4: (8, 8, 4)}  # layer: rows, cols, tile
CONVOLUTIONS = (0, 2, 4)


@pytest.fixture(scope="module")
def base_url():
    with serve_app(workers=1) as url:
        yield url


def test_a_sample_shows_the_input_a_mosaic_per_spatial_layer_bars_for_flat_ones_and_kernels(page, artifacts):
    open_maps(page)  # a fresh visit shows the CIFAR-10 CNN
    expect(page.locator("#fm-empty")).to_be_visible()
    pick_sample(page, "Scene")
    expect(page.locator("#fm-empty")).to_be_hidden()
    expect(cards(page)).to_have_count(CIFAR_CARDS)
    seen = card(page, "input").get_by_role("img", name=re.compile("as the model receives it"))
    assert seen.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [32, 32]
    for index, (rows, cols, tile) in SPATIAL.items():
        canvas = mosaic(card(page, index)).locator("canvas")
        expect(canvas).to_have_attribute("data-painted", "grey")
        assert canvas.evaluate("c => [c.width, c.height]") == [cols * tile, rows * tile]
        assert canvas.evaluate("c => getComputedStyle(c).imageRendering") == "pixelated"
        assert all(r == g == b for r, g, b in canvas_colours(canvas))
        expect(card(page, index).locator(".fm-kernels")).to_have_count(1 if index in CONVOLUTIONS else 0)
    expect(card(page, 0).locator(".fm-kernels canvas")).to_have_attribute("data-painted", "grey")
    expect(card(page, 0).locator(".fm-kernels summary")).to_have_text("Kernels 3×3 · 32 filters × 3 input channels")
    expect(card(page, 5)).to_contain_text("The first 512 of 1,024 values")
    expect(card(page, 6).locator("rect.fm-bar")).to_have_count(64)
    expect(card(page, 7).locator("rect.fm-bar")).to_have_count(10)
    expect(card(page, 7).get_by_role("img", name=re.compile("Bar chart of 10 values"))).to_be_visible()
    page.screenshot(path=artifacts / "featuremaps-desktop-picture.png")
    card(page, "input").evaluate("el => el.scrollIntoView({ block: 'start' })")
    page.screenshot(path=artifacts / "featuremaps-desktop.png")
    card(page, 6).scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "featuremaps-desktop-bars.png")


def test_a_clicked_channel_is_enlarged_with_its_index_and_the_layers_range(page, artifacts):
    open_maps(page)
    pick_sample(page, "Digit 7")
    conv = card(page, 0)
    click_tile(conv, row=2, col=3)
    expect(page.get_by_role("dialog", name="conv2d · channel 19")).to_be_visible()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("code")).to_have_text("outputs[0, :, :, 19]")
    layer_max = conv.locator(".fm-stat-value").last.text_content()
    expect(dialog).to_contain_text("The layer's scale, shared by all its channels:")
    expect(dialog.locator(".fm-scale-end")).to_have_text(["0", layer_max])
    expect(dialog).to_contain_text("numbered 0 to 31")
    expect(dialog.get_by_role("img")).to_have_attribute("data-index", "19")
    low, high = re.fullmatch(r"Values here: (\S+) to (\S+)", dialog.locator(".fm-zoom-own").text_content()).groups()
    dialog.get_by_label("Stretch to these values").check()  # a faint channel spread over all the colours
    expect(dialog.locator(".fm-scale-end")).to_have_text([low, high])
    page.screenshot(path=artifacts / "featuremaps-channel.png")
    dialog.get_by_label("Stretch to these values").uncheck()
    expect(dialog.locator(".fm-scale-end")).to_have_text(["0", layer_max])
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.locator("h2")).to_have_text("conv2d · channel 20")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(dialog.locator("h2")).to_have_text("conv2d · channel 18")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    mosaic(conv).focus()
    page.keyboard.press("Enter")  # the keyboard opens the first channel; the arrows walk on from there
    expect(page.get_by_role("dialog", name="conv2d · channel 0")).to_be_visible()
    expect(page.get_by_role("button", name="Previous")).to_be_disabled()
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_be_hidden()


def test_a_colour_map_repaints_the_maps_without_asking_the_server_again(page, artifacts):
    open_maps(page)
    pick_sample(page, "Circle")
    asked = requests_to(page, "/api/featuremaps")
    conv = mosaic(card(page, 0)).locator("canvas")
    page.get_by_role("radio", name="Viridis").check()
    expect(conv).to_have_attribute("data-painted", "viridis")
    assert not any(r == g == b for r, g, b in canvas_colours(conv))
    page.get_by_role("radio", name=re.compile("Diverging")).check()
    expect(conv).to_have_attribute("data-painted", "diverging")
    colours = canvas_colours(conv)
    # A ReLU output is never negative: red shades (and white for zero), no blue ones.
    assert any(r > b + 60 for r, g, b in colours) and not any(b > r + 60 for r, g, b in colours)
    kernels = card(page, 0).locator(".fm-kernels canvas")
    expect(kernels).to_have_attribute("data-painted", "diverging")
    kernel_colours = canvas_colours(kernels)  # weights are both signs: both hues
    assert any(r > b + 60 for r, g, b in kernel_colours) and any(b > r + 60 for r, g, b in kernel_colours)
    card(page, 0).evaluate("el => el.scrollIntoView({ block: 'start' })")
    page.screenshot(path=artifacts / "featuremaps-diverging.png")
    assert asked == []


def test_changing_the_model_refreshes_the_maps_and_keeps_the_picture(page):
    open_maps(page)
    pick_sample(page, "Triangle")
    card(page, 0).get_by_role("button", name="Edit conv2d in the inspector").click()
    expect(card(page, 0)).to_have_class(re.compile(r"\bis-selected\b"))
    field(page, "filters").fill("8")
    expect(card(page, 0).locator(".fm-shape")).to_have_text("(None, 30, 30, 8)", timeout=ANSWER_MS)
    wait_painted(page)
    assert mosaic(card(page, 0)).locator("canvas").evaluate("c => [c.width, c.height]") == [4 * 30, 2 * 30]
    expect(card(page, 0)).to_have_class(re.compile(r"\bis-selected\b"))  # still the block being edited
    expect(card(page, "input")).to_contain_text("Triangle")
    expect(sample(page, "Triangle")).to_have_attribute("aria-pressed", "true")

    asked = requests_to(page, "/api/featuremaps")
    filters = field(page, "filters")
    filters.click()
    filters.press("Control+A")
    filters.press_sequentially("16")  # two quick edits: one request after the pause, for the last
    expect(card(page, 0).locator(".fm-shape")).to_have_text("(None, 30, 30, 16)", timeout=ANSWER_MS)
    wait_painted(page)
    assert len(asked) == 1, asked
    palette_button(page, "Dense").click()
    expect(cards(page)).to_have_count(CIFAR_CARDS + 1, timeout=ANSWER_MS)


def test_an_invalid_model_shows_the_layers_before_the_failure_with_the_reason_and_recovers(page):
    open_maps(page)
    pick_sample(page, "Rectangle")
    card(page, 4).get_by_role("button", name="Edit conv2d_2 in the inspector").click()
    field(page, "kernel_size").fill("9")
    problem = page.locator("#fm-problem")
    expect(problem).to_contain_text("Layer 5 (conv2d_2) cannot be built, so the maps stop before it", timeout=ANSWER_MS)
    expect(problem).to_contain_text("larger than its 6×6 input")
    expect(cards(page)).to_have_count(5)  # the input and layers 1-4, as the model sees the picture
    wait_painted(page)
    expect(card(page, 3)).to_contain_text("max_pooling2d_1")
    field(page, "kernel_size").fill("3")
    expect(cards(page)).to_have_count(CIFAR_CARDS, timeout=ANSWER_MS)
    expect(problem).to_be_hidden()

    asked = requests_to(page, "/api/featuremaps")
    page.get_by_text("Presets", exact=True).click()
    page.get_by_role("button", name=re.compile("^MLP on 8 inputs")).click()
    expect(totals(page)).to_contain_text("Total params")
    expect(problem).to_contain_text("Feature maps need a picture-shaped input")
    expect(problem).to_contain_text("This model's input is (None, 8)")
    assert asked == []


def trouble(message: str, layer: int | None = None) -> dict:
    """A refusal as the server words it: the message in both languages, the layer when one is to blame."""
    return {"message": {"en": message, "ko": message}, "layer": layer, "name": None, "detail": []}


@pytest.mark.parametrize("status, detail, words", [
    (503, trouble("every TensorFlow worker is busy; try again in a moment"), "TensorFlow is busy or restarting"),
    (504, trouble("the TensorFlow worker took longer than 60 s"), "longer than the time limit"),
    (413, trouble("over CNN_MAX_ACTIVATION_MB", layer=1), "Too big to compute feature maps here, from layer 2 on"),
])
def test_server_troubles_are_said_in_plain_words_and_a_retry_recovers(page, status, detail, words):
    open_maps(page)
    pick_sample(page, "Circle")
    page.route("**/api/featuremaps", lambda route: route.fulfill(status=status, content_type="application/json",
                                                                  body=json.dumps(detail)))
    page.get_by_role("button", name="New weights").click()
    problem = page.locator("#fm-problem")
    expect(problem).to_contain_text(words)
    expect(problem).to_contain_text(detail["message"]["en"])
    expect(cards(page)).to_have_count(0)
    page.unroute("**/api/featuremaps")
    retry = problem.get_by_role("button", name="Try again")
    if status == 413:  # a size limit does not go away by asking again: no retry offered
        expect(retry).to_be_hidden()
        sample(page, "Circle").click()
    else:
        retry.click()
    expect(cards(page)).to_have_count(CIFAR_CARDS, timeout=ANSWER_MS)
    expect(card(page, "input")).to_contain_text("seed 1")
    forget_expected_network_errors(page, status)


def png(colour: tuple[int, int, int], size=(40, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_chosen_file_becomes_the_picture_and_a_bad_one_is_refused_with_the_reason(page):
    open_maps(page)
    page.locator("#fm-file").set_input_files({"name": "red.png", "mimeType": "image/png", "buffer": png((220, 30, 30))})
    wait_painted(page, timeout=120_000)
    expect(sample(page, "Your picture")).to_have_attribute("aria-pressed", "true")
    expect(card(page, "input")).to_contain_text("red.png")
    page.locator("#fm-file").set_input_files({"name": "notes.png", "mimeType": "image/png", "buffer": b"just some text"})
    problem = page.locator("#fm-problem")
    expect(problem).to_contain_text("The server could not use this picture or model:", timeout=ANSWER_MS)
    expect(problem).to_contain_text("not an image")
    pick_sample(page, "Scene")
    expect(problem).to_be_hidden()


def test_a_picture_dropped_on_the_view_becomes_the_picture(page):
    open_maps(page)
    pick_sample(page, "Circle")
    page.evaluate("""async () => {
        const canvas = Object.assign(document.createElement("canvas"), { width: 20, height: 20 });
        canvas.getContext("2d").fillRect(5, 5, 10, 10);
        const blob = await new Promise((done) => canvas.toBlob(done, "image/png"));
        const files = new DataTransfer();
        files.items.add(new File([blob], "dropped.png", { type: "image/png" }));
        const view = document.getElementById("view-maps");
        for (const type of ["dragenter", "dragover", "drop"]) {
            view.dispatchEvent(new DragEvent(type, { dataTransfer: files, bubbles: true, cancelable: true }));
        }
    }""")
    expect(sample(page, "Your picture")).to_have_attribute("aria-pressed", "true")
    expect(card(page, "input")).to_contain_text("dropped.png", timeout=ANSWER_MS)
    expect(page.locator("#fm-source")).not_to_have_class(re.compile("is-dropping"))


def test_on_a_phone_the_maps_fit_the_width_and_the_enlarged_channel_fits_the_screen(new_page, artifacts):
    page = new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    open_maps(page)
    pick_sample(page, "Scene")
    scroll_width, client_width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll_width <= client_width
    page.locator("#fm-source").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "featuremaps-phone.png")
    card(page, 0).scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "featuremaps-phone-conv.png")
    click_tile(card(page, 0), row=0, col=4)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"]
    page.screenshot(path=artifacts / "featuremaps-phone-channel.png")


def test_the_maps_speak_korean(page, artifacts):
    open_maps(page)
    pick_sample(page, "Digit 7")
    page.get_by_role("button", name="KO", exact=True).click()
    expect(page.get_by_role("tab", name="특성 맵")).to_have_attribute("aria-selected", "true")
    expect(sample(page, "숫자 7")).to_have_attribute("aria-pressed", "true")
    wait_painted(page)
    expect(card(page, 0)).to_contain_text("채널 32개, 각 30×30")
    expect(card(page, 0).locator(".fm-kernels summary")).to_have_text("커널 3×3 · 필터 32개 × 입력 채널 3개")
    expect(card(page, 5)).to_contain_text("값 1,024개 중 처음 512개")
    expect(page.get_by_role("radio", name="Viridis")).to_be_visible()
    click_tile(card(page, 0), row=0, col=1)
    expect(page.get_by_role("dialog", name="conv2d · 채널 1")).to_be_visible()
    page.screenshot(path=artifacts / "featuremaps-korean.png")


def test_axe_finds_no_serious_violations_in_the_maps_and_the_enlarged_channel(page):
    open_maps(page)
    pick_sample(page, "Scene")
    layer_list(page).evaluate("list => list.querySelectorAll('details').forEach((d) => { d.open = true; })")
    wait_painted(page)
    assert blocking_violations(page) == []
    click_tile(card(page, 1), row=1, col=1)
    expect(page.get_by_role("dialog")).to_be_visible()
    assert blocking_violations(page) == []
