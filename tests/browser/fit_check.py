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




# The Paste code dialog and the Export menu, when open: inside the window, nothing in them overlapping or cut off,
# the dialog showing everything without scrolling; and the toolbar on one row beside the brand on a desktop.
OVERLAY_PROBLEMS = """() => {
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const problems = [];
  const inside = (el, what) => {
    const box = el.getBoundingClientRect();
    if (box.left < -1 || box.top < -1 || box.right > innerWidth + 1 || box.bottom > innerHeight + 1) {
      problems.push(`${what} outside the window: ${JSON.stringify([box.left, box.top, box.right, box.bottom].map(Math.round))}`);
    }
  };
  const apart = (selector) => {
    const els = [...document.querySelectorAll(selector)].filter(shown);
    for (let i = 0; i < els.length; i++) {
      for (let j = i + 1; j < els.length; j++) {
        if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
        if (meet(els[i].getBoundingClientRect(), els[j].getBoundingClientRect())) {
          problems.push(`overlap: ${els[i].className || els[i].id} / ${els[j].className || els[j].id}`);
        }
      }
    }
  };
  const whole = (selector) => {
    for (const el of document.querySelectorAll(selector)) {
      if (shown(el) && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
        problems.push(`cut off: ${selector} "${el.textContent.trim().slice(0, 40)}"`);
      }
    }
  };
  const dialog = document.querySelector(".code-dialog[open]");
  if (dialog) {
    inside(dialog, "the dialog");
    const box = dialog.querySelector(".code-dialog-box");
    if (box.scrollHeight > box.clientHeight + 1) problems.push("the dialog scrolls");
    apart(".code-dialog-box > *");
    apart(".code-dialog-foot > *, .code-dialog-actions .btn, .code-dialog-aside > *");
    whole(".code-dialog .btn, .code-dialog-head h2, .code-error-where, .code-dialog .link-btn, .code-dialog-status");
  }
  const panel = document.querySelector(".export-menu[open] .menu-panel");
  if (panel) {
    inside(panel, "the export menu");
    apart(".export-item");
    whole(".export-name, .export-text, .export-ext");
  }
  const topbar = document.querySelector(".topbar");
  if (innerWidth > 860 && topbar.offsetHeight > 62) problems.push(`the toolbar wraps: the top bar is ${topbar.offsetHeight}px tall`);
  whole(".topbar .btn");
  return problems;
}"""
