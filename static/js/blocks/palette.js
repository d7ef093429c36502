// The palette: every layer kind from the catalogue, grouped by category. Each entry is a button
// named by its Keras class ("Conv2D"): click or Enter adds it after the selected block (or at the end),
// dragging inserts it where dropped. By keyboard, focus then goes to the new block's first field.

import { startPaletteDrag } from "./dnd.js";
import { pick, t, tOr } from "../shared/i18n.js";

function entry(kind) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `palette-item cat-${kind.category}`;
  button.draggable = true;
  button.dataset.type = kind.type;
  button.setAttribute("aria-describedby", `palette-desc-${kind.type}`);
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  swatch.setAttribute("aria-hidden", "true");
  const name = document.createElement("span");
  name.className = "palette-name";
  name.textContent = kind.type;
  const description = document.createElement("span");
  description.className = "visually-hidden";
  description.id = `palette-desc-${kind.type}`;
  description.textContent = pick(kind.description);
  button.append(swatch, name, description);
  return button;
}

export function renderPalette(root, catalogue) {
  const groups = catalogue.categories.map((category) => {
    const section = document.createElement("section");
    section.className = "palette-group";
    const heading = document.createElement("h3");
    heading.id = `palette-cat-${category}`;
    heading.textContent = tOr(`category.${category}`, category);
    const list = document.createElement("ul");
    list.setAttribute("aria-labelledby", heading.id);
    for (const kind of catalogue.layers.filter((k) => k.category === category)) {
      const li = document.createElement("li");
      li.append(entry(kind));
      list.append(li);
    }
    section.append(heading, list);
    return section;
  });
  root.replaceChildren(...groups);
  root.removeAttribute("aria-busy");
}

/** Clicks add; drags carry the type; hover or focus previews the description below the list. */
export function wirePalette(root, preview, catalogue, { add }) {
  const kindFor = (target) => catalogue.byName.get(target.closest(".palette-item")?.dataset.type.toLowerCase());
  root.addEventListener("click", (event) => {
    const kind = kindFor(event.target);
    if (kind) add(kind.type, { toForm: event.detail === 0 }); // detail 0: Enter or Space, not a pointer
  });
  root.addEventListener("dragstart", (event) => {
    const kind = kindFor(event.target);
    if (kind) startPaletteDrag(event, kind.type);
  });
  const show = (event) => {
    const kind = kindFor(event.target);
    if (!kind) return;
    preview.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = kind.type;
    preview.append(strong, " ", pick(kind.description));
  };
  root.addEventListener("pointerover", show);
  root.addEventListener("focusin", show);
}

/** Narrow the palette to layers whose name, alias or description contains the text typed. */
export function wireFilter(input, root, catalogue) {
  const apply = () => {
    const query = input.value.trim().toLowerCase();
    for (const item of root.querySelectorAll(".palette-item")) {
      const kind = catalogue.byName.get(item.dataset.type.toLowerCase());
      const haystack = [kind.type, ...(kind.aliases ?? []), pick(kind.description)].join(" ").toLowerCase();
      item.parentElement.hidden = query !== "" && !haystack.includes(query);
    }
    for (const group of root.querySelectorAll(".palette-group")) {
      group.hidden = !group.querySelector("li:not([hidden])");
    }
    let none = root.querySelector(".palette-none");
    if (!none) {
      none = document.createElement("p");
      none.className = "palette-none";
      root.append(none);
    }
    none.textContent = t("palette.noMatch");
    none.hidden = Boolean(root.querySelector(".palette-group:not([hidden])"));
  };
  input.addEventListener("input", apply);
  return apply;
}
