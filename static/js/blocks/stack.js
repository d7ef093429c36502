// The model's items as bricks: one list item per layer with its output shape, parameter count and
// controls (select, move up/down, duplicate, remove) that work by keyboard too; branches (branch.js) hold
// lanes that are lists of the same blocks. Shift+click or Shift+arrows pick a run of blocks in one lane.

import { drawBrick } from "./brick.js";
import { kindOf } from "../model/catalogue.js";
import { isDefault } from "../model/fields.js";
import { el } from "../shared/dom.js";
import { formatInt, formatShape, shortValue } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";
import { branchItem, collapsedRun, runsIn } from "./branch.js";
import { renderGraphRows } from "./graphrows.js";

const ICONS = {
  up: "M10 15V5M5.5 9.5 10 5l4.5 4.5",
  down: "M10 5v10M5.5 10.5 10 15l4.5-4.5",
  duplicate: "M7 7h8v8H7zM5 13V5h8",
  remove: "M5.5 5.5l9 9M14.5 5.5l-9 9",
  expand: "M4 7.5 10 13.5l6-6",
  collapse: "M4 12.5 10 6.5l6 6",
  lane: "M10 4v12M4 10h12",
  branch: "M6 3v3.5c0 2.5 4 3 4 6V17M14 3v3.5c0 2.5-4 3-4 6",
};

export function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
  p.setAttribute("d", ICONS[name]);
  svg.append(p);
  return svg;
}

/**
 * "filters 32 · kernel_size 3×3 · activation relu": what this block does, in catalogue order. A value equal to
 * Keras's default is left out however it was given (typed, or spelled out by a preset), except the window size
 * (pool_size, size), always shown with its effective value: it is what a pooling block is about.
 */
export function configLine(spec, kind) {
  if (!kind) return Object.keys(spec).filter((n) => !["type", "name", "inputs", "trainable"].includes(n)).map((n) => `${n} ${shortValue(spec[n])}`).join(" · ");
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

export function action(kind, label, focusKey, disabled, iconName = kind) {
  return el("button", { type: "button", class: `block-action action-${kind}`, "aria-label": label, title: label,
    "data-action": kind, "data-focus": focusKey, disabled }, icon(iconName));
}

/** A frozen layer's (trainable=False) count says what Keras will call it: non-trainable. */
export function stats(state, params = state.layer?.params, { frozen = false } = {}) {
  const shape = state.status === "ok" ? formatShape(state.layer.output_shape) : state.status === "pending" ? "…" : "—";
  return el("div", { class: "block-stats" },
    el("span", { class: "block-shape", text: shape }),
    el("span", { class: "block-params" }, el("span", { class: "num", text: state.status === "ok" ? formatInt(params) : "—" }), " ",
      el("span", { class: "unit", text: t(frozen ? "block.paramsFrozen" : "block.params") })));
}

/** Frozen is the spec's word (Keras's trainable=False), shown at once, before any answer. */
export const isFrozen = (spec) => spec?.trainable === false;

/** "❄ frozen" beside the layer's name; the snowflake is decoration, the word is read out. */
export function frozenBadge() {
  return el("span", { class: "block-frozen" }, el("span", { class: "block-frozen-mark", "aria-hidden": "true", text: "❄" }),
    el("span", { text: t("block.frozen") }));
}

/** The brick for a state's output shape (a ghost while it has none). */
export function brickFor(state) {
  const channelsFirst = state.layer?.config?.data_format === "channels_first";
  return el("div", { class: "block-brick" }, drawBrick(state.layer?.output_shape?.slice(1), { channelsFirst }));
}

export function stateOf(ctx, id) {
  return ctx.states.byId.get(id) ?? { status: "pending" };
}

/** Problem and warning lines under a block, tied to its select button for screen readers. */
export function notes(item, select, id, state) {
  const problem = problemText(state);
  const warning = state.layer?.warning ? pick(state.layer.warning) : "";
  if (problem) item.append(el("p", { class: "block-problem", id: `${id}-problem`, text: problem }));
  else if (warning) item.append(el("p", { class: "block-warning", id: `${id}-problem`, text: warning }));
  if (problem || warning) select.setAttribute("aria-describedby", `${id}-problem`);
  if (state.status === "unreached") item.append(el("p", { class: "visually-hidden", text: t("block.unreached") }));
}

/** The select button: index in the API's list, class name, Keras name, arguments. */
export function selectButton(ctx, id, { type, name, config, pressed, frozen = false }) {
  return el("button", {
    type: "button", class: "block-select", "data-action": "select", "data-focus": `${id}:select`,
    "aria-pressed": pressed ? "true" : "false", "aria-keyshortcuts": "Alt+ArrowUp Alt+ArrowDown Shift+ArrowUp Shift+ArrowDown Delete",
  },
  el("span", { class: "block-index", text: String((ctx.index.get(id) ?? 0) + 1) }),
  el("span", { class: "block-title" }, el("span", { class: "block-type", text: type }),
    name ? el("span", { class: "block-name", text: name }) : null, frozen ? frozenBadge() : null),
  el("span", { class: "block-config", text: config }));
}

function blockItem(layer, ctx, { first, last }) {
  const kind = kindOf(ctx.catalogue, layer.spec.type);
  const state = stateOf(ctx, layer.id);
  const name = state.layer?.name ?? ctx.model.names?.get(layer.id) ?? layer.spec.name ?? "";
  const label = name || layer.spec.type;
  const selected = layer.id === ctx.selected;
  const inRange = ctx.range.has(layer.id);
  const frozen = isFrozen(layer.spec);
  const item = el("li", {
    class: `block cat-${kind?.category ?? "unknown"} is-${state.status}${selected ? " is-selected" : ""}${inRange ? " is-in-range" : ""}${frozen ? " is-frozen" : ""}`,
    "data-id": layer.id, draggable: "true",
  });
  const select = selectButton(ctx, layer.id, { type: kind?.type ?? layer.spec.type, name,
    config: configLine(layer.spec, kind) || t("block.noArguments"), pressed: selected || inRange, frozen });
  const actions = el("div", { class: "block-actions" },
    action("up", t("block.moveUp", { name: label }), `${layer.id}:up`, first),
    action("down", t("block.moveDown", { name: label }), `${layer.id}:down`, last),
    action("duplicate", t("block.duplicate", { name: label }), `${layer.id}:duplicate`),
    action("remove", t("block.remove", { name: label }), `${layer.id}:remove`));
  item.append(el("div", { class: "block-card" }, brickFor(state), select, stats(state, undefined, { frozen }), actions));
  notes(item, select, layer.id, state);
  return item;
}

/** The <li>s of one container (the root list or a lane): blocks, branches and collapsed runs. */
export function renderItems(items, ctx) {
  const out = [];
  const runs = runsIn(items, ctx.collapsed);
  for (let i = 0; i < items.length; i++) {
    const run = runs.get(i);
    if (run) {
      out.push(collapsedRun(items.slice(i, run.to + 1), run.key, ctx, { first: i === 0, last: run.to === items.length - 1 }));
      i = run.to;
      continue;
    }
    const place = { first: i === 0, last: i === items.length - 1 };
    out.push(items[i].lanes ? branchItem(items[i], ctx, place) : blockItem(items[i], ctx, place));
  }
  return out;
}

/** Rebuild the list, keeping keyboard focus on the same control of the same block. */
export function renderStack(list, { model, selected, range, states, catalogue, collapsed, focusKey = null }) {
  const active = document.activeElement;
  const keepFocus = focusKey ?? (list.contains(active) ? active.dataset.focus : null);
  const ctx = { model, selected, range: new Set(range ?? []), states, catalogue, collapsed,
    index: new Map(model.layers.map((layer, i) => [layer.id, i])) };
  list.classList.toggle("is-graph", Boolean(model.graph));
  list.classList.toggle("is-large", model.layers.length > LARGE);
  if (model.graph) list.replaceChildren(...renderGraphRows(model, ctx));
  else list.replaceChildren(...renderItems(model.items, ctx));
  if (keepFocus) {
    const target = list.querySelector(`[data-focus="${CSS.escape(keepFocus)}"]`);
    (target && !target.disabled ? target : list.querySelector(`[data-focus="${CSS.escape(keepFocus.split(":")[0])}:select"]`))?.focus();
  }
}

/** Above this many layers, blocks out of view are not laid out (see branches.css). */
const LARGE = 80;

const isLane = (id) => typeof id === "string" && id.includes(":");

/**
 * A new selection drawn in place, without rebuilding hundreds of blocks (ResNet152); answers false when it
 * cannot be (a lane is or was the target: its words change), and the list must be drawn again.
 */
export function markSelection(list, { selected, range }, previous) {
  if (isLane(selected) || isLane(previous) || list.classList.contains("is-graph")) return false;
  for (const node of list.querySelectorAll(".is-selected, .is-in-range")) node.classList.remove("is-selected", "is-in-range");
  for (const button of list.querySelectorAll('.block-select[aria-pressed="true"]')) button.setAttribute("aria-pressed", "false");
  const mark = (id, className) => {
    const node = id && list.querySelector(`[data-id="${CSS.escape(id)}"]`);
    const block = node?.closest(".block, .branch");
    if (!block) return;
    block.classList.add(className);
    block.querySelector(":scope > .block-card > .block-select")?.setAttribute("aria-pressed", "true");
  };
  for (const id of range ?? []) mark(id, "is-in-range");
  mark(selected, "is-selected");
  return true;
}

/** The block-select buttons in reading order, for arrow keys that walk the whole model, lanes included. */
function walkable(list) {
  return [...list.querySelectorAll(".block-select")];
}

/** Clicks and keys inside the list become intents. */
export function wireStack(list, intents) {
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const act = button?.dataset.action ?? "select";
    if (act === "add-lane") return intents.addLane(button.dataset.branch);
    if (act === "remove-lane") return intents.removeLane(button.dataset.branch, Number(button.dataset.lane));
    if (act === "target") return intents.target(button.dataset.lane);
    if (act === "collapse") return intents.collapse(button.dataset.key);
    if (act === "expand") return intents.expand(button.dataset.key, button.dataset.then ?? null);
    const item = event.target.closest("[data-id]");
    if (!item || event.target.closest("select")) return;
    const id = item.dataset.id;
    if (act === "up") intents.move(id, -1, `${id}:up`);
    else if (act === "down") intents.move(id, +1, `${id}:down`);
    else if (act === "duplicate") intents.duplicate(id);
    else if (act === "remove") intents.remove(id);
    else if (act === "select" && button && event.shiftKey) { if (!intents.extendTo(id)) intents.select(id); }
    else if (act === "select" && button) intents.select(id);
  });
  list.addEventListener("change", (event) => {
    const select = event.target.closest("select.merge-kind");
    if (select) intents.setMergeKind(select.dataset.id, select.value);
  });
  list.addEventListener("keydown", (event) => {
    const button = event.target.closest("button.block-select");
    if (!button) return;
    const id = button.closest("[data-id]").dataset.id;
    const run = button.closest(".collapsed-block")?.dataset.id.startsWith("run:"); // a collapsed run is not one block to move or delete
    const vertical = event.key === "ArrowUp" || event.key === "ArrowDown";
    const step = event.key === "ArrowUp" ? -1 : +1;
    if (event.altKey && vertical) {
      event.preventDefault();
      if (!run) intents.move(id, step, `${id}:select`);
    } else if ((event.key === "Delete" || event.key === "Backspace") && !run) {
      event.preventDefault();
      intents.remove(id);
    } else if (vertical) {
      // Arrow keys walk between blocks, like a list should; with Shift they pick a run in one lane.
      const buttons = walkable(list);
      const next = buttons[buttons.indexOf(button) + step];
      if (!next) return;
      event.preventDefault();
      if (event.shiftKey && !intents.extendTo(next.closest("[data-id]").dataset.id, id)) return;
      next.focus();
    }
  });
}
