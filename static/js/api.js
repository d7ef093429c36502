// Talking to the server: the catalogue once, and /api/shapes on every edit.
// Edits arrive faster than answers while someone types, so requests are debounced and an answer
// to anything but the newest request is dropped (and its fetch aborted): the screen never goes back
// to an older model.

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

  async function send(body, context, sequence) {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
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
    if (sequence === newest) onAnswer({ ...answer, context });
  }

  return {
    request(body, context = {}) {
      const sequence = ++newest;
      clearTimeout(timer);
      timer = setTimeout(() => send(body, context, sequence), delay);
    },
  };
}
