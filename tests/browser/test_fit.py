"""At projector, laptop, wide and phone sizes, in both languages, over every preset: no text overlaps another
or is cut off. Measured from the elements' boxes, not eyeballed; a screenshot of each size is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from blocks_page import open_page, totals
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PRESETS = [p["id"] for p in json.loads((ROOT / "static/data/presets.json").read_text())["presets"]]
SIZES = {"1024x768": (1024, 768), "1280x720": (1280, 720), "1920x1080": (1920, 1080), "phone": (390, 844)}

# Everything a reader must read whole, and the pieces of a block that must not run into each other.
FIND_PROBLEMS = """() => {
  const texts = [".block-type", ".block-shape", ".block-params", ".block-config", ".total-line", ".total-facts dt",
                 ".total-facts dd", ".palette-name", ".tabs [role=tab]", ".topbar .btn", ".input-shape"];
  const shown = (el) => el.offsetParent !== null && el.getClientRects().length > 0;
  const problems = [];
  for (const selector of texts) {
    for (const el of document.querySelectorAll(selector)) {
      if (shown(el) && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
        problems.push(`cut off: ${selector} "${el.textContent.trim()}"`);
      }
    }
  }
  const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (const card of document.querySelectorAll(".block-card")) {
    const parts = [...card.querySelectorAll(".block-brick, .block-title, .block-config, .block-stats, .block-actions")]
      .filter(shown).map((el) => [el, el.getBoundingClientRect()]);
    for (let i = 0; i < parts.length; i++) {
      for (let j = i + 1; j < parts.length; j++) {
        if (parts[i][0].contains(parts[j][0]) || parts[j][0].contains(parts[i][0])) continue;
        if (meet(parts[i][1], parts[j][1])) problems.push(`overlap in "${card.textContent.trim().slice(0, 40)}": `
          + `${parts[i][0].className} / ${parts[j][0].className}`);
      }
    }
  }
  const totalsBox = document.querySelector(".totals").getBoundingClientRect();
  for (const el of document.querySelectorAll(".totals-body > *")) {
    const box = el.getBoundingClientRect();
    if (shown(el) && (box.right > totalsBox.right + 1 || box.left < totalsBox.left - 1)) problems.push(`totals overflow: ${el.className}`);
  }
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth) problems.push("sideways scroll");
  return problems;
}"""


def load_preset(page, preset_id):
    page.locator("#presets-menu summary").click()
    page.locator(f"[data-preset={preset_id}]").click()
    expect(totals(page)).not_to_contain_text("…")  # the answer for this preset has been drawn


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("size", SIZES)
def test_no_text_overlaps_or_is_cut_off_over_every_preset(new_page, artifacts, size, lang):
    width, height = SIZES[size]
    phone = size == "phone"
    page = new_page(viewport={"width": width, "height": height}, has_touch=phone, is_mobile=phone)
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
