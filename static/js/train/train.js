// The Train view: choose a dataset (one button fits the model to it), set the few settings that matter,
// start; watch the progress and the curves live (Server-Sent Events), stop if you like; then the test
// score, the confusion matrix, pictures it got wrong, the .keras file and what the trained network sees.
// Every run is kept: tick several to compare their curves.

import { fetchJSON } from "../shared/api.js";
import { formatInt, formatShape } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";
import { toBody } from "../model/model.js";
import { toast } from "../shared/notify.js";
import { COLOURS, lineChart } from "./chart.js";
import { renderDatasets } from "./datasets.js";
import { renderResults } from "./results.js";
import { renderComparison, renderRuns } from "./runs.js";

const $ = (id) => document.getElementById(id);
const NUMBERS = ["epochs", "batch_size", "learning_rate", "validation_split", "seed", "rotation", "zoom", "translation"];

export function createTraining({ store, intents, seeTrainedMaps, downloadCode }) {
  let datasets = [];
  let chosen = null;
  let runs = [];
  const picked = new Set();
  let shown = null; // the run in the live panel
  let stream = null;

  const dataset = (id) => datasets.find((d) => d.id === id);

  function drawDatasets() {
    renderDatasets($("tr-datasets"), datasets, chosen?.id);
    $("tr-fit-text").textContent = chosen ? t("train.fitText", { name: pick(chosen.name),
      shape: formatShape([null, ...chosen.input_shape]), classes: chosen.classes.length }) : "";
    $("tr-fit").disabled = !chosen;
  }

  /** Input shape to the dataset's, and the last Dense to one unit per class: two undoable edits. */
  function fitModel() {
    const shape = chosen.input_shape;
    intents.setShape([...shape], { typing: false, axis: null });
    const last = store.get().model.layers.at(-1);
    if (last?.spec.type === "Dense") intents.edit(last.id, { ...last.spec, units: chosen.classes.length }, null);
    toast(t("train.fitDone", { shape: formatShape([null, ...shape]), classes: chosen.classes.length }));
  }

  function requestBody() {
    const form = $("tr-settings");
    const value = (name) => Number(form.elements[name].value);
    const [epochs, batch, rate, split, seed, rotation, zoom, translation] = NUMBERS.map(value);
    return { model: toBody(store.get().model), dataset: chosen?.id ?? "", epochs, batch_size: batch,
      optimizer: form.elements.optimizer.value, learning_rate: rate, validation_split: split, seed,
      augment: { rotation, zoom, translation, flip: form.elements.flip.checked } };
  }

  async function start(event) {
    event.preventDefault();
    const refusal = $("tr-refusal");
    refusal.hidden = true;
    const response = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify(requestBody()) });
    const payload = await response.json().catch(() => null);
    if (response.status !== 202) {
      refusal.textContent = payload?.message ? pick(payload.message) : `HTTP ${response.status}`;
      refusal.hidden = false;
      return;
    }
    follow(payload);
    refreshRuns();
  }

  function drawCurves(run) {
    const points = (key) => run.history.map((e) => [e.epoch, e[key]]);
    const xMax = run.request.epochs;
    const pair = (key) => [{ name: t("train.train"), colour: COLOURS[0], points: points(key) },
      { name: t("train.val"), colour: COLOURS[1], dashed: true, points: points(`val_${key}`) }];
    lineChart($("tr-loss"), pair("loss"), { xMax, label: t("train.lossChart") });
    lineChart($("tr-accuracy"), pair("accuracy"), { xMax, yMax: 1, label: t("train.accuracyChart") });
  }

  function drawProgress(run, progress) {
    const bar = $("tr-progress");
    const done = progress ? ((progress.epoch - 1) * progress.batches + progress.batch) / (progress.epochs * progress.batches) : 0;
    const share = run.status === "done" ? 100 : Math.round(done * 100);
    bar.setAttribute("aria-valuenow", String(share));
    $("tr-progress-bar").style.width = `${share}%`;
    let text = t(`train.status.${run.status}`);
    if (run.status === "queued") text = t("train.queued", { position: run.position ?? 1 });
    else if (run.status === "running") text = progress ? t("train.progress", { ...progress, speed: formatInt(Math.round(progress.samples_per_s)),
      eta: `${Math.ceil(progress.eta_s)} s` }) : t("train.starting");
    $("tr-progress-text").textContent = text;
  }

  function show(run) {
    shown = run;
    $("tr-live").hidden = false;
    $("tr-run-title").textContent = t("train.runTitle", { id: run.id, dataset: pick(dataset(run.dataset)?.name ?? run.dataset), params: formatInt(run.params) });
    $("tr-stop").hidden = !["queued", "running"].includes(run.status);
    drawProgress(run, run.progress);
    drawCurves(run);
    renderResults($("tr-results"), run, dataset(run.dataset), { onSeeMaps: seeTrainedMaps, onDownloadCode: downloadCode });
  }

  /** Follow a run live: what happened so far comes first, then each event as it happens. */
  function follow(run) {
    stream?.close();
    show(run);
    if (!["queued", "running"].includes(run.status)) return;
    stream = new EventSource(`/api/runs/${run.id}/events`);
    stream.addEventListener("progress", (event) => {
      shown = { ...shown, status: "running" };
      drawProgress(shown, JSON.parse(event.data));
      $("tr-stop").hidden = false;
    });
    stream.addEventListener("epoch", (event) => {
      shown = { ...shown, status: "running", history: [...shown.history.filter((e) => e.epoch !== JSON.parse(event.data).epoch), JSON.parse(event.data)] };
      drawCurves(shown);
    });
    stream.addEventListener("end", async () => {
      stream.close();
      show(await fetchJSON(`/api/runs/${run.id}`));
      refreshRuns();
    });
  }

  const hooks = {
    onPick: (id, on) => {
      if (on) picked.add(id);
      else picked.delete(id);
      renderComparison($("tr-compare"), runs, picked);
    },
    onOpen: async (id) => follow(await fetchJSON(`/api/runs/${id}`)),
  };

  function drawRuns() {
    renderRuns($("tr-runs"), runs, datasets, picked, hooks);
    renderComparison($("tr-compare"), runs, picked);
  }

  async function refreshRuns() {
    runs = (await fetchJSON("/api/runs")).runs;
    drawRuns();
  }

  /** A zip of class folders becomes a dataset of one's own, chosen at once. */
  async function uploadZip(event) {
    event.preventDefault();
    const problem = $("tr-upload-problem");
    problem.hidden = true;
    const form = new FormData($("tr-upload"));
    if (!form.get("name")) form.delete("name");
    const response = await fetch("/api/datasets", { method: "POST", body: form });
    const payload = await response.json().catch(() => null);
    if (response.status !== 201) {
      problem.textContent = payload?.message ? pick(payload.message) : `HTTP ${response.status}`;
      problem.hidden = false;
      return;
    }
    datasets = (await fetchJSON("/api/datasets")).datasets;
    chosen = dataset(payload.id);
    drawDatasets();
  }

  function wire() {
    $("tr-datasets").addEventListener("click", (event) => {
      const id = event.target.closest("[data-dataset]")?.dataset.dataset;
      if (id) { chosen = dataset(id); drawDatasets(); }
    });
    $("tr-fit").addEventListener("click", fitModel);
    $("tr-upload").addEventListener("submit", uploadZip);
    $("tr-settings").addEventListener("submit", start);
    $("tr-stop").addEventListener("click", () => shown && fetch(`/api/runs/${shown.id}/stop`, { method: "POST" }));
  }

  /**
   * Settings from pasted code's compile() and fit() into the form. Answers which were set, and which were kept
   * because the form does not offer them (an optimizer it lacks): {applied: [name], kept: [{name, value, instead}]}.
   */
  function applySettings(settings) {
    const form = $("tr-settings");
    const applied = [];
    const kept = [];
    for (const name of ["epochs", "batch_size", "learning_rate", "validation_split"]) {
      if (typeof settings?.[name] !== "number") continue;
      form.elements[name].value = String(settings[name]);
      applied.push(name);
    }
    const optimizer = settings?.optimizer == null ? null : String(settings.optimizer).toLowerCase();
    if (optimizer) {
      const offered = [...form.elements.optimizer.options].some((option) => option.value === optimizer);
      if (offered) {
        form.elements.optimizer.value = optimizer;
        applied.unshift("optimizer");
      } else kept.push({ name: "optimizer", value: settings.optimizer, instead: form.elements.optimizer.value });
    }
    return { applied, kept };
  }

  wire();
  return {
    applySettings,
    async load() {
      datasets = (await fetchJSON("/api/datasets")).datasets;
      chosen = datasets.find((d) => d.available) ?? null;
      drawDatasets();
      await refreshRuns();
    },
    redraw() {
      drawDatasets();
      if (shown) show(shown);
      drawRuns();
    },
  };
}
