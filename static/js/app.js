// Boot and wiring: load the catalogue, pick the model to show (link, then last visit, then a
// preset), and connect the store to the views. Every edit goes store -> views + /api/shapes;
// every answer goes -> views. Measures edit-to-render as performance entries "edit-to-render".

import { createShapesClient, fetchCatalogue } from "./api.js";
import { indexCatalogue } from "./catalogue.js";
import { createIntents } from "./intents.js";
import { applyTo, lang, onLangChange, setLang, t } from "./i18n.js";
import { renderInput, wireInput } from "./inputblock.js";
import { renderInspector, updateInspector, wireInspector } from "./inspector.js";
import { bodyFromFragment, createPersister, loadLocal, writeFragment } from "./link.js";
import { fromBody, toBody } from "./model.js";
import { toast } from "./notify.js";
import { renderPalette, wireFilter, wirePalette } from "./palette.js";
import { loadPresets, renderPresets, wirePresets } from "./presets.js";
import { pythonCode } from "./python.js";
import { layerStates } from "./results.js";
import { renderStack, wireStack } from "./stack.js";
import { createStore } from "./state.js";
import { wireDrops } from "./dnd.js";
import { renderSummary, renderTotals, wireCopyButtons, wireTabs } from "./views.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_PRESET = "cifar10";

function initialBody(presets) {
  return bodyFromFragment() ?? loadLocal() ?? presets.find((p) => p.id === DEFAULT_PRESET).model;
}

async function main() {
  const [rawCatalogue, presets] = await Promise.all([fetchCatalogue(), loadPresets()]);
  const catalogue = indexCatalogue(rawCatalogue);
  const store = createStore(fromBody(initialBody(presets)));
  let answer = null;
  let states = layerStates(null, store.get().model);
  let focusKey = null;
  let reveal = null; // a block just added: scroll it into view once drawn
  let shownSelection = null;

  const client = createShapesClient((reply) => {
    answer = reply;
    renderAnswer();
    performance.measure("edit-to-render", { start: reply.context.editedAt, end: performance.now() });
  });

  const selectedLayer = () => store.get().model.layers.find((l) => l.id === store.get().selected) ?? null;
  const failedName = () => (answer?.kind === "result" ? answer.data.error?.name ?? null : null);

  function renderModel(change = {}) {
    const { model, selected } = store.get();
    // While someone types in a form the answer follows within milliseconds and redraws the stack;
    // drawing it twice per keystroke would only cost a layout.
    const typing = change.source === "inspector" || change.source === "input";
    if (!typing) renderStack($("stack"), { model, selected, states, catalogue, focusKey });
    focusKey = null;
    if (reveal) $("stack").querySelector(`[data-id="${reveal}"]`)?.scrollIntoView({ block: "nearest" });
    reveal = null;
    if (selected !== shownSelection) $("inspector").scrollTop = 0;
    shownSelection = selected;
    $("stack-empty").hidden = model.layers.length > 0;
    $("clear-model").hidden = model.layers.length === 0;
    renderInput($("input-block"), model.input_shape, { rebuild: change.source !== "input" });
    $("undo").disabled = !store.canUndo();
    $("redo").disabled = !store.canRedo();
    $("python-text").textContent = pythonCode(toBody(model), catalogue);
    if (change.source !== "inspector") renderInspector($("inspector-body"), { layer: selectedLayer(), catalogue, state: states.byId.get(selected) });
    updateInspector($("inspector-body"), { state: states.byId.get(selected), failedName: failedName() });
  }

  let shownFailure = null;
  function renderAnswer() {
    const { model, selected } = store.get();
    states = layerStates(answer, model);
    renderStack($("stack"), { model, selected, states, catalogue });
    // A new failure is brought into view once, so its message is seen; not on every keystroke.
    const failure = states.failedIndex == null ? null : answer.context.ids[states.failedIndex] ?? null;
    if (failure && failure !== shownFailure) $("stack").querySelector(`[data-id="${failure}"]`)?.scrollIntoView({ block: "nearest" });
    shownFailure = failure;
    renderTotals($("totals-body"), answer);
    renderSummary($("summary-text"), answer);
    renderInput($("input-block"), model.input_shape, { rebuild: false, issue: states.input?.msg ?? null });
    updateInspector($("inspector-body"), { state: states.byId.get(selected), failedName: failedName() });
  }

  function request(editedAt = performance.now()) {
    const { model } = store.get();
    client.request(toBody(model), { ids: model.layers.map((l) => l.id), editedAt });
  }

  const persist = createPersister();
  store.subscribe((state, change) => {
    if (change.model) {
      persist(toBody(state.model));
      states = layerStates(answer, state.model);
      request(change.editedAt);
    }
    renderModel(change);
  });

  const intents = createIntents({
    store, catalogue, setFocus: (key) => { focusKey = key; }, setReveal: (id) => { reveal = id; },
  });
  renderPalette($("palette-groups"), catalogue);
  wirePalette($("palette-groups"), $("palette-preview"), catalogue, intents);
  const refilter = wireFilter($("palette-filter"), $("palette-groups"), catalogue);
  wireStack($("stack"), intents);
  wireDrops($("stack"), $("view-blocks"), intents);
  wireInput($("input-block"), intents);
  wireInspector($("inspector-body"), { catalogue, getLayer: (id) => store.get().model.layers.find((l) => l.id === id), commit: intents.edit });
  renderPresets($("preset-list"), presets);
  wirePresets($("presets-menu"), presets, intents);
  wireTabs(document.querySelector('[role="tablist"]'));
  wireCopyButtons(document.body);
  wireToolbar(store, intents);
  wireLanguage(() => {
    renderPalette($("palette-groups"), catalogue);
    refilter();
    renderPresets($("preset-list"), presets);
    renderModel({});
    renderAnswer();
  });
  window.addEventListener("hashchange", () => {
    const body = bodyFromFragment();
    if (body) intents.load({ model: body });
  });

  writeFragment(toBody(store.get().model));
  renderModel({});
  request();
}

function wireToolbar(store, intents) {
  $("undo").addEventListener("click", () => store.undo());
  $("redo").addEventListener("click", () => store.redo());
  $("copy-link").addEventListener("click", intents.copyLink);
  $("clear-model").addEventListener("click", intents.clear);
  $("inspector-close").addEventListener("click", () => intents.select(null));
  document.addEventListener("keydown", (event) => {
    const mod = event.ctrlKey || event.metaKey;
    const editing = event.target.closest?.("input, textarea, select, [contenteditable]");
    if (!mod || editing || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) { event.preventDefault(); store.undo(); }
    else if ((key === "z" && event.shiftKey) || key === "y") { event.preventDefault(); store.redo(); }
  });
}

function wireLanguage(rerender) {
  const buttons = document.querySelectorAll(".lang-switch [data-lang]");
  for (const button of buttons) {
    button.addEventListener("click", () => setLang(button.dataset.lang).catch(() => toast(t("app.offline"))));
  }
  onLangChange((next) => {
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.lang === next));
    rerender();
  });
  applyTo();
  document.documentElement.lang = lang();
}

main().catch((error) => {
  console.error(error);
  toast(t("app.failed"));
});
