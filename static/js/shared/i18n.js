// The page's words in English and Korean. The server renders the first language into the page
// (no flash of the wrong language); toggling loads the other file once and re-labels in place.

import { josa } from "./josa.js";

const SUPPORTED = ["en", "ko"];
const cache = {};
let current = document.documentElement.lang || "en";
const listeners = new Set();

cache[current] = JSON.parse(document.getElementById("i18n-strings").textContent);

export function lang() {
  return current;
}

/**
 * t("stack.moveUp", {name: "conv2d"}) -> "Move conv2d up"; a missing key shows itself, never crashes.
 * "{type|을/를}" is the value followed by the Korean particle that fits it ("Conv2D를", "Dense를").
 */
export function t(key, vars = {}) {
  const text = cache[current][key] ?? cache.en?.[key] ?? key;
  return text.replace(/\{(\w+)(?:\|([^}]+))?\}/g, (whole, name, pair) => {
    if (!(name in vars)) return whole;
    return pair ? josa(vars[name], pair) : String(vars[name]);
  });
}

/** A label for a name the catalogue may grow (a new category): the translation, or the name itself. */
export function tOr(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

/** Pick this language from an API text such as {en: "...", ko: "..."}. */
export function pick(text) {
  if (text == null) return "";
  if (typeof text === "string") return text;
  return text[current] ?? text.en ?? "";
}

/** Label every element marked data-i18n (text) or data-i18n-attr ("attr:key; attr2:key2"). */
export function applyTo(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

async function load(next) {
  if (!cache[next]) {
    const response = await fetch(`/static/i18n/${next}.json`);
    if (!response.ok) throw new Error(`could not load ${next}.json: ${response.status}`);
    cache[next] = await response.json();
  }
}

/** Switch language: relabel the page, remember the choice (cookie for the server, ?lang= for links). */
export async function setLang(next) {
  if (!SUPPORTED.includes(next) || next === current) return;
  await load(next);
  current = next;
  document.documentElement.lang = next;
  document.cookie = `lang=${next}; path=/; max-age=31536000; SameSite=Lax`;
  const url = new URL(window.location.href);
  url.searchParams.set("lang", next);
  history.replaceState(history.state, "", url);
  document.title = t("app.title");
  applyTo();
  for (const listener of listeners) listener(next);
}

export function onLangChange(listener) {
  listeners.add(listener);
}
