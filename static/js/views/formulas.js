// Every layer's arithmetic on one screen, for a teacher at a projector: each row's output shape and
// parameter count with the formulas behind them, (3·3·3 + 1)·32 = 896, from the same answer as the blocks.

import { el } from "../shared/dom.js";
import { formatInt, formatShape } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";

function formulaRows(list) {
  return list.map((step) => el("tr", {}, el("th", { scope: "row", text: pick(step.what) }),
    el("td", {}, el("code", { class: "formula", text: step.formula }))));
}

function layerCard(layer) {
  const head = el("h3", { class: "formulas-head" },
    el("span", { class: "block-index", text: String(layer.index + 1) }),
    el("span", { class: "formulas-name", text: `${layer.name} (${layer.type})` }),
    el("span", { class: "formulas-result mono", text: `${formatShape(layer.output_shape)} · ${formatInt(layer.params)} ${t("block.params")}` }));
  const rows = [...formulaRows(layer.explain?.shape ?? []), ...formulaRows(layer.explain?.params ?? [])];
  return el("li", { class: "formulas-layer" }, head, el("table", { class: "formulas-table" }, el("tbody", {}, ...rows)));
}

function failureCard(layer) {
  return el("li", { class: "formulas-layer is-error" },
    el("h3", { class: "formulas-head" }, el("span", { class: "block-index", text: String(layer.index + 1) }),
      el("span", { class: "formulas-name", text: `${layer.name} (${layer.type})` })),
    el("p", { class: "formulas-error", text: pick(layer.error) }));
}

export function renderFormulas(root, answer) {
  if (answer?.kind !== "result") {
    root.replaceChildren(el("p", { class: "explain-note", text: answer?.kind === "invalid" ? t("summary.malformed") : t("explain.pending") }));
    return;
  }
  const cards = [];
  for (const layer of answer.data.layers) {
    if (layer.error) { cards.push(failureCard(layer)); break; }
    cards.push(layerCard(layer));
  }
  root.replaceChildren(el("ol", { class: "formulas-list" }, ...cards));
}
