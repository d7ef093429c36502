// A branch drawn as Lego: a frame holding parallel lanes side by side (stacked on a narrow screen), each a
// list of blocks, closed by the merge block, which shows every incoming shape and turns red when Keras
// cannot merge them. An empty lane is the identity shortcut. Branches and runs of blocks collapse into one
// block showing the output shape and the parameter total, opened again with one click.

import { kindOf, mergeKinds } from "../model/catalogue.js";
import { laneKey, layerIds } from "../model/model.js";
import { el } from "../shared/dom.js";
import { formatInt, formatShape } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { action, brickFor, configLine, icon, isFrozen, notes, problemText, renderItems, selectButton, stateOf, stats } from "./stack.js";

const nameOf = (ctx, id) => stateOf(ctx, id).layer?.name ?? ctx.model.names?.get(id) ?? "";

/** What a group of layers adds up to: the last one's shape, the parameters of all, the worst status. */
function summarise(ids, ctx) {
  const states = ids.map((id) => stateOf(ctx, id));
  const last = states[states.length - 1];
  const failed = states.find((s) => s.status === "error" || s.status === "invalid");
  const params = states.reduce((sum, s) => sum + (s.layer?.params ?? 0), 0);
  const status = failed ? failed.status : last.status === "ok" && states.some((s) => s.status !== "ok") ? "pending" : last.status;
  return { state: { ...last, status, layer: last.layer }, params, failed };
}

function summaryNotes(item, select, key, failed) {
  if (!failed) return;
  item.append(el("p", { class: "block-problem", id: `${key}-problem`, text: t("collapsed.problem", { problem: problemText(failed) }) }));
  select.setAttribute("aria-describedby", `${key}-problem`);
}

/** Collapsed runs in one container: start index -> {to, key}. */
export function runsIn(items, collapsed) {
  const runs = new Map();
  for (const key of collapsed) {
    if (!key.startsWith("run:")) continue;
    const [, first, last] = key.split(":");
    const from = items.findIndex((item) => item.id === first);
    const to = items.findIndex((item) => item.id === last);
    if (from >= 0 && to > from && ![...runs.values()].some((r) => from <= r.to)) runs.set(from, { to, key });
  }
  return runs;
}

function collapsedCard(ctx, { key, selectId, type, name, config, ids, extra = [], place = null, draggable = false, dataId }) {
  const { state, params, failed } = summarise(ids, ctx);
  const selected = ids.includes(ctx.selected);
  const item = el("li", { class: `block collapsed-block cat-merging is-${state.status}${selected ? " is-selected" : ""}`,
    "data-id": dataId, draggable: draggable ? "true" : null });
  const select = selectButton(ctx, selectId, { type, name, config, pressed: selected });
  select.dataset.id = selectId;
  select.setAttribute("aria-expanded", "false");
  const label = name || type;
  const actions = el("div", { class: "block-actions" },
    expandButton(key, label, `${ids[ids.length - 1]}:select`), ...extra);
  if (place) {
    actions.append(action("up", t("block.moveUp", { name: label }), `${dataId}:up`, place.first),
      action("down", t("block.moveDown", { name: label }), `${dataId}:down`, place.last),
      action("remove", t("branch.remove", { name: label }), `${dataId}:remove`));
  }
  item.append(el("div", { class: "block-card" }, brickFor(state), select, stats(state, params), actions));
  summaryNotes(item, select, key, failed);
  return item;
}

function expandButton(key, label, then) {
  const button = action("expand", t("collapsed.expand", { name: label }), `${key}:expand`, false);
  button.dataset.key = key;
  button.dataset.then = then;
  return button;
}

/** A collapsed run of blocks: "5 blocks", first → last name, its output shape and parameter total. */
export function collapsedRun(items, key, ctx) {
  const ids = items.flatMap(layerIds);
  const first = nameOf(ctx, ids[0]);
  const last = nameOf(ctx, ids[ids.length - 1]);
  return collapsedCard(ctx, { key, selectId: ids[ids.length - 1], dataId: key, ids,
    type: t("collapsed.run", { count: ids.length }), name: first && last ? `${first} … ${last}` : "",
    config: t("collapsed.runConfig", { count: items.length }) });
}

function collapsedBranch(branch, ctx, place) {
  const ids = layerIds(branch);
  const merge = kindOf(ctx.catalogue, branch.merge.spec.type)?.type ?? branch.merge.spec.type;
  return collapsedCard(ctx, { key: branch.id, selectId: branch.merge.id, dataId: branch.id, ids, place, draggable: true,
    type: t("branch.collapsedType", { merge }), name: nameOf(ctx, branch.merge.id),
    config: t("branch.meta", { lanes: branch.lanes.length, layers: ids.length }) });
}

function mergeSelect(branch, ctx) {
  const id = `${branch.merge.id}-kind`;
  const current = kindOf(ctx.catalogue, branch.merge.spec.type)?.type ?? branch.merge.spec.type;
  const kinds = mergeKinds(ctx.catalogue).map((kind) => kind.type);
  if (!kinds.includes(current)) kinds.unshift(current);
  const select = el("select", { class: "merge-kind", id, "data-id": branch.merge.id, "data-focus": `${branch.merge.id}:kind` },
    ...kinds.map((type) => {
      const option = el("option", { value: type, text: type });
      option.selected = type === current;
      return option;
    }));
  return [el("label", { class: "merge-kind-label", for: id, text: t("merge.kind") }), select];
}

/** Each lane's output as the merge receives it: lane, the layer it comes from, its shape. */
function incoming(branch, ctx, state) {
  const row = state.layer;
  const shapes = row?.input_shapes ?? [];
  const first = shapes[0] ? formatShape(shapes[0]) : null;
  const list = el("ul", { class: "merge-inputs", "aria-label": t("merge.inputs") });
  branch.lanes.forEach((lane, i) => {
    const from = row?.inputs?.[i] ?? "";
    const shape = shapes[i] ? formatShape(shapes[i]) : state.status === "pending" ? "…" : "—";
    const mismatch = state.status === "error" && first !== null && shape !== first;
    list.append(el("li", { class: `merge-input${mismatch ? " is-mismatch" : ""}` },
      el("span", { class: "merge-lane", text: t("lane.name", { lane: i + 1 }) }),
      el("span", { class: "merge-from", text: lane.length ? from : t("lane.shortcutShort") }),
      el("span", { class: "merge-shape", text: shape })));
  });
  return list;
}

function mergeBlock(branch, ctx, place) {
  const layer = branch.merge;
  const kind = kindOf(ctx.catalogue, layer.spec.type);
  const state = stateOf(ctx, layer.id);
  const name = nameOf(ctx, layer.id);
  const label = name || layer.spec.type;
  const selected = layer.id === ctx.selected;
  const frozen = isFrozen(layer.spec);
  const block = el("div", { class: `block merge-block cat-merging is-${state.status}${selected ? " is-selected" : ""}${frozen ? " is-frozen" : ""}`,
    "data-id": layer.id });
  const args = configLine(layer.spec, kind);
  const select = selectButton(ctx, layer.id, { type: kind?.type ?? layer.spec.type, name, pressed: selected, frozen,
    config: [t("merge.config", { count: branch.lanes.length }), args].filter(Boolean).join(" · ") });
  const actions = el("div", { class: "block-actions" },
    action("up", t("branch.moveUp", { name: label }), `${layer.id}:up`, place.first),
    action("down", t("branch.moveDown", { name: label }), `${layer.id}:down`, place.last),
    action("duplicate", t("branch.duplicate", { name: label }), `${layer.id}:duplicate`),
    action("remove", t("branch.remove", { name: label }), `${layer.id}:remove`));
  block.append(el("div", { class: "block-card" }, brickFor(state), select, stats(state, undefined, { frozen }), actions),
    el("div", { class: "merge-foot" }, el("div", { class: "merge-kind-row" }, ...mergeSelect(branch, ctx)), incoming(branch, ctx, state)));
  notes(block, select, layer.id, state);
  return block;
}

function lane(branch, index, ctx, state) {
  const key = laneKey(branch.id, index);
  const items = branch.lanes[index];
  const targeted = ctx.selected === key;
  const count = branch.lanes.length;
  const section = el("section", { class: `lane${items.length ? "" : " is-empty"}${targeted ? " is-target" : ""}`,
    "aria-label": t("lane.label", { lane: index + 1, count }) });
  const head = el("div", { class: "lane-head" }, el("span", { class: "lane-name", text: t("lane.name", { lane: index + 1 }) }));
  if (count > 2) {
    const remove = action("remove", t("lane.remove", { lane: index + 1 }), `${key}:removeLane`, false);
    remove.dataset.action = "remove-lane";
    remove.dataset.branch = branch.id;
    remove.dataset.lane = String(index);
    head.append(remove);
  }
  const list = el("ol", { class: "lane-list", "data-container": key }, ...renderItems(items, ctx));
  section.append(head, list);
  if (!items.length) {
    const shape = state.layer?.input_shapes?.[index];
    section.append(el("button", { type: "button", class: "lane-empty", "data-action": "target", "data-lane": key,
      "data-focus": `${key}:target`, "aria-pressed": targeted ? "true" : "false" }, el("span", { class: "lane-empty-box" },
      el("span", { class: "lane-empty-title", text: t("lane.shortcut") }),
      el("span", { class: "lane-empty-text", text: targeted ? t("lane.targeted") : t("lane.shortcutText") }),
      shape ? el("span", { class: "lane-empty-shape", text: formatShape(shape) }) : null)));
  }
  return section;
}

/** Lanes side by side need width: a lane of blocks counts 2 units, an empty one 1 (see blocks.css). */
function units(branch) {
  const need = branch.lanes.reduce((sum, l) => sum + (l.length ? 2 : 1), 0);
  return need > 12 ? "many" : String(need);
}

function branchTools(branch, label) {
  const addLane = el("button", { type: "button", class: "btn btn-mini", "data-action": "add-lane", "data-branch": branch.id,
    "data-focus": `${branch.id}:addLane` }, icon("lane"), el("span", { text: t("branch.addLane") }));
  const collapse = el("button", { type: "button", class: "btn btn-mini", "data-action": "collapse", "data-key": branch.id,
    "data-focus": `${branch.id}:collapse`, "aria-expanded": "true", "aria-label": t("branch.collapseLabel", { name: label }) },
  icon("collapse"), el("span", { text: t("branch.collapse") }));
  return el("div", { class: "branch-tools" }, addLane, collapse);
}

export function branchItem(branch, ctx, place) {
  if (ctx.collapsed.has(branch.id)) return collapsedBranch(branch, ctx, place);
  const state = stateOf(ctx, branch.merge.id);
  const ids = layerIds(branch);
  const label = nameOf(ctx, branch.merge.id) || branch.merge.spec.type;
  const { params } = summarise(ids, ctx);
  const item = el("li", { class: `branch${ctx.range.has(branch.id) ? " is-in-range" : ""}`, "data-id": branch.id, draggable: "true" });
  const head = el("div", { class: "branch-head" },
    el("span", { class: "branch-glyph", "aria-hidden": "true" }, icon("branch")),
    el("span", { class: "branch-title" }, el("strong", { text: t("branch.title") }), " ",
      el("span", { class: "branch-meta", text: t("branch.metaParams", { lanes: branch.lanes.length, layers: ids.length, params: formatInt(params) }) })),
    branchTools(branch, label));
  const lanes = el("div", { class: `lanes u-${units(branch)}` }, ...branch.lanes.map((_, i) => lane(branch, i, ctx, state)));
  item.append(head, lanes, mergeBlock(branch, ctx, place));
  return item;
}

