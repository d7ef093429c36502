// Talking to POST /api/featuremaps. Edits arrive in bursts (typing "64" is two edits, and each new
// model costs the TensorFlow worker a build), so requests are debounced; only the newest request's
// answer is ever shown, and an older fetch still under way is aborted.

/**
 * Answers, by kind (`message` is an API text {en, ko}):
 *   maps     {data}                  the maps for every layer
 *   failed   {layer, name, message}  a well-formed model Keras cannot build (422 naming a layer)
 *   refused  {message}               a picture or a request the server refuses (422)
 *   tooBig   {layer, message}        over a size limit (413)
 *   busy / slow {message}            the worker is busy or restarting (503) / over its time limit (504)
 *   offline  {error}                 no answer at all
 */
export function answerFrom(status, payload) {
  const detail = payload?.detail;
  if (status === 200 && Array.isArray(payload?.layers)) return { kind: "maps", data: payload };
  const problem = Array.isArray(detail) ? fromIssues(detail) : { layer: null, name: null, ...detail };
  if (status === 422) return { ...problem, kind: problem.layer == null ? "refused" : "failed" };
  if (status === 413) return { ...problem, kind: "tooBig" };
  if (status === 503) return { ...problem, kind: "busy" };
  if (status === 504) return { ...problem, kind: "slow" };
  return { kind: "offline", error: `HTTP ${status}` };
}

/** A 422 from request validation lists its problems; joined, in both languages. */
function fromIssues(issues) {
  const join = (key) => issues.map((issue) => issue[key] ?? issue.msg).join("; ");
  return { layer: null, name: null, message: { en: join("msg"), ko: join("msg_ko") } };
}

function formFor({ body, picture, seed }) {
  const form = new FormData();
  form.append("model", JSON.stringify(body));
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
