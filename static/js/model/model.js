// The model being edited: an input shape and a tree of items. An item is a layer {id, spec} (the exact
// JSON the API takes: {type, ...keras arguments}) or a branch {id, lanes: [[item…], …], merge: {id, spec}}:
// parallel lanes closed by a merge layer (Add, Concatenate…), nesting freely. Stable ids let the page
// follow a block through moves, undo and redo. Every edit returns a new model; nothing changes in place.
//
// model.layers is the flat list in the API's order ({id, spec}, merges included) and model.body the
// POST /api/shapes body: both derived once per model. A graph that does not nest into lanes (an imported
// NASNet) keeps its flat layers as they came, `items` null: the page shows it read-only.

import { flatten, nest } from "./graph.js";

let counter = 0;
const newId = (kind = "layer") => `${kind}-${++counter}`;

export const ROOT = "root";

export function makeLayer(spec) {
  return { id: newId(), spec };
}

export function makeBranch(lanes, merge) {
  return { id: newId("branch"), lanes, merge };
}

function make(input_shape, items, graph = null) {
  if (graph) {
    return { input_shape, items: null, graph: true, layers: graph, body: graph.map((l) => l.spec), names: null };
  }
  const flat = flatten(items);
  return {
    input_shape, items, graph: false,
    layers: flat.map(({ id, spec }) => ({ id, spec })),
    body: flat.map((f) => f.body),
    names: new Map(flat.map((f) => [f.id, f.name])),
  };
}

export function fromBody(body) {
  const specs = body.layers.map((spec) => structuredClone(spec));
  const items = nest(specs, { makeLayer, makeBranch });
  if (items) return make([...body.input_shape], items);
  return make([...body.input_shape], null, specs.map((spec) => ({ id: newId(), spec })));
}

/** The body of POST /api/shapes, and of the #model= link. */
export function toBody(model) {
  return { input_shape: [...model.input_shape], layers: model.body };
}

export function isBranched(model) {
  return model.graph || model.items.some((item) => item.lanes);
}

export function indexOf(model, id) {
  return model.layers.findIndex((layer) => layer.id === id);
}

// ---- Where things are: containers are "root" or "<branch id>:<lane>"; a slot is {key, index}. ----

export const laneKey = (branchId, lane) => `${branchId}:${lane}`;

function parseKey(key) {
  const at = key.lastIndexOf(":");
  return { branchId: key.slice(0, at), lane: Number(key.slice(at + 1)) };
}

/**
 * locate(model, id) -> {key, index, item, role} or null. role: "layer", "branch" (the id is a branch's)
 * or "merge" (the id is a branch's merge layer: key and index are the branch's place).
 */
export function locate(model, id) {
  if (!model.items) return null;
  const search = (list, key) => {
    for (let index = 0; index < list.length; index++) {
      const item = list[index];
      if (item.id === id) return { key, index, item, role: item.lanes ? "branch" : "layer" };
      if (!item.lanes) continue;
      if (item.merge.id === id) return { key, index, item, role: "merge" };
      for (let lane = 0; lane < item.lanes.length; lane++) {
        const found = search(item.lanes[lane], laneKey(item.id, lane));
        if (found) return found;
      }
    }
    return null;
  };
  return search(model.items, ROOT);
}

export function container(model, key) {
  if (!model.items) return null;
  if (key === ROOT) return model.items;
  const { branchId, lane } = parseKey(key);
  const found = locate(model, branchId);
  return found?.role === "branch" ? found.item.lanes[lane] ?? null : null;
}

/** A copy of the tree with one container replaced by fn(container) (or one branch by fn(branch)). */
function mapTree(items, match, fn) {
  const visit = (list, key) => {
    let changed = false;
    let next = list.map((item) => {
      if (!item.lanes) return item;
      if (match.branch === item.id) { changed = true; return fn(item); }
      const lanes = item.lanes.map((lane, i) => visit(lane, laneKey(item.id, i)));
      if (lanes.every((lane, i) => lane === item.lanes[i])) return item;
      changed = true;
      return { ...item, lanes };
    });
    if (match.key === key) { next = fn(next); changed = true; }
    return changed ? next : list;
  };
  return visit(items, ROOT);
}

const withItems = (model, items) => make(model.input_shape, items);
const editContainer = (model, key, fn) => withItems(model, mapTree(model.items, { key }, fn));
const editBranch = (model, branchId, fn) => withItems(model, mapTree(model.items, { branch: branchId }, fn));

/** The place right after an item (a merge stands for its branch); a lane key: the lane's end. */
export function slotAfter(model, id) {
  if (id && id.includes(":")) {
    const lane = container(model, id);
    if (lane) return { key: id, index: lane.length };
  }
  const found = id ? locate(model, id) : null;
  if (!found) return { key: ROOT, index: model.items.length };
  return { key: found.key, index: found.index + 1 };
}

export function insertItem(model, item, slot) {
  const model2 = editContainer(model, slot.key, (list) => {
    const next = [...list];
    next.splice(Math.max(0, Math.min(slot.index, next.length)), 0, item);
    return next;
  });
  return model2;
}

/** Remove a layer, or a whole branch (by its id or its merge's). */
export function removeItem(model, id) {
  const found = locate(model, id);
  if (!found) return model;
  return editContainer(model, found.key, (list) => list.filter((_, i) => i !== found.index));
}

/** Swap with the neighbour in the same lane (a branch moves as one). */
export function moveItem(model, id, delta) {
  const found = locate(model, id);
  if (!found) return model;
  const list = container(model, found.key);
  const to = found.index + delta;
  if (to < 0 || to >= list.length) return model;
  return editContainer(model, found.key, (items) => {
    const next = [...items];
    const [item] = next.splice(found.index, 1);
    next.splice(to, 0, item);
    return next;
  });
}

export function canMove(model, id, delta) {
  const found = locate(model, id);
  if (!found) return false;
  const to = found.index + delta;
  return to >= 0 && to < container(model, found.key).length;
}

function contains(item, key) {
  if (!item.lanes) return false;
  return item.lanes.some((lane, i) => laneKey(item.id, i) === key || lane.some((inner) => contains(inner, key)));
}

/** Move an item to a slot anywhere (dragging); a branch never into its own lanes. */
export function moveToSlot(model, id, slot) {
  const found = locate(model, id);
  if (!found || contains(found.item, slot.key)) return model;
  const index = slot.key === found.key && slot.index > found.index ? slot.index - 1 : slot.index;
  if (slot.key === found.key && index === found.index) return model;
  return insertItem(removeItem(model, id), found.item, { key: slot.key, index });
}

function copyItem(item) {
  const { name, ...spec } = item.spec ?? {};
  if (!item.lanes) return makeLayer(structuredClone(spec));
  return makeBranch(item.lanes.map((lane) => lane.map(copyItem)), copyItem(item.merge));
}

/** A copy right after the original (a merge copies its whole branch); given names are dropped: Keras needs them unique. */
export function duplicateItem(model, id) {
  const found = locate(model, id);
  const copy = copyItem(found.item);
  return { model: insertItem(model, copy, { key: found.key, index: found.index + 1 }), id: copy.lanes ? copy.merge.id : copy.id };
}

export function updateLayer(model, id, spec) {
  if (model.graph) {
    return make(model.input_shape, null, model.layers.map((layer) => (layer.id === id ? { ...layer, spec } : layer)));
  }
  const found = locate(model, id);
  if (!found) return model;
  if (found.role === "merge") return editBranch(model, found.item.id, (branch) => ({ ...branch, merge: { ...branch.merge, spec } }));
  return editContainer(model, found.key, (list) => list.map((item) => (item.id === id ? { ...item, spec } : item)));
}

export function addLane(model, branchId) {
  return editBranch(model, branchId, (branch) => ({ ...branch, lanes: [...branch.lanes, []] }));
}

export function removeLane(model, branchId, lane) {
  return editBranch(model, branchId, (branch) => (branch.lanes.length <= 2 ? branch
    : { ...branch, lanes: branch.lanes.filter((_, i) => i !== lane) }));
}

/** Items from `ids` that sit side by side in one container, as {key, from, to}; null otherwise. */
export function runOf(model, ids) {
  const places = ids.map((id) => locate(model, id)).filter(Boolean);
  if (!places.length || places.some((p) => p.key !== places[0].key)) return null;
  const indexes = places.map((p) => p.index);
  return { key: places[0].key, from: Math.min(...indexes), to: Math.max(...indexes) };
}

/** Wrap a run of items in a branch: the run becomes the first lane, an identity shortcut the second. */
export function wrapInBranch(model, run, mergeSpec) {
  const merge = makeLayer(mergeSpec);
  let branch = null;
  const next = editContainer(model, run.key, (list) => {
    branch = makeBranch([list.slice(run.from, run.to + 1), []], merge);
    return [...list.slice(0, run.from), branch, ...list.slice(run.to + 1)];
  });
  return { model: next, branch };
}

export function setInputShape(model, shape) {
  return model.graph ? make([...shape], null, model.layers) : make([...shape], model.items);
}

/** Items of another model after this one's last item (the caller has checked that the shapes meet). */
export function appendItems(model, items) {
  return make(model.input_shape, [...model.items, ...items]);
}

/** A copy of a tree with every layer's spec (merges included) passed through fn(spec). */
export function mapSpecs(items, fn) {
  return items.map((item) => (item.lanes
    ? { ...item, lanes: item.lanes.map((lane) => mapSpecs(lane, fn)), merge: { ...item.merge, spec: fn(item.merge.spec) } }
    : { ...item, spec: fn(item.spec) }));
}

export function clearLayers(model) {
  return make(model.input_shape, []);
}

/** Every layer id inside an item (a branch: its lanes' layers and its merge), in the API's order. */
export function layerIds(item) {
  if (!item.lanes) return [item.id];
  return [...item.lanes.flatMap((lane) => lane.flatMap(layerIds)), item.merge.id];
}

/** Every branch in the tree, outermost first. */
export function branches(items) {
  return items.flatMap((item) => (item.lanes ? [item, ...item.lanes.flatMap(branches)] : []));
}
