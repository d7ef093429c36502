// Talking to the server: the catalogue once, and /api/shapes on every edit.
// A lone edit is sent at once (the answer takes a few milliseconds); edits arriving in a burst, as
// while someone types, are debounced into one request. An answer to anything but the newest request
// is dropped (and its fetch aborted): the screen never goes back to an older model.

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
