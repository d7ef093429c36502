// Opening a model file: a .keras or .h5 file, or a model's JSON config (model.to_json()), chosen with the
// toolbar button or dropped anywhere on the page. The server reads only its architecture, as data, and
// answers the /api/shapes body and notes on anything it changed; the model replaces the current one as
// one undoable step, and the notes are shown above the model. A .py file is Keras code: it goes to the
// Paste code reader (onPython), which points at the line of any problem.

import { postImport } from "../shared/api.js";
import { pick, t } from "../shared/i18n.js";
import { detailLines, noteText, showNotice, wireNoticeClose } from "./notice.js";

const MODEL_FILE = /\.(keras|h5|hdf5|json)$/i;
const PYTHON_FILE = /\.py$/i;

/** POST the file; answers {ok: true, model, notes} or {ok: false, message, details}. */
export async function importModel(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  const answer = await postImport(form);
  if (answer.ok) return { ok: true, model: answer.payload.model, notes: answer.payload.notes ?? [] };
  if (answer.offline) return { ok: false, message: t("app.offline"), details: [] };
  const message = answer.payload?.message ? pick(answer.payload.message) : t("import.failed", { status: answer.status });
  return { ok: false, message, details: detailLines(answer.payload, message) };
}

/**
 * wireOpenFile({button, input, notice, workspace, onModel(body) -> model, onPython(file)}): the button opens
 * the picker; a model file dropped on the page (not on the feature maps' picture area) is opened too.
 */
export function wireOpenFile({ button, input, notice, workspace, onModel, onPython }) {
  async function open(file) {
    if (PYTHON_FILE.test(file.name)) {
      onPython(file);
      return;
    }
    if (!MODEL_FILE.test(file.name)) {
      showNotice(notice, { title: t("import.notModel", { name: file.name }), error: true });
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
    showNotice(notice, { title, lines: answer.notes.map(noteText).filter(Boolean) });
  }
  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    const [file] = input.files;
    input.value = ""; // the same file can be opened again
    if (file) open(file);
  });
  wireNoticeClose(notice);

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
