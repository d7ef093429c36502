// Paste code: a tutorial cell, a model.add(...) stack or functional code becomes blocks. The server reads it with
// `ast` and never runs it (POST /api/import, field `code`; a dropped .py file goes as `file`). "Replace my model"
// or "Add to my model", each one undoable step; a refusal marks the line it names and says why under the box.

import { codeLocation, postImport } from "../shared/api.js";
import { pick, t } from "../shared/i18n.js";
import { detailLines } from "../blocks/notice.js";
import { createCodeEditor } from "./editor.js";

const $ = (id) => document.getElementById(id);

/** The Keras MNIST convnet example (keras.io), as people paste it from the tutorial. */
export const SAMPLE = `import keras
from keras import layers

num_classes = 10
input_shape = (28, 28, 1)

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)

model.summary()

batch_size = 128
epochs = 15

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)
`;

/** "line 4, column 12: " or "4행 12열: " at the start of a sentence that the heading already says. */
const LEADING_PLACE = /^\s*(?:line \d+(?:,? column \d+)?|\d+행(?:,? ?\d+열)?)\s*[:,]\s*/i;

/** What the server's refusal says: {message, details, where}. */
function refusal(answer) {
  if (answer.offline) return { message: t("app.offline"), details: [], where: null };
  const message = answer.payload?.message ? pick(answer.payload.message) : t("import.failed", { status: answer.status });
  return { message, details: detailLines(answer.payload, message), where: codeLocation(answer.payload), server: true };
}

/**
 * wirePasteCode({button, applier}): the toolbar button opens the dialog. Returns {openWith(text, problem),
 * openPythonFile(file)} for a .py file dropped on the page or chosen with Open model file.
 */
export function wirePasteCode({ button, applier }) {
  const dialog = $("code-dialog");
  const editor = createCodeEditor({ area: $("code-input"), gutter: $("code-gutter"), band: $("code-band") });
  const actions = [$("code-replace"), $("code-add")];
  let busy = false;
  let emptyProblem = false;

  /** server: the words are the server's refusal (headed by the line they point at); else the page's own. */
  function showProblem({ message, details = [], where = null, empty = false, server = false }) {
    emptyProblem = empty;
    const heading = where ? (where.column ? t("paste.where", where) : t("paste.whereLine", where)) : server ? t("paste.refused") : "";
    $("code-error-where").textContent = heading;
    $("code-error-where").hidden = !heading;
    // The heading says where; the server's sentence may say it again first ("line 4, column 12: …").
    $("code-error-message").textContent = where ? message.replace(LEADING_PLACE, "") : message;
    $("code-error-details").replaceChildren(...details.slice(0, 8).map((text) => Object.assign(document.createElement("li"), { textContent: text })));
    $("code-error").hidden = false;
    if (where) editor.mark(where.line, where.column);
    else editor.clearMark();
  }

  function clearProblem() {
    $("code-error").hidden = true;
    editor.clearMark();
  }

  function setBusy(on) {
    busy = on;
    for (const action of actions) action.disabled = on;
    dialog.querySelector(".code-dialog-box").setAttribute("aria-busy", String(on));
    $("code-status").textContent = on ? t("paste.reading") : countWords();
  }

  const countWords = () => (editor.value.trim() ? t("paste.lines", { count: editor.lineCount() }) : "");

  async function submit(mode) {
    if (busy) return;
    const text = editor.value;
    if (!text.trim()) {
      showProblem({ message: t("paste.empty"), empty: true });
      editor.focus();
      return;
    }
    clearProblem();
    setBusy(true);
    const form = new FormData();
    form.append("code", text);
    const answer = await postImport(form);
    if (!answer.ok) {
      setBusy(false);
      showProblem(refusal(answer));
      return;
    }
    const applied = await applier.apply(answer.payload, { mode });
    setBusy(false);
    if (!applied.ok) {
      showProblem({ message: applied.reason });
      return;
    }
    dialog.close();
    applier.report(answer.payload, applied.outcome);
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    $("code-status").textContent = countWords();
    editor.refresh();
    editor.focus();
  }

  /** A .py file: read as code in one step (it replaces the model); a refusal opens the dialog at its line. */
  async function openPythonFile(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    document.querySelector(".workspace").setAttribute("aria-busy", "true");
    const answer = await postImport(form);
    document.querySelector(".workspace").removeAttribute("aria-busy");
    if (answer.ok) {
      const applied = await applier.apply(answer.payload, { mode: "replace" });
      applier.report(answer.payload, applied.outcome, { name: file.name });
      return;
    }
    editor.setValue(await file.text());
    open();
    showProblem(refusal(answer));
  }

  button.addEventListener("click", open);
  $("code-replace").addEventListener("click", () => submit("replace"));
  $("code-add").addEventListener("click", () => submit("add"));
  $("code-sample").addEventListener("click", () => {
    editor.setValue(SAMPLE);
    clearProblem();
    $("code-status").textContent = countWords();
    editor.focus();
  });
  $("code-input").addEventListener("input", () => {
    if (emptyProblem) clearProblem(); // "paste some code first" is answered by typing; a refusal stays until read again
    $("code-status").textContent = countWords();
  });
  $("code-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { // Ctrl+Enter: read it, as in a notebook
      event.preventDefault();
      submit("replace");
    }
  });
  dialog.addEventListener("click", (event) => { // not on the backdrop: selecting text can end there
    if (event.target.closest("[data-close]")) dialog.close();
  });
  // A file dropped on the open dialog fills the box (the page's own drop would read it at once).
  const carriesFile = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
  for (const type of ["dragenter", "dragleave", "dragover"]) {
    dialog.addEventListener(type, (event) => {
      if (!carriesFile(event)) return;
      event.stopPropagation();
      event.preventDefault();
    });
  }
  dialog.addEventListener("drop", async (event) => {
    if (!carriesFile(event)) return;
    event.stopPropagation();
    event.preventDefault();
    const [file] = event.dataTransfer.files;
    if (!file) return;
    editor.setValue(await file.text());
    clearProblem();
    $("code-status").textContent = countWords();
    editor.focus();
  });
  dialog.addEventListener("cancel", (event) => {
    if (busy) event.preventDefault();
  });

  return { openPythonFile };
}
