// Presets: classic models kept as data (static/data/presets.json), one click each.

import { fetchJSON } from "../shared/api.js";
import { pick } from "../shared/i18n.js";

export async function loadPresets() {
  return (await fetchJSON("/static/data/presets.json")).presets;
}

export function renderPresets(list, presets) {
  list.replaceChildren(...presets.map((preset) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "preset";
    button.dataset.preset = preset.id;
    const title = document.createElement("span");
    title.className = "preset-title";
    title.textContent = pick(preset.title);
    const text = document.createElement("span");
    text.className = "preset-text";
    text.textContent = pick(preset.description);
    button.append(title, text);
    li.append(button);
    return li;
  }));
}

const ARROWS = { ArrowDown: 1, ArrowUp: -1, Home: -Infinity, End: Infinity };

/** Arrow keys walk the list (from the menu button, Down enters it), Home and End jump to its ends. */
function moveAmongPresets(menu, step) {
  const buttons = [...menu.querySelectorAll("[data-preset]")];
  const at = buttons.indexOf(document.activeElement);
  const from = at < 0 ? (step > 0 ? -1 : buttons.length) : at;
  const to = Math.max(0, Math.min(buttons.length - 1, Number.isFinite(step) ? from + step : step < 0 ? 0 : buttons.length - 1));
  buttons[to]?.focus();
}

export function wirePresets(menu, presets, { load }) {
  menu.addEventListener("click", (event) => {
    const button = event.target.closest("[data-preset]");
    if (!button) return;
    const preset = presets.find((p) => p.id === button.dataset.preset);
    menu.open = false;
    load(preset);
    menu.querySelector("summary").focus();
  });
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    } else if (menu.open && event.key in ARROWS) {
      event.preventDefault();
      moveAmongPresets(menu, ARROWS[event.key]);
    }
  });
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
}
