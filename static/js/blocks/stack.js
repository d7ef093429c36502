// The model's layers as a list of bricks, one list item per layer, each with its output shape,
// parameter count and controls (select, move up/down, duplicate, remove) that work by keyboard too.

import { drawBrick } from "./brick.js";
import { kindOf } from "../model/catalogue.js";
import { isDefault } from "../model/fields.js";
import { el } from "../shared/dom.js";
import { formatInt, formatShape, shortValue } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";

const ICONS = {
  up: "M10 15V5M5.5 9.5 10 5l4.5 4.5",
  down: "M10 5v10M5.5 10.5 10 15l4.5-4.5",
  duplicate: "M7 7h8v8H7zM5 13V5h8",
  remove: "M5.5 5.5l9 9M14.5 5.5l-9 9",
};

function icon(path) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}

/**
 * "filters 32 · kernel_size 3×3 · activation relu": what this block does, in catalogue order. A value equal to
 * Keras's default is left out however it was given (typed, or spelled out by a preset), except the window size
 * (pool_size, size), always shown with its effective value: it is what a pooling block is about.
 */
export function configLine(spec, kind) {
  if (!kind) return Object.keys(spec).filter((n) => n !== "type" && n !== "name").map((n) => `${n} ${shortValue(spec[n])}`).join(" · ");
  const window = kind.params.find((p) => p.kind === "tuple"); // pool_size, size; a convolution's kernel_size
  return kind.params
    .filter((p) => p.required || p === window || (p.name in spec && !isDefault(p, spec[p.name])))
    .map((p) => `${p.name} ${shortValue(p.name in spec ? spec[p.name] : p.default)}`)
    .join(" · ");
}

/** The words under a failing block, in the reader's language. */
export function problemText(state) {
  if (state.status === "error") return pick(state.message);
  if (state.status === "invalid") {
    // The API words these in both languages; the block already says which layer, so drop that prefix.
    const message = pick({ en: state.issue.msg, ko: state.issue.msg_ko ?? state.issue.msg });
    const detail = message.replace(/^layers\[\d+\] \([^)]*\): /, "");
    return t("issue.server", { field: state.field ?? "", detail });
  }
  return "";
}

function action(kind, label, focusKey, disabled) {
  return el("button", { type: "button", class: `block-action action-${kind}`, "aria-label": label, title: label,
    "data-action": kind, "data-focus": focusKey, disabled }, icon(ICONS[kind]));
}

function stats(state) {
  const layer = state.layer;
  const shape = state.status === "ok" ? formatShape(layer.output_shape) : state.status === "pending" ? "…" : "—";
  const params = state.status === "ok" ? formatInt(layer.params) : "—";
  return el("div", { class: "block-stats" },
    el("span", { class: "block-shape", text: shape }),
    el("span", { class: "block-params" }, el("span", { class: "num", text: params }), " ",
      el("span", { class: "unit", text: t("block.params") })));
}

function blockItem(layer, index, count, { catalogue, state, selected }) {
  const kind = kindOf(catalogue, layer.spec.type);
  const name = state.layer?.name ?? layer.spec.name ?? "";
  const label = name || layer.spec.type;
  const channelsFirst = state.layer?.config?.data_format === "channels_first";
  const problem = problemText(state);
  const item = el("li", {
    class: `block cat-${kind?.category ?? "unknown"} is-${state.status}${selected ? " is-selected" : ""}`,
    "data-id": layer.id, draggable: "true",
  });
  const brick = el("div", { class: "block-brick" }, drawBrick(state.layer?.output_shape?.slice(1), { channelsFirst }));
  const select = el("button", {
    type: "button", class: "block-select", "data-action": "select", "data-focus": `${layer.id}:select`,
    "aria-pressed": selected ? "true" : "false", "aria-keyshortcuts": "Alt+ArrowUp Alt+ArrowDown Delete",
  },
  el("span", { class: "block-index", text: String(index + 1) }),
  el("span", { class: "block-title" }, el("span", { class: "block-type", text: kind?.type ?? layer.spec.type }),
    name ? el("span", { class: "block-name", text: name }) : null),
  el("span", { class: "block-config", text: configLine(layer.spec, kind) || t("block.noArguments") }));
  const actions = el("div", { class: "block-actions" },
    action("up", t("block.moveUp", { name: label }), `${layer.id}:up`, index === 0),
    action("down", t("block.moveDown", { name: label }), `${layer.id}:down`, index === count - 1),
    action("duplicate", t("block.duplicate", { name: label }), `${layer.id}:duplicate`),
    action("remove", t("block.remove", { name: label }), `${layer.id}:remove`));
  item.append(el("div", { class: "block-card" }, brick, select, stats(state), actions));
  if (problem) item.append(el("p", { class: "block-problem", id: `${layer.id}-problem`, text: problem }));
  if (problem) select.setAttribute("aria-describedby", `${layer.id}-problem`);
  if (state.status === "unreached") item.append(el("p", { class: "visually-hidden", text: t("block.unreached") }));
  return item;
}

/** Rebuild the list, keeping keyboard focus on the same control of the same block. */
export function renderStack(list, { model, selected, states, catalogue, focusKey = null }) {
  const active = document.activeElement;
  const keepFocus = focusKey ?? (list.contains(active) ? active.dataset.focus : null);
  const items = model.layers.map((layer, index) => blockItem(layer, index, model.layers.length, {
    catalogue, state: states.byId.get(layer.id) ?? { status: "pending" }, selected: layer.id === selected,
  }));
  list.replaceChildren(...items);
  if (keepFocus) {
    const target = list.querySelector(`[data-focus="${CSS.escape(keepFocus)}"]`);
    (target && !target.disabled ? target : list.querySelector(`[data-focus="${CSS.escape(keepFocus.split(":")[0])}:select"]`))?.focus();
  }
}

/** Clicks and keys inside the list become intents: select, move, duplicate, remove. */
export function wireStack(list, intents) {
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const item = event.target.closest("li[data-id]");
    if (!item) return;
    const id = item.dataset.id;
    const act = button?.dataset.action ?? "select";
    if (act === "up") intents.move(id, -1, `${id}:up`);
    else if (act === "down") intents.move(id, +1, `${id}:down`);
    else if (act === "duplicate") intents.duplicate(id);
    else if (act === "remove") intents.remove(id);
    else intents.select(id);
  });
  list.addEventListener("keydown", (event) => {
    const button = event.target.closest("button.block-select");
    if (!button) return;
    const id = button.closest("li").dataset.id;
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      intents.move(id, event.key === "ArrowUp" ? -1 : +1, `${id}:select`);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      intents.remove(id);
    } else if (!event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      // Arrow keys walk between blocks, like a list should.
      const sibling = event.key === "ArrowUp" ? button.closest("li").previousElementSibling : button.closest("li").nextElementSibling;
      if (sibling) { event.preventDefault(); sibling.querySelector(".block-select").focus(); }
    }
  });
}
