"""The drawing's layout, without TensorFlow and without rendering: lanes nest as the page nests them, every text is
at least 12 px and inside its card, nothing leaves the canvas, cards in a stack never overlap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.config import Settings
from app.core.engine import infer_model
from app.core.export.layout import layout
from app.core.export.shapes2d import Box, Group, Label
from app.core.export.tree import Branch, nest
from app.core.spec import ModelSpec, validate_model

ROOT = Path(__file__).resolve().parents[2]
PRESETS = {p["id"]: p["model"] for p in json.loads((ROOT / "static/data/presets.json").read_text())["presets"]}


def result_of(model: dict):
    return infer_model(validate_model(ModelSpec.model_validate(model), Settings()))


def flat(shapes):
    for shape in shapes:
        if isinstance(shape, Group):
            yield from flat(shape.shapes)
        else:
            yield shape


def test_branches_nest_into_lanes_as_on_the_page():
    assert nest(result_of(PRESETS["resnet_block"]).model) == [Branch(((0, 1, 2, 3, 4), ()), 5), 6]
    assert nest(result_of(PRESETS["inception"]).model) == [Branch(((0,), (1, 2), (3, 4), (5, 6)), 7)]
    assert nest(result_of(PRESETS["cifar10"]).model) == list(range(8))
    unet = nest(result_of(PRESETS["unet"]).model)
    assert isinstance(unet[2], Branch) and isinstance(unet[2].lanes[0][3], Branch)  # a skip inside a skip


@pytest.mark.parametrize("model", [
    {"input_shape": [8, 8, 3], "layers": [{"type": "Conv2D", "filters": 3, "kernel_size": 1},
                                          {"type": "Add", "inputs": ["input", "conv2d"]},
                                          {"type": "Add", "inputs": ["add", "conv2d"]}]},  # crosses a lane
    {"input_shape": [8, 8, 3], "layers": [{"type": "Conv2D", "filters": 3, "kernel_size": 1},
                                          {"type": "Flatten", "inputs": ["input"]}]},  # conv2d leads nowhere
])
def test_graphs_that_do_not_nest_are_none(model):
    assert nest(result_of(model).model) is None


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_text_is_legible_and_everything_stays_on_the_canvas(preset, lang):
    drawing = layout(result_of(PRESETS[preset]), lang)
    shapes = list(flat(drawing.shapes))
    for shape in shapes:
        if isinstance(shape, Box):
            assert 0 <= shape.x and shape.x + shape.w <= drawing.width + 0.01
            assert 0 <= shape.y and shape.y + shape.h <= drawing.height + 0.01
        if isinstance(shape, Label):
            assert shape.font.size >= 12
            assert 0 < shape.x < drawing.width and 0 < shape.y < drawing.height


def test_cards_in_a_stack_do_not_overlap_and_texts_stay_inside_their_card():
    drawing = layout(result_of(PRESETS["vgg16"]), "en")
    cards = [g for g in drawing.shapes if isinstance(g, Group) and g.kind in ("layer", "input")]
    boxes = [g.shapes[0] for g in cards]
    assert len(cards) == 23
    for above, below in zip(boxes, boxes[1:]):
        assert above.y + above.h < below.y
    from app.core.export.fonts import width
    for card, box in zip(cards, boxes):
        for label in (s for s in card.shapes if isinstance(s, Label)):
            left = label.x - (width(label.text, label.font) if label.anchor == "end" else 0)
            right = label.x + (width(label.text, label.font) if label.anchor == "start" else 0)
            assert box.x <= left and right <= box.x + box.w, label.text


def test_a_long_name_is_cut_with_an_ellipsis_and_kept_whole_in_a_title():
    name = "a_layer_name_much_too_long_for_any_block_" * 3
    drawing = layout(result_of({"input_shape": [4], "layers": [{"type": "Dense", "units": 2, "name": name[:100]}]}))
    label = next(s for s in flat(drawing.shapes) if isinstance(s, Label) and s.full == name[:100])
    assert label.text.endswith("…") and name.startswith(label.text[:-1])
