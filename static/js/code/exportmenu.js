// Export: the model as Python code, a .keras file, or a diagram (SVG, PNG), each made by the server
// (POST /api/export) and handed to the browser's downloads. A refusal is shown with the server's words.

import { exportModel, saveFile } from "../shared/api.js";
import { t } from "../shared/i18n.js";
import { announce, toast } from "../shared/notify.js";
import { showNotice } from "../blocks/notice.js";

const NAMES = { python: "export.python", keras: "export.keras", svg: "export.svg", png: "export.png" };

/**
 * download({model, format, runId, base, notice}): export and save; answers whether it did. While it works the
 * toast says so (a .keras file is built by TensorFlow in a worker: a few seconds).
 */
export async function download({ model, format, runId = null, base = null, notice }) {
  const what = t(NAMES[format] ?? "export.python");
  toast(t("export.working", { format: what }));
  const answer = await exportModel({ model, format, runId, base });
  if (!answer.ok) {
    showNotice(notice, { title: t("export.failed", { format: what, message: answer.message }), error: true });
    return false;
  }
  saveFile(answer.blob, answer.filename);
  toast(t("export.done", { file: answer.filename }));
  announce(t("export.done", { file: answer.filename }));
  return true;
}

const ARROWS = { ArrowDown: 1, ArrowUp: -1, Home: -Infinity, End: Infinity };

/** wireExportMenu(menu, {getModel, notice}): a <details> menu whose buttons carry data-export="<format>". */
export function wireExportMenu(menu, { getModel, notice }) {
  const items = () => [...menu.querySelectorAll("[data-export]")];
  const summary = menu.querySelector("summary");

  menu.addEventListener("click", async (event) => {
    const item = event.target.closest("[data-export]");
    if (!item || item.getAttribute("aria-disabled") === "true") return;
    menu.open = false;
    summary.focus();
    menu.setAttribute("aria-busy", "true");
    for (const other of items()) other.setAttribute("aria-disabled", "true");
    try {
      await download({ model: getModel(), format: item.dataset.export, notice });
    } finally {
      menu.removeAttribute("aria-busy");
      for (const other of items()) other.removeAttribute("aria-disabled");
    }
  });
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      summary.focus();
    } else if (menu.open && event.key in ARROWS) {
      event.preventDefault();
      const list = items();
      const at = list.indexOf(document.activeElement);
      const step = ARROWS[event.key];
      const from = at < 0 ? (step > 0 ? -1 : list.length) : at;
      const to = Number.isFinite(step) ? Math.max(0, Math.min(list.length - 1, from + step)) : step < 0 ? 0 : list.length - 1;
      list[to]?.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
}
