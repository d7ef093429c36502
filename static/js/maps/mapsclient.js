// Talking to POST /api/featuremaps. Edits arrive in bursts (typing "64" is two edits, and each new
// model costs the TensorFlow worker a build), so requests are debounced; only the newest request's
// answer is ever shown, and an older fetch still under way is aborted.

/**
 * Answers, by kind (`message` is an API text {en, ko}; every error answer is the API's one envelope
 * {message, layer, name, detail}):
 *   maps     {data}                  the maps for every layer
 *   failed   {layer, name, message}  a well-formed model Keras cannot build (422 naming a layer)
 *   refused  {message}               a picture or a request the server refuses (400, 422)
 *   tooBig   {layer, message}        over a size limit (413)
 *   busy / slow {message}            too many waiting, or the worker restarting (429, 503) / over its time limit (504)
 *   offline  {error}                 no answer at all
 */
export function answerFrom(status, payload) {
  if (status === 200 && Array.isArray(payload?.layers)) return { kind: "maps", data: payload };
  if (!payload?.message) return { kind: "offline", error: `HTTP ${status}` };
  const problem = { layer: payload.layer ?? null, name: payload.name ?? null, message: payload.message };
  if (status === 422) return { ...problem, kind: problem.layer == null ? "refused" : "failed" };
  if (status === 400) return { ...problem, kind: "refused" };
  if (status === 413) return { ...problem, kind: "tooBig" };
  if (status === 429 || status === 503) return { ...problem, kind: "busy" };
  if (status === 504) return { ...problem, kind: "slow" };
  return { kind: "offline", error: `HTTP ${status}` };
}

function formFor({ body, picture, seed, runId }) {
  const form = new FormData();
  if (runId) form.append("run_id", runId); // the run's model and trained weights
  else form.append("model", JSON.stringify(body));
  if (picture.kind === "file") form.append("image", picture.file, picture.file.name || "picture");
  else form.append("sample", picture.id);
  form.append("seed", String(seed));
  return form;
}

/**
 * createMapsClient({onStart, onAnswer, delay}) -> {request(question, context), cancel()}
 * onStart(context) when a request is sent; onAnswer(answer, context) for the newest one only.
 */
export function createMapsClient({ onStart, onAnswer, delay = 300 }) {
  let timer = null;
  let newest = 0;
  let inflight = null;

  async function send(question, context, sequence) {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    onStart(context);
    let answer;
    try {
      const response = await fetch("/api/featuremaps", { method: "POST", body: formFor(question), signal: controller.signal });
      const payload = await response.json().catch(() => null);
      answer = answerFrom(response.status, payload);
    } catch (error) {
      if (error.name === "AbortError") return;
      answer = { kind: "offline", error: String(error) };
    }
    if (inflight === controller) inflight = null;
    if (sequence === newest) onAnswer(answer, context);
  }

  return {
    /** now: skip the debounce (a deliberate choice such as a picked picture, not a burst of edits). */
    request(question, context = {}, { now = false } = {}) {
      const sequence = ++newest;
      clearTimeout(timer);
      if (now) send(question, context, sequence);
      else timer = setTimeout(() => send(question, context, sequence), delay);
    },
    cancel() {
      newest += 1;
      clearTimeout(timer);
      inflight?.abort();
      inflight = null;
    },
  };
}
