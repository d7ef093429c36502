"""At projector, laptop, wide and phone sizes, in both languages, over every preset: no text overlaps another
or is cut off. Measured from the elements' boxes, not eyeballed; a screenshot of each size is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from blocks_page import open_page, sized_page
from fit_check import FIND_PROBLEMS, load_preset

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PRESETS = [p["id"] for p in json.loads((ROOT / "static/data/presets.json").read_text())["presets"]]
SIZES = {"1024x768": (1024, 768), "1280x720": (1280, 720), "1920x1080": (1920, 1080), "phone": (390, 844)}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("size", SIZES)
def test_no_text_overlaps_or_is_cut_off_over_every_preset(new_page, artifacts, size, lang):
    page = sized_page(new_page, SIZES[size])
    open_page(page, path=f"/?lang={lang}")
    problems = {}
    for preset in PRESETS:
        load_preset(page, preset)
        page.wait_for_timeout(50)  # one frame for layout after the answer
        found = page.evaluate(FIND_PROBLEMS)
        if found:
            problems[preset] = found
        if preset == "vgg16":
            page.screenshot(path=artifacts / f"fit-{size}-{lang}-vgg16.png")
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
