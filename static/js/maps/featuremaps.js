// The Feature maps view: what every layer of the model makes of one picture. It asks the server
// (real TensorFlow, in a worker) when a picture is chosen, when the model changes (debounced) and
// when the view is opened after changes; while the view is hidden nothing is computed.

import { COLORMAPS } from "./colormap.js";
import { createLayerView } from "./fmlayers.js";
import { createPicker } from "./fmpicture.js";
import { createZoom } from "./fmzoom.js";
import { formatShape } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";
import { createMapsClient } from "./mapsclient.js";
import { toBody } from "../model/model.js";
import { announce } from "../shared/notify.js";

const $ = (id) => document.getElementById(id);
const SLOW_START_MS = 2500; // after this, say that the first run starts TensorFlow

/** Feature maps need a picture-shaped input; said here in the reader's language, before asking. */
function inputIssue(shape) {
  const ok = shape.length === 3 && (shape[2] === 1 || shape[2] === 3);
  return ok ? null : t("maps.needsImage", { shape: formatShape([null, ...shape]) });
}

/** An answer that is not maps, in plain words; `retry` when trying again may help. */
function problemOf(answer) {
  switch (answer.kind) {
    case "failed": return { text: t("maps.failed", { index: answer.layer + 1, name: answer.name, message: pick(answer.message) }) };
    case "refused": return { text: t("maps.refused"), detail: pick(answer.message) };
    case "tooBig": return { text: answer.layer == null ? t("maps.tooBig") : t("maps.tooBigAt", { index: answer.layer + 1 }), detail: pick(answer.message) };
    case "busy": return { text: t("maps.busy"), detail: pick(answer.message), retry: true };
    case "slow": return { text: t("maps.slow"), detail: pick(answer.message), retry: true };
    default: return { text: t("app.offline"), retry: true };
  }
}

export function createFeatureMaps({ store, catalogue, intents }) {
  const view = $("view-maps");
  const list = $("fm-layers");
  const zoom = createZoom();
  const layers = createLayerView(list, { onEnlarge: (what) => zoom.open(what, layers.colormap()) });
  const picker = createPicker({ onPick: () => refresh({ now: true }) });
  let visible = false;
  let stale = false; // the model changed while the view was hidden
  let seed = 0;
  let runId = null; // a finished run whose trained weights are shown; any edit goes back to random weights
  let shown = null; // {answer, context}: what the view shows now
  let everAnswered = false;
  let slowTimer = null;
  let drawing = 0; // a newer draw makes an older one's "ready" moot

  const client = createMapsClient({ onStart: started, onAnswer: answered });

  function setStatus(text) {
    $("fm-status-text").textContent = text;
  }

  function started() {
    view.classList.add("is-loading");
    list.setAttribute("aria-busy", "true");
    setStatus(t("maps.loading"));
    clearTimeout(slowTimer);
    if (!everAnswered) slowTimer = setTimeout(() => setStatus(t("maps.starting")), SLOW_START_MS);
  }

  function stopped() {
    clearTimeout(slowTimer);
    view.classList.remove("is-loading");
    list.removeAttribute("aria-busy");
    setStatus("");
  }

  function showProblem(problem) {
    const box = $("fm-problem");
    box.hidden = !problem;
    if (!problem) return;
    $("fm-problem-text").textContent = problem.text;
    $("fm-problem-detail").textContent = problem.detail ?? "";
    $("fm-problem-detail").hidden = !problem.detail;
    $("fm-retry").hidden = !problem.retry;
  }

  async function draw() {
    const picture = picker.picture();
    $("fm-empty").hidden = Boolean(picture);
    if (!shown) return;
    const { answer, context } = shown;
    if (answer.kind !== "maps") {
      drawing += 1;
      list.dataset.state = "problem";
      layers.clear();
      showProblem(answer.kind === "local" ? { text: answer.text } : problemOf(answer));
      return;
    }
    // Maps of the layers before a failing one: the failure is said above them, as the stack says it.
    const failure = context.failure;
    showProblem(failure ? { text: t("maps.failedAfter", { index: failure.layer + 1, name: failure.name }),
      detail: pick(failure.message) } : null);
    const mine = ++drawing;
    list.dataset.state = "painting";
    try {
      await layers.render(answer.data, { ...context, catalogue });
    } catch (error) { // an answer the page cannot draw must not leave the view half-built
      console.error(error);
      layers.clear();
      showProblem({ text: t("maps.undrawable"), retry: true });
    }
    markSelected();
    if (mine === drawing) list.dataset.state = "ready";
  }

  /** The card of the block open in the inspector is ringed, as the block is in the stack. */
  function markSelected() {
    const { selected } = store.get();
    for (const card of list.children) card.classList.toggle("is-selected", card.dataset.id === selected);
  }

  async function answered(answer, context) {
    if (answer.kind === "failed" && answer.layer > 0 && !context.failure) {
      // Keras cannot build layer k: ask for what the first k layers make of the picture instead.
      const { body } = context;
      const prefix = { ...body, layers: body.layers.slice(0, answer.layer) };
      client.request({ body: prefix, picture: context.picture, seed: context.seed }, { ...context, failure: answer }, { now: true });
      return;
    }
    stopped();
    zoom.close(); // it shows a tile of the maps being replaced
    everAnswered ||= answer.kind !== "offline";
    shown = { answer, context };
    await draw();
    if (answer.kind === "maps") {
      performance.measure("edit-to-maps", { start: context.editedAt, end: performance.now() });
      announce(t("maps.updated", { count: answer.data.layers.length }));
    }
  }

  /** Ask again for the current model and picture (now: a deliberate choice; otherwise debounced). */
  function refresh({ now = false, editedAt = performance.now() } = {}) {
    const picture = picker.picture();
    $("fm-empty").hidden = Boolean(picture);
    if (!picture) return;
    if (!visible) { stale = true; return; }
    stale = false;
    const { model } = store.get();
    const issue = inputIssue(model.input_shape);
    if (issue) {
      client.cancel();
      stopped();
      shown = { answer: { kind: "local", text: issue }, context: {} };
      draw();
      return;
    }
    const body = toBody(model);
    client.request({ body, picture, seed, runId }, { ids: model.layers.map((l) => l.id), picture, seed, runId, editedAt, body }, { now });
  }

  function wire() {
    $("fm-colormaps").addEventListener("change", (event) => {
      if (!COLORMAPS.includes(event.target.value)) return;
      view.dataset.colormap = event.target.value;
      layers.recolour(event.target.value);
      zoom.refresh(event.target.value);
    });
    $("fm-retry").addEventListener("click", () => refresh({ now: true }));
    list.addEventListener("click", (event) => {
      if (event.target.closest("[data-reseed]")) {
        if (runId) runId = null; // back to random weights, the same seed as before
        else seed += 1;
        refresh({ now: true });
      }
      const id = event.target.closest("[data-edit]")?.dataset.edit;
      if (id && store.get().model.layers.some((l) => l.id === id)) intents.select(id);
    });
  }

  wire();
  store.subscribe((state, change) => {
    if (!change.model) markSelected();
  });
  return {
    load: () => picker.load(),
    modelChanged: (editedAt) => {
      runId = null;
      refresh({ editedAt });
    },
    useRun(id) {
      runId = id;
      refresh({ now: true });
    },
    setVisible(next) {
      visible = next;
      if (visible && (stale || !shown)) refresh({ now: true });
    },
    redraw() {
      picker.render();
      draw();
      zoom.refresh();
    },
  };
}
