// A graph that does not nest into lanes (NASNet's cells, a layer that leads nowhere) is shown as it is:
// one row per layer in the API's order, each naming the layers it takes, with their exact shapes. It is
// read-only: rows can be selected to read their numbers, not rearranged.

import { kindOf } from "../model/catalogue.js";
import { el } from "../shared/dom.js";
import { formatShape } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { brickFor, configLine, isFrozen, notes, selectButton, stateOf, stats } from "./stack.js";

/** "← conv2d_3 (None, 8, 8, 64)": each input of the row, as the answer resolved it, else as the body says. */
function connections(spec, index, ctx, state) {
  const names = state.layer?.inputs ?? spec.inputs ?? [index === 0 ? "input" : null].filter(Boolean);
  const shapes = state.layer?.input_shapes ?? [];
  const list = el("ul", { class: "merge-inputs graph-inputs", "aria-label": t("graph.inputs") });
  names.forEach((name, i) => {
    list.append(el("li", { class: "merge-input" },
      el("span", { class: "merge-from", text: name === "input" ? t("graph.modelInput") : name }),
      el("span", { class: "merge-shape", text: shapes[i] ? formatShape(shapes[i]) : "" })));
  });
  return names.length ? list : null;
}

export function renderGraphRows(model, ctx) {
  return model.layers.map((layer, index) => {
    const kind = kindOf(ctx.catalogue, layer.spec.type);
    const state = stateOf(ctx, layer.id);
    const selected = layer.id === ctx.selected;
    const frozen = isFrozen(layer.spec);
    const item = el("li", { class: `block graph-row cat-${kind?.category ?? "unknown"} is-${state.status}${selected ? " is-selected" : ""}${frozen ? " is-frozen" : ""}`,
      "data-id": layer.id });
    const select = selectButton(ctx, layer.id, { type: kind?.type ?? layer.spec.type, name: state.layer?.name ?? layer.spec.name ?? "",
      config: configLine(layer.spec, kind) || t("block.noArguments"), pressed: selected, frozen });
    item.append(el("div", { class: "block-card" }, brickFor(state), select, stats(state, undefined, { frozen })));
    const inputs = connections(layer.spec, index, ctx, state);
    if (inputs) item.append(el("div", { class: "merge-foot" }, el("span", { class: "graph-takes", "aria-hidden": "true", text: t("graph.inputs") }), inputs));
    notes(item, select, layer.id, state);
    return item;
  });
}
