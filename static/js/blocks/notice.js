// The notice above the model: what opening a file, pasting code or exporting did, with its notes (or why it
// could not), and at most a button or two to act on it. It stays until closed: a refusal must be readable.

import { el } from "../shared/dom.js";
import { pick, t } from "../shared/i18n.js";
import { announce } from "../shared/notify.js";

/** A note may come as text, {en, ko} or {message: {en, ko}}. */
export const noteText = (note) => pick(note?.message ?? note?.text ?? note);

/** The envelope's details a reader has not just read in its message. */
export function detailLines(payload, message) {
  return (payload?.detail ?? []).map((d) => pick({ en: d.msg, ko: d.msg_ko ?? d.msg }))
    .filter((text) => text && text !== message);
}

/** showNotice(notice, {title, lines, error, actions}): actions are buttons placed under the notes. */
export function showNotice(notice, { title, lines = [], error = false, actions = [] }) {
  notice.classList.toggle("is-error", Boolean(error));
  const close = el("button", { type: "button", class: "btn btn-quiet", "data-close": "", text: t("import.close") });
  const list = lines.length ? el("ul", { class: "import-notes" }, ...lines.slice(0, 20).map((line) => el("li", { text: line }))) : null;
  const buttons = actions.length ? el("div", { class: "import-actions" }, ...actions) : null;
  notice.replaceChildren(el("div", { class: "import-body" }, el("p", { class: "import-title", text: title }), list, buttons), close);
  notice.hidden = false;
  announce(title);
}

/** Closing by its button, once per notice element. */
export function wireNoticeClose(notice) {
  if (notice.dataset.wired) return;
  notice.dataset.wired = "true";
  notice.addEventListener("click", (event) => {
    if (event.target.closest("[data-close]")) notice.hidden = true;
  });
}
