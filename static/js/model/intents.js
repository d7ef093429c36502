// What a person can do to the model, in one place: add, insert, move, duplicate, remove, edit, select,
// branch (wrap blocks in a branch, add or remove a lane, change the merge), collapse, load a preset or a
// file, clear. Each edit is one undoable step (typing into one field is one step), and each says what
// happened to screen-reader users.

import { kindOf, starterSpec } from "./catalogue.js";
import { pick, t } from "../shared/i18n.js";
import { shareLink } from "./link.js";
import {
  addLane, appendItems, clearLayers, container, duplicateItem, fromBody, indexOf, insertItem, laneKey, layerIds, locate, makeBranch,
  makeLayer, moveItem, moveToSlot, removeItem, removeLane, runOf, setInputShape, slotAfter, toBody, updateLayer, wrapInBranch,
} from "./model.js";
import { announce, copyText, toast } from "../shared/notify.js";

/** Above this many layers a model opens with its branches collapsed: ResNet152 is 50 blocks, not 566. */
const COLLAPSE_ABOVE = 150;

export function runKey(firstId, lastId) {
  return `run:${firstId}:${lastId}`;
}

/** The id that stands for an item on screen: a layer's own, a branch's merge. */
export const itemHandle = (item) => (item.lanes ? item.merge.id : item.id);

export function createIntents({ store, catalogue, setFocus, setReveal }) {
  const model = () => store.get().model;
  const position = (id) => indexOf(model(), id) + 1;
  const focusForm = () => document.querySelector("#inspector-body :is(input, select):not([disabled])")?.focus();

  /** A read-only graph (it does not nest into lanes) is not edited block by block. */
  function editable() {
    if (!model().graph) return true;
    toast(t("graph.readOnly"));
    return false;
  }

  function insert(type, slot, { toForm = false } = {}) {
    const kind = kindOf(catalogue, type);
    if (!kind || !editable()) return;
    if (kind.merge) {
      // A merge closes parallel lanes: it arrives as a branch of two empty lanes, ready to fill.
      const branch = makeBranch([[], []], makeLayer(starterSpec(kind)));
      setReveal(branch.id);
      store.commit(insertItem(model(), branch, slot), { selected: laneKey(branch.id, 0) });
      announce(t("announce.branchAdded", { type: kind.type }));
      return;
    }
    const layer = makeLayer(starterSpec(kind));
    setReveal(layer.id);
    store.commit(insertItem(model(), layer, slot), { selected: layer.id });
    announce(t("announce.added", { type: kind.type, position: position(layer.id) }));
    if (toForm) focusForm();
  }

  /** Keyboard focus after an item goes: its next neighbour in the same lane, else the one before. */
  function neighbourFocus(id) {
    const found = locate(model(), id);
    if (!found) return null;
    const list = container(model(), found.key);
    const neighbour = list[found.index + 1] ?? list[found.index - 1];
    return neighbour ? `${itemHandle(neighbour)}:select` : null;
  }

  function remove(id) {
    if (!editable()) return;
    const found = locate(model(), id);
    if (!found) return;
    const focus = neighbourFocus(id);
    const gone = new Set(found.role === "layer" ? [id] : layerIds(found.item));
    const selected = gone.has(store.get().selected) ? null : store.get().selected;
    setFocus(focus);
    store.commit(removeItem(model(), id), { selected });
    if (!focus) document.getElementById("stack").focus();
    announce(found.role === "layer" ? t("announce.removed", { type: found.item.spec.type }) : t("announce.branchRemoved"));
  }

  /** After the selected block (a merge: after its branch; a lane: at its end), or at the end. */
  function add(type, { toForm = false } = {}) {
    if (model().graph) return void editable();
    insert(type, slotAfter(model(), store.get().selected), { toForm });
  }

  /**
   * Shift-selection: the blocks from the selected one (or `from`, when none is) to this one, when both sit
   * in one lane. Answers whether it did.
   */
  function extendTo(id, from = null) {
    const anchorId = store.get().selected ?? from;
    const anchor = anchorId && locate(model(), anchorId);
    const target = locate(model(), id);
    if (!anchor || !target || anchor.key !== target.key) return false;
    const list = container(model(), target.key);
    const [low, high] = [Math.min(anchor.index, target.index), Math.max(anchor.index, target.index)];
    const range = list.slice(low, high + 1).map((item) => item.id);
    store.select(anchorId, { source: "stack", range: range.length > 1 ? range : null });
    return true;
  }

  function setCollapsed(key, collapse) {
    const keys = new Set(store.collapsed());
    if (collapse) keys.add(key);
    else keys.delete(key);
    store.setCollapsed(keys);
  }

  /** A large model opens with its top-level branches collapsed, so the page stays quick. */
  function collapseIfLarge(next) {
    const large = next.items && next.layers.length > COLLAPSE_ABOVE;
    store.setCollapsed(large ? next.items.filter((item) => item.lanes).map((item) => item.id) : []);
  }

  function load(preset) {
    const next = fromBody(structuredClone(preset.model));
    collapseIfLarge(next);
    store.commit(next, { selected: null });
    if (preset.title) announce(t("announce.loaded", { title: pick(preset.title) }));
  }

  /** Another model's items after the last block, as one undoable step; the first of them is brought into view. */
  function loadAfter(items) {
    if (!editable() || !items.length) return;
    setReveal(items[0].id);
    store.commit(appendItems(model(), items), { selected: null });
  }

  return {
    add,
    insert,
    loadAfter,
    extendTo,
    collapseIfLarge,
    move(id, delta, focus) {
      if (!editable()) return;
      const next = moveItem(model(), id, delta);
      if (next === model()) return;
      setFocus(focus);
      store.commit(next);
      announce(t("announce.moved", { position: position(id) || position(locate(next, id)?.item.merge?.id) }));
    },
    moveToSlot(id, slot) {
      if (!editable()) return;
      const next = moveToSlot(model(), id, slot);
      if (next !== model()) store.commit(next);
    },
    duplicate(id) {
      if (!editable()) return;
      const { model: next, id: copy } = duplicateItem(model(), id);
      setFocus(`${copy}:select`);
      store.commit(next, { selected: copy });
      announce(t("announce.duplicated", { position: indexOf(next, copy) + 1 }));
    },
    remove,
    select(id) {
      store.select(id, { source: "stack" });
      document.body.classList.toggle("sheet-open", id !== null && !String(id).includes(":"));
    },
    edit(id, spec, coalesce) {
      store.commit(updateLayer(model(), id, spec), { coalesce, source: "inspector" });
    },
    setShape(shape, { typing, axis }) {
      store.commit(setInputShape(model(), shape), { coalesce: typing ? `input:${axis}` : null, source: typing ? "input" : "app" });
    },
    /** Wrap the selected block, or the Shift-selected run, in a branch: it becomes lane 1, lane 2 a shortcut. */
    wrap() {
      if (!editable()) return;
      const { selected, range } = store.get();
      const run = runOf(model(), range ?? (selected ? [selected] : []));
      if (!run) return;
      const { model: next, branch } = wrapInBranch(model(), run, starterSpec(kindOf(catalogue, "Add")));
      setFocus(`${branch.merge.id}:select`);
      store.commit(next, { selected: branch.merge.id });
      announce(t("announce.wrapped", { count: run.to - run.from + 1 }));
    },
    addLane(branchId) {
      if (!editable()) return;
      const found = locate(model(), branchId);
      if (!found) return;
      const lane = found.item.lanes.length;
      setFocus(`${laneKey(branchId, lane)}:target`);
      store.commit(addLane(model(), branchId), { selected: laneKey(branchId, lane) });
      announce(t("announce.laneAdded", { lane: lane + 1 }));
    },
    removeLane(branchId, lane) {
      if (!editable()) return;
      setFocus(`${branchId}:addLane`);
      store.commit(removeLane(model(), branchId, lane), { selected: null });
      announce(t("announce.laneRemoved", { lane: lane + 1 }));
    },
    /** The lane the palette adds into next (an empty lane has no block to select). */
    target(key) {
      store.select(key, { source: "stack" });
      announce(t("announce.laneTarget", { lane: Number(key.split(":").pop()) + 1 }));
    },
    setMergeKind(mergeId, type) {
      const kind = kindOf(catalogue, type);
      const layer = model().layers.find((l) => l.id === mergeId);
      if (!kind || !layer || !editable()) return;
      // A new kind of merge starts from its own defaults, but stays the same layer: its name, and frozen if it was.
      const spec = { ...starterSpec(kind), ...(layer.spec.name ? { name: layer.spec.name } : {}),
        ...(layer.spec.trainable === false ? { trainable: false } : {}) };
      setFocus(`${mergeId}:kind`);
      store.commit(updateLayer(model(), mergeId, spec));
    },
    collapse(key) {
      setFocus(`${key}:expand`);
      setCollapsed(key, true);
    },
    expand(key, focus = null) {
      setFocus(focus);
      setCollapsed(key, false);
    },
    /** Collapse the Shift-selected run, or the branch of the selected merge, into one block. */
    collapseSelection() {
      const { selected, range } = store.get();
      const run = runOf(model(), range ?? (selected ? [selected] : []));
      if (!run) return;
      const list = container(model(), run.key);
      const key = run.from === run.to ? list[run.from].id : runKey(list[run.from].id, list[run.to].id);
      if (run.from === run.to && !list[run.from].lanes) return;
      store.select(null, { source: "stack" });
      setFocus(`${key}:expand`);
      setCollapsed(key, true);
    },
    /** Every top-level branch collapsed (the nested ones go with them), or everything opened. */
    collapseAll(collapse) {
      const top = model().items?.filter((item) => item.lanes).map((item) => item.id) ?? [];
      setFocus(collapse ? "bar:open-all" : "bar:collapse-all");
      store.setCollapsed(collapse ? top : []);
      announce(t(collapse ? "announce.collapsedAll" : "announce.openedAll"));
    },
    load,
    clear() {
      store.commit(clearLayers(model()), { selected: null });
      document.getElementById("stack").focus();
      announce(t("announce.cleared"));
    },
    async copyLink() {
      const copied = await copyText(shareLink(toBody(model())));
      toast(copied ? t("toolbar.linkCopied") : t("toolbar.linkCopyFailed"));
    },
  };
}
