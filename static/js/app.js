// Boot and wiring: load the catalogue and presets, pick the model to show (the link, then the last
// visit, then a preset), and connect store, server and screen. Every edit: store -> screen + request;
// every answer: -> screen. Each answer is timed as a performance entry "edit-to-render".

import { createShapesClient, fetchCatalogue } from "./shared/api.js";
import { indexCatalogue, kindOf } from "./model/catalogue.js";
import { configureNames } from "./model/graph.js";
import { wireOpenFile } from "./blocks/openfile.js";
import { wireNoticeClose } from "./blocks/notice.js";
import { createImportApplier } from "./code/apply.js";
import { download, wireExportMenu } from "./code/exportmenu.js";
import { wirePasteCode } from "./code/paste.js";
import { createPythonView } from "./views/python.js";
import { wireSelectionBar } from "./blocks/selectionbar.js";
import { wireDrops } from "./blocks/dnd.js";
import { createFeatureMaps } from "./maps/featuremaps.js";
import { createTraining } from "./train/train.js";
import { applyTo, lang, onLangChange, setLang, t } from "./shared/i18n.js";
import { wireInput } from "./blocks/inputblock.js";
import { wireInspector } from "./blocks/inspector.js";
import { createIntents } from "./model/intents.js";
import { bodyFromFragment, createPersister, modelBeforeLink, startingModels, writeFragment } from "./model/link.js";
import { fromBody, toBody } from "./model/model.js";
import { toast } from "./shared/notify.js";
import { renderPalette, wireFilter, wirePalette } from "./blocks/palette.js";
import { loadPresets, renderPresets, wirePresets } from "./model/presets.js";
import { createScreen } from "./blocks/screen.js";
import { wireStack } from "./blocks/stack.js";
import { createStore } from "./model/state.js";
import { wireCopyButtons, wireTabs } from "./views/views.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_PRESET = "cifar10";

async function main() {
  const [rawCatalogue, presets] = await Promise.all([fetchCatalogue(), loadPresets()]);
  const catalogue = indexCatalogue(rawCatalogue);
  configureNames((type) => kindOf(catalogue, type)); // Keras's automatic names join the lanes in the API body
  const { start, opened } = startingModels(presets.find((p) => p.id === DEFAULT_PRESET).model);
  const store = createStore(fromBody(start));
  const screen = createScreen(store, catalogue);
  const client = createShapesClient((reply) => {
    screen.drawAnswer(reply);
    performance.measure("edit-to-render", { start: reply.context.editedAt, end: performance.now() });
  });
  const request = (editedAt = performance.now()) => {
    const { model } = store.get();
    client.request(toBody(model), { ids: model.layers.map((l) => l.id), editedAt });
  };
  const persist = createPersister();
  const intents = createIntents({ store, catalogue, setFocus: screen.focusAfterDraw, setReveal: screen.revealAfterDraw });
  intents.collapseIfLarge(store.get().model);
  if (opened) intents.load({ model: opened }); // the learner's own model stays one Undo away
  const maps = createFeatureMaps({ store, catalogue, intents });
  const training = createTraining({ store, intents, seeTrainedMaps: (run) => {
    intents.load({ model: run.request.model }); // the run's own model, so its weights fit
    maps.useRun(run.id);
    $("tab-maps").click();
  }, downloadCode: (run) => download({ model: run.request.model, format: "python", runId: run.id,
    base: `train_${run.id}`, notice: $("import-notice") }) });
  const python = createPythonView({ pre: $("python-text"), problem: $("python-problem"),
    getBody: () => toBody(store.get().model), isShown: () => !$("view-python").hidden });
  store.subscribe((state, change) => {
    if (change.model) {
      persist(toBody(state.model));
      request(change.editedAt);
      maps.modelChanged(change.editedAt);
      python.refresh();
    }
    screen.drawModel(change);
  });
  wireEverything({ store, catalogue, presets, intents, screen, maps, training, python });
  if (opened) showLinkNotice(intents);
  writeFragment(toBody(store.get().model));
  screen.drawModel({});
  request();
  maps.load().catch((error) => console.warn("samples could not be loaded", error));
  training.load().catch((error) => console.warn("datasets could not be loaded", error));
}

function wireEverything({ store, catalogue, presets, intents, screen, maps, training, python }) {
  renderPalette($("palette-groups"), catalogue);
  wirePalette($("palette-groups"), $("palette-preview"), catalogue, intents);
  const refilter = wireFilter($("palette-filter"), $("palette-groups"), catalogue);
  wireStack($("stack"), intents);
  wireDrops($("stack"), $("view-blocks"), intents);
  wireSelectionBar($("selection-bar"), intents);
  const notice = $("import-notice");
  wireNoticeClose(notice);
  const applier = createImportApplier({ store, intents, notice, training, showTab });
  const paste = wirePasteCode({ button: $("paste-code"), applier });
  wireOpenFile({ button: $("open-file"), input: $("open-file-input"), notice,
    workspace: document.querySelector(".workspace"), onModel: (body) => {
      intents.load({ model: body });
      showTab("blocks");
      return store.get().model;
    }, onPython: paste.openPythonFile });
  wireExportMenu($("export-menu"), { getModel: () => toBody(store.get().model), notice });
  $("python-download").addEventListener("click", () => download({ model: toBody(store.get().model), format: "python", notice }));
  wireInput($("input-block"), intents);
  const getLayer = (id) => store.get().model.layers.find((l) => l.id === id);
  wireInspector($("inspector-body"), { catalogue, getLayer, commit: intents.edit });
  renderPresets($("preset-list"), presets);
  wirePresets($("presets-menu"), presets, intents);
  const workspace = document.querySelector(".workspace");
  wireTabs(document.querySelector('[role="tablist"]'), (tab) => {
    workspace.dataset.view = tab.id.replace("tab-", ""); // the layout follows the view (no inspector for code)
    maps.setVisible(tab.id === "tab-maps");
    python.refresh({ now: true });
  });
  wireCopyButtons(document.body);
  wireToolbar(store, intents);
  wireLanguage(() => {
    renderPalette($("palette-groups"), catalogue);
    refilter();
    renderPresets($("preset-list"), presets);
    screen.drawModel({});
    screen.drawAnswer();
    maps.redraw();
    training.redraw();
    python.refresh({ now: true });
  });
  window.addEventListener("hashchange", () => {
    const body = bodyFromFragment();
    if (body) intents.load({ model: body });
  });
}

/** Show a view by its tab ("blocks", "train", …) unless it is shown already. */
function showTab(name) {
  const tab = $(`tab-${name}`);
  if (tab.getAttribute("aria-selected") !== "true") tab.click();
}

/** A link replaced what the learner had: say so, and offer their own model back. */
function showLinkNotice(intents) {
  const notice = $("link-notice");
  notice.hidden = false;
  $("link-restore").addEventListener("click", () => {
    const own = modelBeforeLink();
    if (own) intents.load({ model: own });
    notice.hidden = true;
    toast(t("link.restored"));
  });
  $("link-dismiss").addEventListener("click", () => { notice.hidden = true; });
}

function wireToolbar(store, intents) {
  $("undo").addEventListener("click", () => store.undo());
  $("redo").addEventListener("click", () => store.redo());
  $("copy-link").addEventListener("click", intents.copyLink);
  $("clear-model").addEventListener("click", intents.clear);
  $("inspector-close").addEventListener("click", () => intents.select(null));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("sheet-open")) intents.select(null);
    const mod = event.ctrlKey || event.metaKey;
    // Inside a field, Ctrl+Z belongs to the field's own text undo.
    const editing = event.target.closest?.("input, textarea, select, [contenteditable]");
    if (!mod || editing || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) { event.preventDefault(); store.undo(); }
    else if ((key === "z" && event.shiftKey) || key === "y") { event.preventDefault(); store.redo(); }
  });
}

function wireLanguage(redraw) {
  const buttons = document.querySelectorAll(".lang-switch [data-lang]");
  for (const button of buttons) {
    button.addEventListener("click", () => setLang(button.dataset.lang).catch(() => toast(t("app.offline"))));
  }
  onLangChange((next) => {
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.lang === next));
    redraw();
  });
  applyTo();
  document.documentElement.lang = lang();
}

main().catch((error) => {
  console.error(error);
  toast(t("app.failed"));
});
