// A model lives in the address: #model= + base64url (no padding) of the POST /api/shapes body, so a
// copied link rebuilds the same model anywhere. The last model is also kept in localStorage so a
// returning visitor finds their work.

const STORAGE_KEY = "cnn-blocks:model";
const BEFORE_LINK_KEY = "cnn-blocks:model-before-link"; // the learner's own model, kept when a link opens
const PREFIX = "#model=";

export function encodeBody(body) {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeBody(text) {
  try {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return asBody(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return null;
  }
}

/** Only the outline is checked here; the server judges the rest and says what is wrong. */
function asBody(value) {
  const ok = value && Array.isArray(value.input_shape) && value.input_shape.length > 0
    && Array.isArray(value.layers ?? []) && (value.layers ?? []).every((l) => l && typeof l.type === "string");
  return ok ? { input_shape: value.input_shape, layers: value.layers ?? [] } : null;
}

export function bodyFromFragment(hash = window.location.hash) {
  return hash.startsWith(PREFIX) ? decodeBody(hash.slice(PREFIX.length)) : null;
}

/** Keep the address in step with the model without adding browser history entries per keystroke. */
export function writeFragment(body) {
  const url = new URL(window.location.href);
  url.hash = PREFIX.slice(1) + encodeBody(body);
  history.replaceState(history.state, "", url);
}

/** The link to share: the model only, so the reader keeps their own language. */
export function shareLink(body) {
  return `${window.location.origin}${window.location.pathname}${PREFIX}${encodeBody(body)}`;
}

export function saveLocal(body) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(body));
  } catch {
    // Private browsing or a full quota: the link still holds the model.
  }
}

export function loadLocal(key = STORAGE_KEY) {
  try {
    return asBody(JSON.parse(localStorage.getItem(key)));
  } catch {
    return null;
  }
}

/**
 * The model to start with and, when a link brings a different one than the learner's saved work, the
 * link's model to open on top of it (one Undo, or "Back to my model", returns to the learner's own).
 */
export function startingModels(fallback) {
  const linked = bodyFromFragment();
  const saved = loadLocal();
  if (linked && saved && JSON.stringify(linked) !== JSON.stringify(saved)) {
    try {
      localStorage.setItem(BEFORE_LINK_KEY, JSON.stringify(saved)); // survives a reload of the link's page
    } catch {
      // Private browsing: Undo still holds it for this visit.
    }
    return { start: saved, opened: linked };
  }
  return { start: linked ?? saved ?? fallback, opened: null };
}

export function modelBeforeLink() {
  return loadLocal(BEFORE_LINK_KEY);
}

/**
 * Keep link and localStorage in step with the model: the first edit is written at once, a burst of
 * keystrokes at most every `ms` (browsers throttle pages that rewrite their address too often),
 * and anything pending is written before the page goes away.
 */
export function createPersister(ms = 300) {
  let pending = null;
  let timer = null;
  let last = -Infinity;
  const flush = () => {
    clearTimeout(timer);
    timer = null;
    if (!pending) return;
    writeFragment(pending);
    saveLocal(pending);
    pending = null;
    last = performance.now();
  };
  window.addEventListener("pagehide", flush);
  return (body) => {
    pending = body;
    const wait = last + ms - performance.now();
    if (wait <= 0 && timer === null) flush();
    else if (timer === null) timer = setTimeout(flush, Math.max(0, wait));
  };
}
