// What a person can do to the model, in one place: add, insert, move, duplicate, remove, edit,
// select, load a preset, clear. Each is one undoable step (typing into one field is one step),
// and each says what happened to screen-reader users.

import { kindOf, starterSpec } from "./catalogue.js";
import { pick, t } from "../shared/i18n.js";
import { shareLink } from "./link.js";
import {
  clearLayers, duplicateLayer, fromBody, indexOf, insertLayer, moveLayer, removeLayer, setInputShape, toBody, updateLayer,
} from "./model.js";
import { announce, copyText, toast } from "../shared/notify.js";

export function createIntents({ store, catalogue, setFocus, setReveal }) {
  const model = () => store.get().model;
  const position = (id) => indexOf(model(), id) + 1;

  function insert(type, index) {
    const kind = kindOf(catalogue, type);
    if (!kind) return;
    const { model: next, id } = insertLayer(model(), starterSpec(kind), index);
    setReveal(id);
    store.commit(next, { selected: id });
    announce(t("announce.added", { type: kind.type, position: position(id) }));
  }

  function move(id, delta, focus) {
    const from = indexOf(model(), id);
    const to = from + delta;
    if (to < 0 || to >= model().layers.length) return;
    setFocus(focus);
    store.commit(moveLayer(model(), id, to));
    announce(t("announce.moved", { position: to + 1 }));
  }

  function remove(id) {
    const index = indexOf(model(), id);
    const layers = model().layers;
    const neighbour = layers[index + 1] ?? layers[index - 1];
    const selected = store.get().selected === id ? null : store.get().selected;
    setFocus(neighbour ? `${neighbour.id}:select` : null);
    store.commit(removeLayer(model(), id), { selected });
    if (!neighbour) document.getElementById("stack").focus();
    announce(t("announce.removed", { type: layers[index].spec.type }));
  }

  /** After the selected block, or at the end; by keyboard, straight into the new block's first field. */
  function add(type, { toForm = false } = {}) {
    const selected = store.get().selected;
    const after = selected === null ? -1 : indexOf(model(), selected);
    insert(type, after < 0 ? model().layers.length : after + 1);
    if (toForm) document.querySelector("#inspector-body :is(input, select):not([disabled])")?.focus();
  }

  return {
    add,
    insert,
    move,
    moveToSlot(id, slot) {
      const from = indexOf(model(), id);
      const to = slot > from ? slot - 1 : slot;
      if (from !== to) store.commit(moveLayer(model(), id, to));
    },
    duplicate(id) {
      const { model: next, id: copy } = duplicateLayer(model(), id);
      setFocus(`${copy}:select`);
      store.commit(next, { selected: copy });
      announce(t("announce.duplicated", { position: position(copy) }));
    },
    remove,
    select(id) {
      store.select(id, { source: "stack" });
      document.body.classList.toggle("sheet-open", id !== null);
    },
    edit(id, spec, coalesce) {
      store.commit(updateLayer(model(), id, spec), { coalesce, source: "inspector" });
    },
    setShape(shape, { typing, axis }) {
      store.commit(setInputShape(model(), shape), { coalesce: typing ? `input:${axis}` : null, source: typing ? "input" : "app" });
    },
    load(preset) {
      store.commit(fromBody(structuredClone(preset.model)), { selected: null });
      if (preset.title) announce(t("announce.loaded", { title: pick(preset.title) }));
    },
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
