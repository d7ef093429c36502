// What an imported model (pasted code, a .py file) does to the page: it replaces the model, or its layers go
// after the model's last block when the shapes meet (else the reason, in words). Either is one undoable step.
// Then a notice: what was read, the reader's notes, and compile()/fit()'s settings with a button that carries
// them to the Train tab.

import { el } from "../shared/dom.js";
import { formatShape } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { fromBody, mapSpecs, toBody } from "../model/model.js";
import { namer } from "../model/graph.js";
import { noteText, showNotice } from "../blocks/notice.js";
import { toast } from "../shared/notify.js";

const TRAINING_ORDER = ["optimizer", "learning_rate", "epochs", "batch_size", "validation_split"];

/** "optimizer adam · learning_rate 0.001 · epochs 15": the settings the code gave, in Keras's words. */
export function trainingWords(training) {
  return TRAINING_ORDER.filter((key) => training?.[key] != null).map((key) => `${key} ${training[key]}`).join(" · ");
}

/** Two shapes meet when they have as many axes and each pair is equal or unknown (None). */
function shapesMeet(ends, takes) {
  return ends.length === takes.length && ends.every((dim, i) => dim == null || takes[i] == null || dim === takes[i]);
}

async function answerFor(body) {
  const response = await fetch("/api/shapes", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify(body) });
  return response.ok ? response.json() : null;
}

/** Names the added layers give themselves must not repeat the model's: a repeated given name is dropped. */
function withoutClashes(current, items) {
  let added = items;
  for (let round = 0; round < 4; round++) {
    const nameOf = namer();
    const mine = new Set(current.layers.map((layer) => nameOf(layer.spec)));
    const clash = new Set();
    mapSpecs(added, (spec) => {
      const name = nameOf(spec);
      if (mine.has(name) && spec.name) clash.add(name);
      mine.add(name);
      return spec;
    });
    if (!clash.size) return added;
    added = mapSpecs(added, (spec) => {
      if (!clash.has(spec.name)) return spec;
      const { name, ...rest } = spec;
      return rest;
    });
  }
  return added;
}

/**
 * createImportApplier({store, intents, notice, training, showTab}) -> {apply(payload, {mode, name}), report(...)}
 * apply answers {ok: true, outcome} or {ok: false, reason}; report shows the notice for an outcome.
 */
export function createImportApplier({ store, intents, notice, training, showTab }) {
  async function add(body) {
    const current = store.get().model;
    if (current.graph) return { ok: false, reason: t("paste.addGraph") };
    const addition = fromBody(body);
    if (addition.graph) return { ok: false, reason: t("paste.addNotNested") };
    if (!current.layers.length) { // nothing to add after: the pasted model, input and all
      intents.load({ model: body });
      return { ok: true, outcome: { mode: "replace", model: store.get().model } };
    }
    const answer = await answerFor(toBody(current));
    if (!answer) return { ok: false, reason: t("app.offline") };
    if (!answer.valid) return { ok: false, reason: t("paste.addInvalid", { index: answer.error.layer + 1, name: answer.error.name }) };
    const ends = answer.output_shape.slice(1);
    if (!shapesMeet(ends, body.input_shape)) {
      return { ok: false, reason: t("paste.addMismatch", { ends: formatShape(answer.output_shape), takes: formatShape([null, ...body.input_shape]) }) };
    }
    const last = answer.layers.at(-1).name;
    intents.loadAfter(withoutClashes(current, addition.items));
    return { ok: true, outcome: { mode: "add", count: addition.layers.length, after: last, model: store.get().model } };
  }

  async function apply(payload, { mode }) {
    if (mode === "add") return add(payload.model);
    intents.load({ model: payload.model });
    return { ok: true, outcome: { mode: "replace", model: store.get().model } };
  }

  function trainingButton(settings) {
    const button = el("button", { type: "button", class: "btn", text: t("paste.useTraining") });
    button.addEventListener("click", () => {
      const { applied, kept } = training.applySettings(settings);
      showTab("train");
      const words = trainingWords(Object.fromEntries(applied.map((key) => [key, settings[key]])));
      toast([t("paste.trainingApplied", { settings: words }),
        ...kept.map(({ name, value, instead }) => t("paste.trainingKept", { name: `${name} ${value}`, kept: instead }))].join(" "));
      notice.hidden = true;
    });
    return button;
  }

  /** The notice after a model came in: what it became, the reader's notes, and the code's training settings. */
  function report(payload, outcome, { name = null } = {}) {
    const { model } = outcome;
    let title;
    if (outcome.mode === "add") title = t("paste.added", { count: outcome.count, name: outcome.after });
    else if (name) title = t(model.graph ? "import.openedGraph" : "import.opened", { name, count: model.layers.length });
    else title = t(model.graph ? "paste.replacedGraph" : "paste.replaced", { count: model.layers.length });
    const lines = (payload.notes ?? []).map(noteText).filter(Boolean);
    const settings = payload.training;
    const words = settings ? trainingWords(settings) : "";
    if (words) lines.push(t("paste.training", { settings: words }));
    showNotice(notice, { title, lines, actions: words ? [trainingButton(settings)] : [] });
    showTab("blocks");
  }

  return { apply, report };
}
