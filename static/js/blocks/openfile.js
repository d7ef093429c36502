// Opening a model file: a .keras or .h5 file, or a model's JSON config (model.to_json()), chosen with the
// toolbar button or dropped anywhere on the page. The server reads only its architecture, as data, and
// answers the /api/shapes body and notes on anything it changed; the model replaces the current one as
// one undoable step, and the notes are shown above the model.

import { el } from "../shared/dom.js";
import { pick, t } from "../shared/i18n.js";
import { announce } from "../shared/notify.js";

const MODEL_FILE = /\.(keras|h5|hdf5|json)$/i;

/** POST the file; answers {ok: true, model, notes} or {ok: false, message, details}. */
export async function importModel(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  let response;
  let payload = null;
  try {
    response = await fetch("/api/import", { method: "POST", body: form });
    payload = await response.json().catch(() => null);
  } catch {
    return { ok: false, message: t("app.offline"), details: [] };
  }
  if (response.ok && payload?.model) return { ok: true, model: payload.model, notes: payload.notes ?? [] };
  const message = payload?.message ? pick(payload.message) : t("import.failed", { status: response.status });
  const details = (payload?.detail ?? []).map((d) => pick({ en: d.msg, ko: d.msg_ko ?? d.msg })).filter((text) => text && text !== message);
  return { ok: false, message, details };
}

/** A note may come as text, {en, ko} or {message: {en, ko}}. */
const noteText = (note) => pick(note?.message ?? note?.text ?? note);

function showNotice(notice, { title, lines, error }) {
  notice.classList.toggle("is-error", Boolean(error));
  const close = el("button", { type: "button", class: "btn btn-quiet", "data-close": "", text: t("import.close") });
  const list = lines.length ? el("ul", { class: "import-notes" }, ...lines.slice(0, 20).map((line) => el("li", { text: line }))) : null;
  notice.replaceChildren(el("div", { class: "import-body" }, el("p", { class: "import-title", text: title }), list), close);
  notice.hidden = false;
  announce(title);
}

/**
 * wireOpenFile({button, input, notice, workspace, onModel(body) -> model}): the button opens the picker;
 * a model file dropped on the page (not on the feature maps' picture area) is opened too.
 */
export function wireOpenFile({ button, input, notice, workspace, onModel }) {
  async function open(file) {
    if (!MODEL_FILE.test(file.name)) {
      showNotice(notice, { title: t("import.notModel", { name: file.name }), lines: [], error: true });
      return;
    }
    workspace.setAttribute("aria-busy", "true");
    const answer = await importModel(file);
    workspace.removeAttribute("aria-busy");
    if (!answer.ok) {
      showNotice(notice, { title: t("import.refused", { name: file.name, message: answer.message }), lines: answer.details, error: true });
      return;
    }
    const model = onModel(answer.model);
    const title = t(model.graph ? "import.openedGraph" : "import.opened", { name: file.name, count: model.layers.length });
    showNotice(notice, { title, lines: answer.notes.map(noteText).filter(Boolean), error: false });
  }
  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    const [file] = input.files;
    input.value = ""; // the same file can be opened again
    if (file) open(file);
  });
  notice.addEventListener("click", (event) => {
    if (event.target.closest("[data-close]")) notice.hidden = true;
  });

  const carriesFile = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files")
    && !event.target.closest?.("#view-maps, #view-train");
  let depth = 0;
  const hint = () => document.body.classList.toggle("file-over", depth > 0);
  document.addEventListener("dragenter", (event) => {
    if (!carriesFile(event)) return;
    depth += 1;
    hint();
  });
  document.addEventListener("dragleave", (event) => {
    if (!carriesFile(event)) return;
    depth = Math.max(0, depth - 1);
    hint();
  });
  document.addEventListener("dragover", (event) => {
    if (!carriesFile(event)) return;
    event.preventDefault(); // allows the drop instead of the browser opening the file
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", (event) => {
    if (!carriesFile(event)) return;
    event.preventDefault();
    depth = 0;
    hint();
    const [file] = event.dataTransfer.files;
    if (file) open(file);
  });
}
