// The explanation of one layer's numbers, from /api/shapes: what the layer does, how each output
// axis is computed and where the parameters come from, with the actual numbers, e.g.
// (3·3·3 + 1)·32 = 896. Also what the layer costs: activation memory and multiply-adds.

import { el } from "../shared/dom.js";
import { formatInt, formatShape, readableSize } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";

function steps(title, list) {
  const section = el("div", { class: "explain-steps" });
  section.append(el("h4", {}, title));
  const ul = el("ul", { class: "formula-list" });
  for (const step of list) {
    const li = el("li");
    li.append(el("span", { class: "formula-what" }, pick(step.what)), el("code", { class: "formula" }, step.formula));
    ul.append(li);
  }
  section.append(ul);
  return section;
}

function figures(layer) {
  const dl = el("dl", { class: "explain-figures" });
  const add = (label, value, className) => {
    const div = el("div", { class: className });
    div.append(el("dt", {}, label), el("dd", {}, value));
    dl.append(div);
  };
  add(t("explain.output"), formatShape(layer.output_shape), "fig-shape");
  add(t("explain.params"), formatInt(layer.params));
  if (layer.non_trainable_params) add(t("explain.nonTrainable"), formatInt(layer.non_trainable_params));
  if (layer.activation?.bytes != null) add(t("explain.activation"), readableSize(layer.activation.bytes));
  if (layer.macs != null) add(t("explain.macs"), formatInt(layer.macs));
  return dl;
}

/** Fill `root` for a layer's state (see results.js); failures and pending answers say so plainly. */
export function renderExplain(root, state, { failedName = null } = {}) {
  root.replaceChildren();
  const heading = el("h3", { class: "explain-title" }, t("explain.title"));
  heading.id = "explain-title";
  root.append(heading);
  if (state.status === "ok") {
    const { explain } = state.layer;
    root.append(figures(state.layer));
    if (explain?.shape?.length) root.append(steps(t("explain.shapeSteps"), explain.shape));
    if (explain?.params?.length) root.append(steps(t("explain.paramSteps"), explain.params));
    else root.append(el("p", { class: "explain-note" }, t("explain.noParams")));
  } else if (state.status === "unreached" || state.status === "unknown") {
    root.append(el("p", { class: "explain-note" }, failedName ? t("explain.unreachedBy", { name: failedName }) : t("explain.unreached")));
  } else if (state.status === "pending") {
    root.append(el("p", { class: "explain-note" }, t("explain.pending")));
  } else if (state.status === "offline") {
    root.append(el("p", { class: "explain-note" }, t("app.offline")));
  } else {
    root.append(el("p", { class: "explain-note" }, t("explain.fix")));
  }
}
