// The bar above the model for what is selected: wrap the block (or a Shift-picked run) in a branch,
// collapse a run or a branch into one block; for a lane, a word that the palette now adds into it.

import { el } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { locate, runOf } from "../model/model.js";

function button(actionName, text, disabled = false) {
  return el("button", { type: "button", class: `btn btn-mini bar-${actionName}`, "data-bar": actionName, disabled }, text);
}

/** Always there (so selecting never shifts the blocks below it), with what the selection allows. */
export function renderSelectionBar(bar, { model, selected, range, collapsed }, focusKey = null) {
  const had = bar.contains(document.activeElement) ? document.activeElement.dataset.bar : null;
  draw(bar, { model, selected, range, collapsed });
  const wanted = focusKey?.startsWith("bar:") ? focusKey.slice(4) : had;
  const target = wanted && bar.querySelector(`[data-bar="${wanted}"]:not(:disabled)`);
  if (target) target.focus();
}

function draw(bar, { model, selected, range, collapsed }) {
  bar.hidden = model.graph;
  if (bar.hidden) return bar.replaceChildren();
  const lane = typeof selected === "string" && selected.includes(":") ? locate(model, selected.split(":")[0]) : null;
  const found = selected && !lane ? locate(model, selected) : null;
  const run = found ? runOf(model, range ?? [selected]) : null;
  const count = run ? run.to - run.from + 1 : 0;
  let text = t("selection.none");
  if (lane) text = t("selection.lane", { lane: Number(selected.split(":").pop()) + 1 });
  else if (count > 1) text = t("selection.count", { count });
  else if (found) text = t("selection.one", { name: model.names.get(selected) ?? "" });
  const branchOnly = count === 1 && found.role === "merge";
  bar.replaceChildren(
    el("p", { class: `selection-text${lane || found ? "" : " is-hint"}`, text }),
    el("div", { class: "selection-actions" },
      button("wrap", count > 1 ? t("selection.wrapMany") : t("selection.wrap"), !run),
      button("collapse", branchOnly ? t("selection.collapseBranch") : count > 1 ? t("selection.collapseMany", { count }) : t("selection.collapse"),
        !(count > 1 || branchOnly)),
      ...allToggle(model, collapsed)));
}

/** One button for every branch at once: collapse them all while any is open, else open them all. */
function allToggle(model, collapsed) {
  const top = model.items.filter((item) => item.lanes);
  if (!top.length) return [];
  const anyOpen = top.some((item) => !collapsed.has(item.id));
  return [anyOpen ? button("collapse-all", t("selection.collapseAll")) : button("open-all", t("selection.openAll"))];
}

export function wireSelectionBar(bar, intents) {
  bar.addEventListener("click", (event) => {
    const act = event.target.closest("[data-bar]")?.dataset.bar;
    if (act === "wrap") intents.wrap();
    else if (act === "collapse") intents.collapseSelection();
    else if (act === "collapse-all") intents.collapseAll(true);
    else if (act === "open-all") intents.collapseAll(false);
  });
}
