"""The layout checker the fit tests share: no text a reader must read whole overlaps another or is cut off,
measured from the elements' boxes (blocks, lanes, merges, totals), not eyeballed."""

from __future__ import annotations

from blocks_page import totals
from playwright.sync_api import expect

# Everything a reader must read whole, and the pieces of a block that must not run into each other.
FIND_PROBLEMS = """() => {
  const texts = [".block-type", ".block-shape", ".block-params", ".block-config", ".total-line", ".total-facts dt",
                 ".total-facts dd", ".palette-name", ".tabs [role=tab]", ".topbar .btn", ".input-shape", ".branch-title",
                 ".branch-tools .btn", ".lane-name", ".lane-empty-box", ".merge-input", ".merge-kind", ".selection-text"];
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
    const parts = [...card.querySelectorAll(":scope > .block-brick, .block-title, .block-config, :scope > .block-stats, :scope > .block-actions")]
      .filter(shown).map((el) => [el, el.getBoundingClientRect()]);
    for (let i = 0; i < parts.length; i++) {
      for (let j = i + 1; j < parts.length; j++) {
        if (parts[i][0].contains(parts[j][0]) || parts[j][0].contains(parts[i][0])) continue;
        if (meet(parts[i][1], parts[j][1])) problems.push(`overlap in "${card.textContent.trim().slice(0, 40)}": `
          + `${parts[i][0].className} / ${parts[j][0].className}`);
      }
    }
  }
  for (const branch of document.querySelectorAll(".branch")) {
    const head = [...branch.querySelectorAll(":scope > .branch-head > *")].filter(shown).map((el) => [el, el.getBoundingClientRect()]);
    const lanes = [...branch.querySelectorAll(":scope > .lanes > .lane")].filter(shown).map((el) => [el, el.getBoundingClientRect()]);
    for (const group of [head, lanes]) {
      for (let i = 0; i < group.length; i++) {
        for (let j = i + 1; j < group.length; j++) {
          if (meet(group[i][1], group[j][1])) problems.push(`overlap in a branch: ${group[i][0].className} / ${group[j][0].className}`);
        }
      }
    }
    const frame = branch.getBoundingClientRect();
    for (const [el, box] of lanes) {
      if (box.right > frame.right + 1 || box.left < frame.left - 1) problems.push(`lane outside its branch: ${el.getAttribute("aria-label")}`);
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


