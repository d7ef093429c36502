"""Branches as Lego: lanes side by side closed by a merge block, built by dragging and by keyboard; the merge
shows each incoming shape and turns red when they disagree; presets with skip connections, links and
undo keep the lanes; branches and runs collapse into one block; a graph that does not nest into lanes is
shown read-only as rows; model files open from the toolbar or by dropping them on the page."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from blocks_page import (
    blocks,
    body_when,
    branches,
    expect_model_in_url,
    field,
    lanes,
    merge_of,
    named,
    open_page,
    palette_button,
    sized_page,
    tab_to,
    totals,
)
from fit_check import FIND_PROBLEMS, load_preset
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PRESETS = {p["id"]: p for p in json.loads((ROOT / "static/data/presets.json").read_text())["presets"]}
BRANCHED = [pid for pid, p in PRESETS.items() if any("inputs" in layer for layer in p["model"]["layers"])]
SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def api_totals(page, body: dict) -> dict:
    answer = page.request.post("/api/shapes", data=body)
    assert answer.ok, answer.text()
    return answer.json()


def drag(source, target, **options) -> None:
    """Drag with the source in the middle of its scrolling column, clear of the sticky bars above and below."""
    source.evaluate("el => el.scrollIntoView({block: 'center'})")
    source.drag_to(target, **options)


def drop_below(source, target) -> None:
    """Drag `source` onto the lower edge of `target`: it lands right after it."""
    height = target.bounding_box()["height"]
    drag(source, target, target_position={"x": 60, "y": height - 3})


def test_a_resnet_block_built_by_dragging_turns_red_on_mismatched_shapes_and_green_when_fixed(page):
    open_page(page, model={"input_shape": [32, 32, 32], "layers": [{"type": "ReLU"}]})
    palette_button(page, "Add").drag_to(blocks(page).first, target_position={"x": 200, "y": 4})
    expect(branches(page)).to_have_count(1)
    branch = branches(page).first
    expect(lanes(branch)).to_have_count(2)
    expect(lanes(branch).nth(1)).to_contain_text("Shortcut")

    palette_button(page, "Conv2D").drag_to(lanes(branch).nth(0).locator(".lane-empty"))
    expect(named(page, "conv2d")).to_contain_text("(None, 30, 30, 32)")
    merge = merge_of(branch)
    expect(merge).to_have_class(re.compile(r"\bis-error\b"))
    expect(merge).to_contain_text("Add needs inputs of one shape; it gets (None, 30, 30, 32) from conv2d")
    expect(merge.locator(".merge-input.is-mismatch")).to_have_count(1)
    expect(merge.locator(".merge-input").nth(0)).to_contain_text("(None, 30, 30, 32)")
    expect(merge.locator(".merge-input").nth(1)).to_contain_text("(None, 32, 32, 32)")
    shot(page, "branch-drag-red")

    drop_below(palette_button(page, "BatchNormalization"), named(page, "conv2d"))
    expect(lanes(branch).nth(0).locator(".block")).to_have_count(2)
    expect(lanes(branch).nth(0).locator(".block").nth(1)).to_contain_text("batch_normalization")

    named(page, "conv2d").locator(".block-select").click()
    field(page, "padding").select_option("same")
    expect(merge).to_have_class(re.compile(r"\bis-ok\b"))
    expect(merge.locator(".merge-input.is-mismatch")).to_have_count(0)
    expect(merge.locator(".merge-input").nth(0)).to_contain_text("(None, 32, 32, 32)")
    expect(named(page, "add")).to_contain_text("(None, 32, 32, 32)")
    shot(page, "branch-drag-green")

    body = {"input_shape": [32, 32, 32], "layers": [
        {"type": "Conv2D", "filters": 32, "kernel_size": 3, "padding": "same"},
        {"type": "BatchNormalization"},
        {"type": "Add", "inputs": ["batch_normalization", "input"]},
        {"type": "ReLU"},
    ]}
    expect_model_in_url(page, body)
    expected = api_totals(page, body)["total_params"]
    expect(totals(page)).to_contain_text(f"Total params: {expected:,} (")


def test_a_resnet_block_built_by_keyboard_alone(page):
    open_page(page, model={"input_shape": [32, 32, 64], "layers": []})
    tab_to(page, palette_button(page, "Add"))
    page.keyboard.press("Enter")  # a branch of two lanes; the palette now adds into lane 1
    expect(branches(page)).to_have_count(1)
    expect(page.locator("#selection-bar")).to_contain_text("Lane 1 selected")
    for layer_type in ("Conv2D", "BatchNormalization", "ReLU", "Conv2D", "BatchNormalization"):
        tab_to(page, palette_button(page, layer_type))
        page.keyboard.press("Enter")
        if layer_type == "Conv2D":
            expect(field(page, "filters")).to_be_focused()
            page.keyboard.press("Control+A")
            page.keyboard.type("64")
            tab_to(page, field(page, "padding"))
            page.keyboard.type("same")
            expect(field(page, "padding")).to_have_value("same")
    branch = branches(page).first
    expect(lanes(branch).nth(0).locator(".block")).to_have_count(5)
    expect(lanes(branch).nth(1).locator(".block")).to_have_count(0)
    merge = merge_of(branch)
    expect(merge).to_have_class(re.compile(r"\bis-ok\b"))
    tab_to(page, merge.locator(".block-select"))
    page.keyboard.press("Enter")  # the merge selected: the palette adds after the branch
    tab_to(page, palette_button(page, "ReLU"))
    page.keyboard.press("Enter")
    expect(named(page, "re_lu_1")).to_be_visible()
    expect(branch.locator(".block", has_text="re_lu_1")).to_have_count(0)
    expect(totals(page)).to_contain_text("Total params: 74,368 (290.50 KB)")
    layers = body_when(page, lambda body: len(body["layers"]) == 7)["layers"]
    assert layers[5] == {"type": "Add", "inputs": ["batch_normalization_1", "input"]}
    assert layers[6] == {"type": "ReLU"}
    shot(page, "branch-keyboard")


def test_wrapping_a_block_adding_a_lane_and_switching_the_merge_are_undoable(page):
    open_page(page, model={"input_shape": [16, 16, 8], "layers": [
        {"type": "Conv2D", "filters": 16, "kernel_size": 3, "padding": "same"}, {"type": "Flatten"}]})
    named(page, "conv2d").locator(".block-select").click()
    page.locator("#selection-bar").get_by_role("button", name="Wrap in a branch").click()
    branch = branches(page).first
    expect(lanes(branch).nth(0)).to_contain_text("conv2d")
    merge = merge_of(branch)
    expect(merge).to_have_class(re.compile(r"\bis-error\b"))  # 16 channels + a shortcut of 8
    merge.locator("select.merge-kind").select_option("Concatenate")
    expect(merge).to_have_class(re.compile(r"\bis-ok\b"))
    expect(named(page, "concatenate")).to_contain_text("(None, 16, 16, 24)")
    branch.get_by_role("button", name="Lane", exact=True).click()
    expect(lanes(branch)).to_have_count(3)
    expect(named(page, "concatenate")).to_contain_text("(None, 16, 16, 32)")
    page.keyboard.press("Control+Z")
    expect(lanes(branch)).to_have_count(2)
    page.keyboard.press("Control+Z")
    expect(merge_of(branches(page).first).locator("select.merge-kind")).to_have_value("Add")
    page.keyboard.press("Control+Z")
    expect(branches(page)).to_have_count(0)
    page.keyboard.press("Control+Shift+Z")
    expect(branches(page)).to_have_count(1)


def test_shift_picks_a_run_that_wraps_into_one_lane(page):
    open_page(page, model={"input_shape": [8, 8, 4], "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 1}, {"type": "ReLU"}, {"type": "Conv2D", "filters": 4, "kernel_size": 1},
        {"type": "Flatten"}]})
    named(page, "conv2d").locator(".block-select").click()
    named(page, "conv2d_1").locator(".block-select").click(modifiers=["Shift"])
    expect(page.locator("#selection-bar")).to_contain_text("3 blocks selected")
    page.locator("#selection-bar").get_by_role("button", name="Wrap them in a branch").click()
    expect(lanes(branches(page).first).nth(0).locator(".block")).to_have_count(3)
    body_when(page, lambda body: body["layers"][3] == {"type": "Add", "inputs": ["conv2d_1", "input"]})


def test_blocks_move_between_lanes_and_a_branch_moves_whole(page):
    open_page(page, model=PRESETS["resnet_block"]["model"])
    branch = branches(page).first
    relu = named(page, "re_lu")
    drag(relu, lanes(branch).nth(1).locator(".lane-empty"))
    expect(lanes(branch).nth(1).locator(".block")).to_have_count(1)
    expect(lanes(branch).nth(0).locator(".block")).to_have_count(4)
    expect(lanes(branch).nth(1)).to_contain_text("re_lu")
    # Alt+arrows move within a lane; plain arrows walk on across lanes and out to the merge
    named(page, "conv2d_1").locator(".block-select").focus()
    page.keyboard.press("Alt+ArrowUp")
    expect(lanes(branch).nth(0).locator(".block").nth(1)).to_contain_text("conv2d_1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(named(page, "re_lu").locator(".block-select")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(merge_of(branch).locator(".block-select")).to_be_focused()
    # the branch, held by its frame, moves below the last block as one piece
    drop_below(branch.locator(".branch-head"), named(page, "re_lu_1"))
    expect(blocks(page).first).to_contain_text("ReLU")
    expect(branches(page)).to_have_count(1)
    moved = ["ReLU", "Conv2D", "Conv2D", "BatchNormalization", "BatchNormalization", "ReLU", "Add"]
    body_when(page, lambda body: [layer["type"] for layer in body["layers"]] == moved)
    page.keyboard.press("Control+Z")
    expect(lanes(branches(page).first).nth(1).locator(".block")).to_have_count(1)


@pytest.mark.parametrize("preset_id", BRANCHED)
def test_each_branch_preset_loads_with_the_apis_totals(page, preset_id):
    open_page(page)
    load_preset(page, preset_id)
    body = PRESETS[preset_id]["model"]
    answer = api_totals(page, body)
    assert answer["valid"], answer["error"]
    expect(totals(page)).to_contain_text(f"Total params: {answer['total_params']:,} (")
    expect(totals(page)).to_contain_text(f"Trainable params: {answer['trainable_params']:,} (")
    expect(page.locator(".merge-block.is-error, .block.is-error")).to_have_count(0)
    expect_model_in_url(page, body)  # the page's body is the preset's, byte for byte


def test_a_link_round_trip_keeps_the_lanes_and_nesting(page):
    unet = PRESETS["unet"]["model"]
    open_page(page, model=unet)
    expect(branches(page)).to_have_count(2)
    outer = branches(page).first
    expect(lanes(outer).nth(0).locator(".branch")).to_have_count(1)  # the deeper skip nests in the outer lane
    expect(lanes(outer).nth(1).locator(".lane-empty")).to_be_visible()
    expect_model_in_url(page, unet)
    page.reload()
    expect(branches(page)).to_have_count(2)
    expect(lanes(branches(page).first).nth(0).locator(".branch")).to_have_count(1)
    expect_model_in_url(page, unet)
    branches(page).first.get_by_role("button", name="Lane", exact=True).first.click()  # an edit: saved in the browser
    expect(lanes(branches(page).first)).to_have_count(3)
    again = page.context.new_page()  # no link: the model comes back from the browser's storage, lanes and all
    again.goto("/")
    expect(branches(again)).to_have_count(2)
    expect(lanes(branches(again).first)).to_have_count(3)
    expect(lanes(branches(again).first).nth(0).locator(".branch")).to_have_count(1)


def test_a_graph_that_does_not_nest_is_shown_read_only_with_its_connections(page):
    cross = {"input_shape": [8], "layers": [
        {"type": "Dense", "units": 4}, {"type": "Dense", "units": 4},
        {"type": "Add", "inputs": ["dense", "dense_1"]}, {"type": "Add", "inputs": ["add", "dense"]}]}
    open_page(page, model=cross)
    rows = page.locator(".graph-row")
    expect(rows).to_have_count(4)
    expect(page.locator("#graph-notice")).to_be_visible()
    expect(rows.nth(3).locator(".merge-input")).to_have_count(2)
    expect(rows.nth(3)).to_contain_text("add")
    expect(rows.nth(3)).to_contain_text("(None, 4)")
    expect(totals(page)).to_contain_text("Total params: 56 (")
    palette_button(page, "Dense").click()
    expect(page.locator("#toast")).to_contain_text("read-only")
    expect(rows).to_have_count(4)
    expect_model_in_url(page, cross)


def test_a_branch_and_a_run_collapse_into_one_block_and_open_again(page):
    open_page(page)
    load_preset(page, "resnet20")
    first = branches(page).first
    first.get_by_role("button", name=re.compile("^Collapse the branch")).click()
    collapsed = page.locator(".collapsed-block").first
    expect(collapsed.locator(".block-type")).to_have_text("Branch → Add")
    expect(collapsed.locator(".block-name")).to_have_text("add")
    expect(collapsed).to_contain_text("(None, 32, 32, 16)")
    expect(collapsed).to_contain_text("4,768")  # 2 × (3·3·16·16 + 16) + 2 × 64 for the two BatchNormalizations
    expect(branches(page)).to_have_count(8)
    collapsed.get_by_role("button", name=re.compile("^Open")).click()
    expect(branches(page)).to_have_count(9)
    # a run: Shift picks three blocks of the stem, which fold into one
    named(page, "conv2d").locator(".block-select").click()
    named(page, "re_lu").locator(".block-select").click(modifiers=["Shift"])
    page.locator("#selection-bar").get_by_role("button", name="Collapse 3 blocks").click()
    run = page.locator(".collapsed-block")
    expect(run).to_have_count(1)
    expect(run).to_contain_text("3 layers")
    expect(run).to_contain_text("conv2d … re_lu")
    expect(named(page, "conv2d")).to_have_count(0)
    run.get_by_role("button", name=re.compile("^Open")).click()
    expect(named(page, "conv2d")).to_be_visible()


def test_a_large_model_opens_with_its_branches_collapsed(page):
    layers = [{"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same"}]
    for i in range(40):  # 40 residual blocks: 161 layers
        layers += [{"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same"},
                   {"type": "BatchNormalization"},
                   {"type": "ReLU"},
                   {"type": "Add", "inputs": ["re_lu" if i == 0 else f"re_lu_{i}", "conv2d" if i == 0 else ("add" if i == 1 else f"add_{i - 1}")]}]
    body = {"input_shape": [32, 32, 3], "layers": layers}
    open_page(page, model=body)
    expect(page.locator(".collapsed-block")).to_have_count(40)
    expect(branches(page)).to_have_count(0)
    expect(totals(page)).to_contain_text(f"Total params: {api_totals(page, body)['total_params']:,} (")
    expect_model_in_url(page, body)


IMPORTED = {"input_shape": [32, 32, 16], "layers": [
    {"type": "Conv2D", "name": "block1_conv", "filters": 16, "kernel_size": [3, 3], "padding": "same"},
    {"type": "Add", "name": "block1_add", "inputs": ["block1_conv", "input"]},
    {"type": "GlobalAveragePooling2D", "name": "pool"}]}


def test_opening_a_model_file_replaces_the_model_with_its_notes_and_undo_brings_it_back(page):
    open_page(page)
    page.route("**/api/import", lambda route: route.fulfill(json={
        "model": IMPORTED, "notes": [{"en": "dropped the optimizer", "ko": "옵티마이저를 뺐습니다"}]}))
    page.set_input_files("#open-file-input", files=[{"name": "small.keras", "mimeType": "application/zip", "buffer": b"PK"}])
    notice = page.locator("#import-notice")
    expect(notice).to_contain_text("Opened small.keras: 3 layers")
    expect(notice).to_contain_text("dropped the optimizer")
    expect(branches(page)).to_have_count(1)
    expect(named(page, "block1_add")).to_contain_text("(None, 32, 32, 16)")
    expect_model_in_url(page, IMPORTED)
    page.keyboard.press("Control+Z")
    expect(totals(page)).to_contain_text("Total params: 122,570")


def test_a_model_file_dropped_on_the_page_opens_and_a_refusal_says_why(page):
    open_page(page)
    replies = iter([
        {"status": 422, "json": {"message": {"en": "layer 3 is a Lambda layer, which runs code; it cannot be opened",
                                             "ko": "람다"}, "layer": 3, "name": "lambda", "detail": []}},
        {"status": 200, "json": {"model": IMPORTED, "notes": []}},
    ])
    page.route("**/api/import", lambda route: route.fulfill(**next(replies)))

    def drop(name: str) -> None:
        data = page.evaluate_handle("""(name) => {
          const data = new DataTransfer();
          data.items.add(new File(["{}"], name, { type: "application/json" }));
          return data;
        }""", name)
        page.locator("#stack").dispatch_event("dragenter", {"dataTransfer": data})
        expect(page.locator(".file-drop")).to_be_visible()
        page.locator("#stack").dispatch_event("drop", {"dataTransfer": data})

    drop("evil.json")
    notice = page.locator("#import-notice")
    expect(notice).to_have_class(re.compile("is-error"))
    expect(notice).to_contain_text("Could not open evil.json: layer 3 is a Lambda layer")
    expect(totals(page)).to_contain_text("Total params: 122,570")
    drop("model.json")
    expect(notice).to_contain_text("Opened model.json")
    expect(named(page, "block1_add")).to_be_visible()
    expect(page.locator(".file-drop")).to_be_hidden()


def keras_layer(class_name: str, name: str, *inputs: str, **config) -> dict:
    """A layer of a Keras 3 functional config.json, as model.save() writes it."""
    tensors = [{"class_name": "__keras_tensor__", "config": {"shape": [None, 8, 8, 4], "dtype": "float32",
                                                             "keras_history": [source, 0, 0]}} for source in inputs]
    return {"module": "keras.layers", "class_name": class_name, "registered_name": None, "name": name,
            "config": {"name": name, "trainable": True, **config},
            "inbound_nodes": [{"args": [tensors if len(tensors) > 1 else tensors[0]], "kwargs": {}}]}


def keras_file(*layers: dict) -> bytes:
    source = {"module": "keras.layers", "class_name": "InputLayer", "name": "input_layer", "inbound_nodes": [],
              "config": {"batch_shape": [None, 8, 8, 4], "dtype": "float32", "name": "input_layer"}}
    config = {"module": "keras", "class_name": "Functional", "config": {
        "name": "small", "layers": [source, *layers], "input_layers": ["input_layer", 0, 0],
        "output_layers": [layers[-1]["name"], 0, 0]}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        archive.writestr("config.json", json.dumps(config))
    return buffer.getvalue()


def test_a_real_keras_file_opens_as_blocks_or_rows_and_a_lambda_is_refused(page):
    open_page(page)

    def open_file(name: str, data: bytes) -> None:
        page.set_input_files("#open-file-input", files=[{"name": name, "mimeType": "application/zip", "buffer": data}])

    open_file("residual.keras", keras_file(
        keras_layer("Conv2D", "conv", "input_layer", filters=4, kernel_size=[3, 3], padding="same"),
        keras_layer("Add", "add", "conv", "input_layer"),
        keras_layer("Flatten", "flatten", "add")))
    expect(page.locator("#import-notice")).to_contain_text("Opened residual.keras: 3 layers, as blocks")
    expect(branches(page)).to_have_count(1)
    expect(merge_of(branches(page).first)).to_contain_text("(None, 8, 8, 4)")
    expect(totals(page)).to_contain_text("Total params: 148 (")  # (3·3·4 + 1)·4

    open_file("cells.keras", keras_file(  # two cells that each take both earlier outputs: no lanes can hold it
        keras_layer("Conv2D", "a", "input_layer", filters=4, kernel_size=[1, 1]),
        keras_layer("Conv2D", "b", "a", filters=4, kernel_size=[1, 1]),
        keras_layer("Add", "cell1", "a", "b"),
        keras_layer("Add", "cell2", "cell1", "a")))
    expect(page.locator("#import-notice")).to_contain_text("shown as rows")
    expect(page.locator(".graph-row")).to_have_count(4)
    expect(page.locator(".graph-row").nth(3)).to_contain_text("cell1")

    open_file("evil.keras", keras_file(keras_layer("Lambda", "evil", "input_layer", function="os.system")))
    notice = page.locator("#import-notice")
    expect(notice).to_have_class(re.compile("is-error"))
    expect(notice).to_contain_text("Could not open evil.keras")
    expect(notice).to_contain_text("Lambda")
    expect(page.locator(".graph-row")).to_have_count(4)  # the model on the page is left as it was


SIZES = {"1024x768": (1024, 768), "1280x800": (1280, 800), "phone": (390, 844)}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("size", SIZES)
def test_branch_presets_fit_without_overlapping_text(new_page, size, lang):
    page = sized_page(new_page, SIZES[size])
    open_page(page, path=f"/?lang={lang}")
    problems = {}
    for preset in BRANCHED:
        load_preset(page, preset)
        page.wait_for_timeout(50)  # one frame for layout after the answer
        found = page.evaluate(FIND_PROBLEMS)
        if found:
            problems[preset] = found
        if preset in ("inception", "resnet_block"):
            shot(page, f"fit-{preset}-{size}-{lang}")
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
