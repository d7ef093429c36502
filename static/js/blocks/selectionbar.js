// The bar above the model for what is selected: wrap the block (or a Shift-picked run) in a branch,
// collapse a run or a branch into one block; for a lane, a word that the palette now adds into it.

import { el } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { locate, runOf } from "../model/model.js";

function button(actionName, text, disabled = false) {
  return el("button", { type: "button", class: "btn btn-mini", "data-bar": actionName, disabled }, text);
}

export function renderSelectionBar(bar, { model, selected, range }) {
  const lane = typeof selected === "string" && selected.includes(":") ? locate(model, selected.split(":")[0]) : null;
  const found = selected && !lane && !model.graph ? locate(model, selected) : null;
  bar.hidden = !(lane || found);
  if (bar.hidden) return bar.replaceChildren();
  if (lane) {
    const index = Number(selected.split(":").pop()) + 1;
    bar.replaceChildren(el("p", { class: "selection-text", text: t("selection.lane", { lane: index }) }));
    return;
  }
  const run = runOf(model, range ?? [selected]);
  const count = run ? run.to - run.from + 1 : 1;
  const name = model.names.get(selected) ?? "";
  const collapsible = count > 1 || found.role === "merge";
  bar.replaceChildren(
    el("p", { class: "selection-text", text: count > 1 ? t("selection.count", { count }) : t("selection.one", { name }) }),
    el("div", { class: "selection-actions" },
      button("wrap", count > 1 ? t("selection.wrapMany") : t("selection.wrap"), !run),
      button("collapse", found.role === "merge" && count === 1 ? t("selection.collapseBranch") : t("selection.collapse"), !collapsible)),
    el("p", { class: "selection-hint", text: t("selection.hint") }));
}

export function wireSelectionBar(bar, intents) {
  bar.addEventListener("click", (event) => {
    const act = event.target.closest("[data-bar]")?.dataset.bar;
    if (act === "wrap") intents.wrap();
    else if (act === "collapse") intents.collapseSelection();
  });
}
