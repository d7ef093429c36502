"""Code in, code and pictures out, on the page: a pasted tutorial cell (and a Keras 1 snippet, and a dropped .py
file) becomes blocks with /api/shapes's numbers, replaces the model or goes after its last block as one undoable
step, and a refusal marks the line it names; compile()/fit() settings carry to the Train tab. The Export menu
downloads what POST /api/export answers (Python, .keras, SVG, PNG) and the Python view shows that same text.
The dialog and the menu fit projector, laptop and phone sizes in both languages (screenshots in /tmp/shots)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from blocks_page import (
    SIZES,
    blocks,
    body_from_url,
    body_when,
    branches,
    datasets_listed,
    open_page,
    sized_page,
    totals,
)
from browser_env import serve_app
from fit_check import FIND_PROBLEMS, OVERLAY_PROBLEMS, load_preset
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PRESETS = {p["id"]: p["model"] for p in json.loads((ROOT / "static/data/presets.json").read_text())["presets"]}
SHOTS = Path("/tmp/shots")
CIFAR_TOTAL = "122,570"

# The Keras MNIST convnet example (keras.io/examples/vision/mnist_convnet), as a learner pastes the cell.
MNIST_CELL = '''import numpy as np
import keras
from keras import layers

num_classes = 10
input_shape = (28, 28, 1)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)

model.summary()

batch_size = 128
epochs = 15

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)
'''
MNIST_LINES = MNIST_CELL.splitlines()

# An old lecture's Keras 1 model: kernel as two numbers, border_mode, init.
KERAS1 = '''from keras.models import Sequential
from keras.layers import Convolution2D, MaxPooling2D, Flatten, Dense, Activation

model = Sequential()
model.add(Convolution2D(32, 5, 5, border_mode='valid', input_shape=(28, 28, 1)))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(128, init='uniform'))
model.add(Activation('relu'))
model.add(Dense(10))
model.add(Activation('softmax'))
'''

# The MNIST cell with an argument that is a call: the reader refuses it, naming this line.
BROKEN_LINE = 16
BROKEN = "\n".join(
    line.replace('activation="relu"', 'activation=pick_activation("relu")') if number == BROKEN_LINE else line
    for number, line in enumerate(MNIST_LINES, 1)) + "\n"

# A residual block that takes (28, 28, 8): it fits after a model ending in (None, 28, 28, 8).
RESIDUAL = '''import keras
from keras import layers

inputs = keras.Input(shape=(28, 28, 8))
x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
shortcut = layers.Conv2D(16, 1)(inputs)
x = layers.Add()([x, shortcut])
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
'''
START = {"input_shape": [28, 28, 1], "layers": [{"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same"}]}


@pytest.fixture(scope="module")
def base_url():
    """One worker: a .keras file is built by TensorFlow in a worker, and the training-code test trains a run."""
    with serve_app(workers=1) as url:
        yield url


def shot(page, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=path)
    return path


def shape_text(shape: list) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def imported(page, code: str) -> dict:
    answer = page.request.post("/api/import", multipart={"code": code})
    assert answer.ok, answer.text()
    return answer.json()


def shapes(page, body: dict) -> dict:
    answer = page.request.post("/api/shapes", data=body)
    assert answer.ok, answer.text()
    return answer.json()


def exported(page, body: dict, fmt: str, lang: str = "en", **extra) -> bytes:
    answer = page.request.post("/api/export", data={"model": body, "format": fmt, "lang": lang, **extra})
    assert answer.ok, answer.text()
    return answer.body()


def settled_body(page) -> dict:
    """The model in the link once the link has stopped changing (it is written 300 ms after the last edit)."""
    url = page.url
    while True:
        page.wait_for_timeout(400)
        if page.url == url:
            return body_from_url(url)
        url = page.url


def dialog(page):
    return page.locator("#code-dialog")


def paste(page, code: str, button: str = "Replace my model") -> None:
    page.locator("#paste-code").click()
    expect(dialog(page)).to_be_visible()
    page.locator("#code-input").fill(code)
    dialog(page).get_by_role("button", name=button, exact=True).click()


def expect_blocks_as_the_api_says(page, body: dict) -> dict:
    """Every block's output shape and the totals are /api/shapes's for this body."""
    answer = shapes(page, body)
    expect(blocks(page)).to_have_count(len(answer["layers"]))
    for index, layer in enumerate(answer["layers"]):
        expect(blocks(page).nth(index)).to_contain_text(shape_text(layer["output_shape"]))
        expect(blocks(page).nth(index)).to_contain_text(f"{layer['params']:,}")
    expect(totals(page)).to_contain_text(f"Total params: {answer['total_params']:,} (")
    return answer


def test_a_pasted_tutorial_cell_becomes_blocks_with_the_apis_numbers_and_its_fit_settings_go_to_train(page):
    open_page(page)
    paste(page, MNIST_CELL)
    expect(dialog(page)).to_be_hidden()
    reply = imported(page, MNIST_CELL)
    assert reply["source"]["format"] == "python"
    expect(page.locator("#import-notice")).to_contain_text("Read your code: 7 layers, as blocks")
    answer = expect_blocks_as_the_api_says(page, reply["model"])
    assert answer["total_params"] == 34_826  # what model.summary() prints for the tutorial's model
    body_when(page, lambda body: body == reply["model"])
    expect(page.locator(".input-shape")).to_have_text("(None, 28, 28, 1)")

    settings = reply["training"]
    assert (settings["epochs"], settings["batch_size"], settings["validation_split"], settings["optimizer"]) == \
        (15, 128, 0.1, "adam")
    notice = page.locator("#import-notice")
    expect(notice).to_contain_text("epochs 15 · batch_size 128 · validation_split 0.1")
    shot(page, "code-pasted-notice-1280x800-en")
    notice.get_by_role("button", name="Use these training settings").click()
    expect(page.get_by_role("tab", name="Train")).to_have_attribute("aria-selected", "true")
    for name, value in (("epochs", "15"), ("batch_size", "128"), ("validation_split", "0.1")):
        expect(page.locator(f"#tr-{name}")).to_have_value(value)
    expect(page.locator("#tr-optimizer")).to_have_value("adam")
    expect(page.locator("#tr-learning_rate")).to_have_value(str(settings.get("learning_rate") or 0.001))


def test_a_keras_1_snippet_opens_in_keras_3_words_with_the_readers_notes(page):
    open_page(page)
    paste(page, KERAS1)
    reply = imported(page, KERAS1)
    assert reply["model"]["layers"][0]["type"] == "Conv2D"
    expect_blocks_as_the_api_says(page, reply["model"])
    notice = page.locator("#import-notice")
    expect(notice).to_contain_text("Read your code")
    for note in reply["notes"]:
        expect(notice).to_contain_text(note["message"]["en"])
    assert any("Convolution2D" in note["message"]["en"] for note in reply["notes"]), reply["notes"]


def test_a_refusal_marks_its_line_in_the_box_and_says_why_beside_it_and_the_model_stays(page):
    open_page(page)
    paste(page, BROKEN)
    error = page.locator("#code-error")
    expect(error).to_be_visible()
    expect(page.locator("#code-error-where")).to_contain_text(f"Line {BROKEN_LINE}")
    refusal = page.request.post("/api/import", multipart={"code": BROKEN})
    assert refusal.status == 422
    assert f"line {BROKEN_LINE}" in refusal.json()["message"]["en"]
    expect(page.locator("#code-error-message")).not_to_be_empty()
    expect(totals(page)).to_contain_text(f"Total params: {CIFAR_TOTAL}")  # nothing changed on the page
    # The caret is on that line, and the band behind the text lies exactly over it, in view.
    geometry = page.evaluate("""(line) => {
      const area = document.getElementById("code-input"), band = document.getElementById("code-band");
      const style = getComputedStyle(area), box = area.getBoundingClientRect(), mark = band.getBoundingClientRect();
      return {caretLine: area.value.slice(0, area.selectionStart).split("\\n").length, focused: document.activeElement === area,
              expected: box.top + parseFloat(style.paddingTop) + (line - 1) * parseFloat(style.lineHeight) - area.scrollTop,
              bandTop: mark.top, bandBottom: mark.bottom, areaTop: box.top, areaBottom: box.bottom, hidden: band.hidden};
    }""", BROKEN_LINE)
    assert geometry["caretLine"] == BROKEN_LINE and geometry["focused"], geometry
    assert not geometry["hidden"] and abs(geometry["bandTop"] - geometry["expected"]) < 1.5, geometry
    assert geometry["areaTop"] <= geometry["bandTop"] and geometry["bandBottom"] <= geometry["areaBottom"], geometry
    gutter = page.locator("#code-gutter").text_content().split("\n")
    assert gutter[BROKEN_LINE - 1] == str(BROKEN_LINE) and len(gutter) == BROKEN.count("\n") + 1
    shot(page, "code-dialog-error-1280x800-en")
    # Fixing the line and reading again works from the same box.
    page.locator("#code-input").fill(MNIST_CELL)
    expect(page.locator("#code-band")).to_be_hidden()
    dialog(page).get_by_role("button", name="Replace my model").click()
    expect(dialog(page)).to_be_hidden()
    expect(totals(page)).to_contain_text("Total params: 34,826 (")


def test_the_refusal_speaks_korean_with_the_line_number(new_page):
    page = new_page()
    open_page(page, path="/?lang=ko")
    paste(page, BROKEN, button="내 모델 바꾸기")
    expect(page.locator("#code-error-where")).to_contain_text(f"{BROKEN_LINE}행")
    refusal = page.request.post("/api/import", multipart={"code": BROKEN}).json()
    expect(page.locator("#code-error")).to_contain_text(refusal["message"]["ko"].split(":")[-1].strip()[:20])
    shot(page, "code-dialog-error-1280x800-ko")


def test_replace_is_one_undo_step_and_redo_brings_the_pasted_model_back(page):
    open_page(page)
    paste(page, MNIST_CELL)
    expect(totals(page)).to_contain_text("Total params: 34,826 (")
    page.locator("#undo").click()
    expect(totals(page)).to_contain_text(f"Total params: {CIFAR_TOTAL} (")
    expect(page.locator(".input-shape")).to_have_text("(None, 32, 32, 3)")
    page.locator("#redo").click()
    expect(totals(page)).to_contain_text("Total params: 34,826 (")


def test_add_puts_the_code_after_the_last_block_when_the_shapes_meet_and_explains_when_they_do_not(page):
    open_page(page, model=START)
    expect(totals(page)).to_contain_text("Total params: 80 (")  # (3·3·1 + 1)·8
    paste(page, RESIDUAL, button="Add to my model")
    expect(dialog(page)).to_be_hidden()
    expect(page.locator("#import-notice")).to_contain_text("Added 5 layers from your code after conv2d")
    expect(branches(page)).to_have_count(1)
    body = body_when(page, lambda body: len(body["layers"]) == 6)
    assert body["input_shape"] == [28, 28, 1] and body["layers"][0] == START["layers"][0]
    # 80 + (3·3·8 + 1)·16 + (8 + 1)·16 + (16 + 1)·10: the added layers' own parameters, nothing else changed
    expect(totals(page)).to_contain_text("Total params: 1,562 (")
    assert shapes(page, body)["total_params"] == 1_562
    page.locator("#undo").click()
    expect(totals(page)).to_contain_text("Total params: 80 (")
    expect(branches(page)).to_have_count(0)

    paste(page, MNIST_CELL, button="Add to my model")  # takes (28, 28, 1); the model ends with (28, 28, 8)
    expect(page.locator("#code-error")).to_contain_text(
        "Your model ends with (None, 28, 28, 8), but the pasted code starts from (None, 28, 28, 1)")
    expect(dialog(page)).to_be_visible()
    expect(totals(page)).to_contain_text("Total params: 80 (")


def test_a_dropped_py_file_opens_and_a_broken_one_opens_the_box_at_its_line(page):
    open_page(page)

    def drop(name: str, text: str) -> None:
        data = page.evaluate_handle("""([name, text]) => {
          const data = new DataTransfer();
          data.items.add(new File([text], name, { type: "text/x-python" }));
          return data;
        }""", [name, text])
        page.locator("#stack").dispatch_event("dragenter", {"dataTransfer": data})
        page.locator("#stack").dispatch_event("drop", {"dataTransfer": data})

    drop("mnist_convnet.py", MNIST_CELL)
    expect(page.locator("#import-notice")).to_contain_text("Opened mnist_convnet.py: 7 layers, as blocks")
    expect(totals(page)).to_contain_text("Total params: 34,826 (")
    drop("broken.py", BROKEN)
    expect(dialog(page)).to_be_visible()
    expect(page.locator("#code-input")).to_have_value(BROKEN)
    expect(page.locator("#code-error-where")).to_contain_text(f"Line {BROKEN_LINE}")
    expect(totals(page)).to_contain_text("Total params: 34,826 (")


def test_the_export_menu_downloads_what_the_export_route_answers_and_the_diagram_is_kept_to_look_at(page, new_page):
    open_page(page)
    body = PRESETS["cifar10"]
    files = {}
    for fmt, ext in (("python", ".py"), ("svg", ".svg"), ("png", ".png"), ("keras", ".keras")):
        page.locator("#export-menu summary").click()
        expect(page.locator("#export-list")).to_be_visible()
        with page.expect_download(timeout=180_000) as download:
            page.locator(f"[data-export={fmt}]").click()
        name = download.value.suggested_filename
        assert name.endswith(ext), name
        files[fmt] = Path(download.value.path()).read_bytes()
    assert files["python"] == exported(page, body, "python")
    assert files["svg"] == exported(page, body, "svg")
    assert files["svg"].lstrip().startswith((b"<svg", b"<?xml"))
    assert files["png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert files["keras"].startswith(b"PK")  # a zip: config.json, metadata.json, model.weights.h5
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "code-export-menu-cifar10.svg").write_bytes(files["svg"])
    (SHOTS / "code-export-menu-cifar10.png").write_bytes(files["png"])
    # The SVG as a browser draws it, to look at.
    viewer = new_page(viewport={"width": 900, "height": 1400})
    viewer.set_content(f"<body style='margin:0;background:#fff'>{files['svg'].decode()}</body>")
    viewer.locator("svg").first.screenshot(path=SHOTS / "code-export-menu-cifar10-svg.png")


def test_an_export_the_server_refuses_is_shown_with_its_words(page):
    open_page(page)
    page.route("**/api/export", lambda route: route.fulfill(status=422, json={
        "message": {"en": "layers[3] (dense) cannot be drawn: its name is 300 characters long",
                    "ko": "layers[3] (dense)의 이름이 너무 깁니다"}, "layer": 3, "name": "dense", "detail": []}))
    page.locator("#export-menu summary").click()
    page.locator("[data-export=png]").click()
    notice = page.locator("#import-notice")
    expect(notice).to_have_class(re.compile("is-error"))
    expect(notice).to_contain_text("Could not export Diagram (PNG): layers[3] (dense) cannot be drawn")


def test_the_export_menu_walks_with_the_arrow_keys_and_closes_with_escape(page):
    open_page(page)
    summary = page.locator("#export-menu summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(page.locator("[data-export=python]")).to_be_focused()
    page.keyboard.press("End")
    expect(page.locator("[data-export=png]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#export-list")).to_be_hidden()
    expect(summary).to_be_focused()


def python_text(page) -> str:
    view = page.locator("#python-text")
    expect(view).not_to_have_attribute("aria-busy", "true")
    return view.text_content()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_python_view_is_the_export_routes_text_exactly(new_page, lang):
    page = new_page()
    open_page(page, path=f"/?lang={lang}")
    page.locator("#tab-python").click()
    for preset in ("cifar10", "resnet_block", "inception"):
        load_preset(page, preset)
        text = exported(page, settled_body(page), "python", lang).decode()
        expect(page.locator("#python-text")).to_have_text(text)
        assert python_text(page) == text


def test_the_python_view_keeps_the_previous_text_dimmed_until_the_next_arrives(page):
    open_page(page)
    page.locator("#tab-python").click()
    first = python_text(page)
    held = []
    page.route("**/api/export", lambda route: held.append(route))
    load_preset(page, "lenet5")
    page.wait_for_timeout(400)  # past the debounce: the request is out, and held
    view = page.locator("#python-text")
    expect(view).to_have_class(re.compile(r"\bis-stale\b"))
    assert view.text_content() == first
    assert held, "the view asked the server for the new model's code"
    for route in held:
        route.continue_()
    page.unroute("**/api/export")
    expect(view).not_to_have_class(re.compile(r"\bis-stale\b"))
    assert python_text(page) == exported(page, settled_body(page), "python").decode()
    # Back to a model seen before: its text comes from memory at once, no request.
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/api/export" in request.url else None)
    page.locator("#undo").click()
    expect(view).to_have_text(first)
    assert asked == []


def test_a_finished_run_offers_its_training_code(page):
    open_page(page)
    load_preset(page, "shapes8")
    page.locator("#tab-train").click()
    datasets_listed(page)
    page.locator("[data-dataset=shapes]").click()
    page.locator("#tr-fit").click()
    page.locator("#tr-epochs").fill("1")
    page.locator("#tr-start").click()
    button = page.get_by_role("button", name="Download training code")
    expect(button).to_be_visible(timeout=300_000)
    run_id = re.search(r"Run (\w+):", page.locator("#tr-run-title").inner_text()).group(1)
    with page.expect_download() as download:
        button.click()
    code = Path(download.value.path()).read_text()
    assert download.value.suggested_filename == f"train_{run_id}.py"
    run = page.request.get(f"/api/runs/{run_id}").json()
    assert code.encode() == exported(page, run["request"]["model"], "python", run_id=run_id)
    assert "fit(" in code


def test_every_page_string_has_both_languages():
    en = json.loads((ROOT / "static/i18n/en.json").read_text(encoding="utf-8"))
    ko = json.loads((ROOT / "static/i18n/ko.json").read_text(encoding="utf-8"))
    assert sorted(en) == sorted(ko)
    assert not [key for key, text in ko.items() if not text.strip()]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("size", SIZES)
def test_the_dialog_and_the_export_menu_fit_without_overlapping_text(new_page, size, lang):
    page = sized_page(new_page, SIZES[size])
    open_page(page, path=f"/?lang={lang}")
    problems = {"page": page.evaluate(FIND_PROBLEMS) + page.evaluate(OVERLAY_PROBLEMS)}
    shot(page, f"code-toolbar-{size}-{lang}")

    page.locator("#export-menu summary").click()
    expect(page.locator("#export-list")).to_be_visible()
    problems["menu"] = page.evaluate(OVERLAY_PROBLEMS)
    shot(page, f"code-export-menu-{size}-{lang}")
    page.keyboard.press("Escape")

    page.locator("#paste-code").click()
    expect(dialog(page)).to_be_visible()
    problems["empty dialog"] = page.evaluate(OVERLAY_PROBLEMS)
    shot(page, f"code-dialog-empty-{size}-{lang}")
    page.locator("#code-sample").click()
    expect(page.locator("#code-input")).to_have_value(re.compile("mnist|MNIST|Conv2D"))
    problems["sample"] = page.evaluate(OVERLAY_PROBLEMS)
    page.locator("#code-input").fill(BROKEN)
    page.locator("#code-replace").click()
    expect(page.locator("#code-error")).to_be_visible()
    problems["refusal"] = page.evaluate(OVERLAY_PROBLEMS)
    shot(page, f"code-dialog-error-{size}-{lang}")
    page.keyboard.press("Escape")
    expect(dialog(page)).to_be_hidden()

    paste(page, MNIST_CELL, button="Replace my model" if lang == "en" else "내 모델 바꾸기")
    expect(page.locator("#import-notice")).to_be_visible()
    problems["notice"] = page.evaluate(FIND_PROBLEMS)
    shot(page, f"code-notice-{size}-{lang}")
    problems = {what: found for what, found in problems.items() if found}
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_axe_finds_no_serious_violation_in_the_dialog_the_menu_or_the_notice(new_page, lang):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = new_page()
    open_page(page, path=f"/?lang={lang}")

    def blocking() -> list:
        return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in axe.Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]

    found = {}
    page.locator("#export-menu summary").click()
    found["menu"] = blocking()
    page.keyboard.press("Escape")
    page.locator("#paste-code").click()
    page.locator("#code-input").fill(BROKEN)
    page.locator("#code-replace").click()
    expect(page.locator("#code-error")).to_be_visible()
    found["dialog"] = blocking()
    page.locator("#code-input").fill(MNIST_CELL)
    page.locator("#code-replace").click()
    expect(page.locator("#import-notice")).to_be_visible()
    found["notice"] = blocking()
    page.locator("#tab-python").click()
    expect(page.locator("#python-text")).not_to_have_attribute("aria-busy", "true")
    found["python view"] = blocking()
    found = {what: v for what, v in found.items() if v}
    assert not found, json.dumps(found, indent=1)
