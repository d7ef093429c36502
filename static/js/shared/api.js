// Talking to the server: the catalogue once, /api/shapes on every edit, and files in (/api/import) and out
// (/api/export).
// A lone edit is sent at once (the answer takes a few milliseconds); edits arriving in a burst, as
// while someone types, are debounced into one request. An answer to anything but the newest request
// is dropped (and its fetch aborted): the screen never goes back to an older model.

import { lang, pick, t } from "./i18n.js";

export async function fetchJSON(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

export function fetchCatalogue() {
  return fetchJSON("/api/layers");
}

/**
 * createShapesClient(onAnswer, {delay}) -> {request(body, context)}
 * onAnswer({kind: "result" | "invalid" | "offline", data | detail | error, context}) is called
 * only for the newest request; context travels with it (e.g. the layer ids and the edit time).
 */
export function createShapesClient(onAnswer, { delay = 25 } = {}) {
  let timer = null;
  let newest = 0;
  let inflight = null;
  let lastSent = -Infinity;

  async function send(body, context, sequence) {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    lastSent = performance.now();
    let answer;
    try {
      const response = await fetch("/api/shapes", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const payload = await response.json();
      if (response.ok) answer = { kind: "result", data: payload };
      else if (response.status === 422) answer = { kind: "invalid", detail: payload.detail ?? [] };
      else answer = { kind: "offline", error: `HTTP ${response.status}` };
    } catch (error) {
      if (error.name === "AbortError") return;
      answer = { kind: "offline", error: String(error) };
    }
    if (inflight === controller) inflight = null;
    if (sequence === newest) onAnswer({ ...answer, context });
  }

  return {
    request(body, context = {}) {
      const sequence = ++newest;
      clearTimeout(timer);
      const idle = inflight === null && timer === null && performance.now() - lastSent > delay;
      if (idle) send(body, context, sequence);
      else timer = setTimeout(() => { timer = null; send(body, context, sequence); }, delay);
    },
  };
}

/**
 * POST /api/import with a form (`file`, or `code`): answers {ok: true, payload} or
 * {ok: false, status, payload, offline}. The caller words the refusal (it knows what was being opened).
 */
export async function postImport(form) {
  try {
    const response = await fetch("/api/import", { method: "POST", body: form });
    const payload = await response.json().catch(() => null);
    if (response.ok && payload?.model) return { ok: true, payload };
    return { ok: false, status: response.status, payload, offline: false };
  } catch {
    return { ok: false, status: 0, payload: null, offline: true };
  }
}

/** Where a refusal of pasted code points: {line, column} from the envelope's details or its words, else null. */
export function codeLocation(payload) {
  const whole = (value) => (Number.isInteger(value) && value > 0 ? value : null);
  for (const d of [payload, ...(payload?.detail ?? [])]) {
    const line = whole(d?.line ?? d?.lineno);
    if (line) return { line, column: whole(d.column ?? d.col ?? d.col_offset) };
    const loc = Array.isArray(d?.loc) ? d.loc : [];
    const at = loc.indexOf("line"); // ["body", "code", "line", 16, "column", 58]
    if (at >= 0 && whole(loc[at + 1])) {
      const col = loc.indexOf("column");
      return { line: loc[at + 1], column: col >= 0 ? whole(loc[col + 1]) : null };
    }
  }
  const texts = [payload?.message?.en, ...(payload?.detail ?? []).map((d) => d?.msg)];
  for (const text of texts) {
    const found = /\bline (\d+)(?:,? column (\d+))?/i.exec(text ?? "");
    if (found) return { line: Number(found[1]), column: found[2] ? Number(found[2]) : null };
  }
  return null;
}

const EXTENSIONS = { python: "py", keras: "keras", svg: "svg", png: "png" };

/** "<base>.<ext>" when the page names the file (a run's code), else the server's name (Content-Disposition). */
function fileName(response, format, base) {
  if (base) return `${base}.${EXTENSIONS[format]}`;
  const header = response.headers.get("content-disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : `model.${EXTENSIONS[format]}`;
}

/**
 * POST /api/export {model, format, run_id?, lang}: answers {ok: true, blob, filename} or {ok: false, message, payload}
 * (the envelope's message in the page's language).
 */
export async function exportModel({ model, format, runId = null, base = null, signal }) {
  const body = { model, format, lang: lang(), ...(runId ? { run_id: runId } : {}) };
  let response;
  try {
    response = await fetch("/api/export", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify(body), signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return { ok: false, offline: true, message: t("app.offline"), payload: null };
  }
  if (!response.ok) {
    const payload = await response.json().catch(() => null);
    const message = payload?.message ? pick(payload.message) : t("export.status", { status: response.status });
    return { ok: false, offline: false, message, payload };
  }
  return { ok: true, blob: await response.blob(), filename: fileName(response, format, base), response };
}

/** Hand a file to the browser's downloads. */
export function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
