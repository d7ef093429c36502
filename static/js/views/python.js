// The Python view shows the server's code for the model: exactly what Export → Python downloads
// (POST /api/export, format "python"), so there is one writer of Keras code and it is tested against Keras.
// Asked only while the view is shown, a moment after the last edit, and remembered per model and language;
// while the next text comes the previous one stays, dimmed.

import { exportModel } from "../shared/api.js";
import { lang, t } from "../shared/i18n.js";

const DELAY_MS = 200;
const REMEMBERED = 40;

/** createPythonView({pre, problem, getBody, isShown}) -> {refresh({now}), text()} */
export function createPythonView({ pre, problem, getBody, isShown }) {
  const cache = new Map(); // lang + body -> text
  let shownKey = null;
  let timer = null;
  let inflight = null;

  const keyOf = (body) => `${lang()}\n${JSON.stringify(body)}`;

  function show(key, text) {
    shownKey = key;
    pre.textContent = text;
    pre.classList.remove("is-stale");
    pre.removeAttribute("aria-busy");
    problem.hidden = true;
  }

  function refuse(message) {
    shownKey = null;
    pre.textContent = "";
    pre.classList.remove("is-stale");
    pre.removeAttribute("aria-busy");
    problem.textContent = t("python.failed", { message });
    problem.hidden = false;
  }

  function remember(key, text) {
    cache.delete(key);
    cache.set(key, text);
    if (cache.size > REMEMBERED) cache.delete(cache.keys().next().value);
  }

  async function load(key, body) {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    let answer;
    try {
      answer = await exportModel({ model: body, format: "python", signal: controller.signal });
      if (answer.ok) answer.text = await answer.blob.text();
    } catch (error) {
      if (error.name === "AbortError") return;
      throw error;
    }
    if (inflight !== controller) return; // a newer model was asked for meanwhile
    inflight = null;
    if (!answer.ok) return refuse(answer.message);
    remember(key, answer.text);
    show(key, answer.text);
  }

  /** After an edit (debounced), or at once (`now`) when the view is opened or the language changes. */
  function refresh({ now = false } = {}) {
    if (!isShown()) return;
    const body = getBody();
    const key = keyOf(body);
    clearTimeout(timer);
    inflight?.abort(); // whatever was asked before is no longer the model
    inflight = null;
    if (key === shownKey) {
      pre.classList.remove("is-stale");
      pre.removeAttribute("aria-busy");
      return;
    }
    if (cache.has(key)) return show(key, cache.get(key));
    pre.classList.add("is-stale");
    pre.setAttribute("aria-busy", "true");
    if (!pre.textContent) pre.textContent = t("python.loading");
    timer = setTimeout(() => load(key, body), now ? 0 : DELAY_MS);
  }

  return { refresh, text: () => pre.textContent };
}
