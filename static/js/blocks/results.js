// What the last answer from /api/shapes means for each block on screen. Answers are matched to
// blocks by the ids sent with the request, so a block added a moment ago shows "pending" instead
// of borrowing a neighbour's numbers.

/**
 * layerStates(answer, model) -> {byId: Map(id -> state), input: issue|null, valid}
 * state.status: "ok" | "error" (Keras cannot build it) | "invalid" (a field is malformed)
 *             | "unreached" (after a failing layer) | "pending" (not answered yet)
 */
export function layerStates(answer, model) {
  const byId = new Map();
  const result = { byId, input: null, valid: false, failedIndex: null };
  if (!answer) {
    for (const layer of model.layers) byId.set(layer.id, { status: "pending" });
    return result;
  }
  const ids = answer.context.ids;
  if (answer.kind === "result") fromResult(answer.data, ids, result);
  else if (answer.kind === "invalid") fromIssues(answer.detail, ids, result);
  for (const layer of model.layers) {
    if (!byId.has(layer.id)) byId.set(layer.id, { status: answer.kind === "offline" ? "offline" : "pending" });
  }
  return result;
}

function fromResult(data, ids, result) {
  result.valid = data.valid;
  result.failedIndex = data.error?.layer ?? null;
  data.layers.forEach((layer, index) => {
    const status = layer.error ? "error" : layer.output_shape ? "ok" : "unreached";
    result.byId.set(ids[index], { status, layer, message: layer.error });
  });
}

/** A 422 names layers and fields; the first problem per layer is the one shown on its block. */
function fromIssues(detail, ids, result) {
  const firstBad = Math.min(...detail.map((issue) => (issue.loc[1] === "layers" && Number.isInteger(issue.loc[2]) ? issue.loc[2] : Infinity)));
  for (const issue of detail) {
    const [, where, index, field] = issue.loc;
    if (where === "input_shape") {
      result.input ??= issue;
    } else if (where === "layers" && Number.isInteger(index) && !result.byId.has(ids[index])) {
      result.byId.set(ids[index], { status: "invalid", field: field ?? null, issue });
    }
  }
  result.failedIndex = Number.isFinite(firstBad) ? firstBad : null;
  // Without an answer nobody knows the shapes: blocks before the problem are "unknown", after it "unreached".
  ids.forEach((id, index) => {
    if (!result.byId.has(id)) result.byId.set(id, { status: index > firstBad ? "unreached" : "unknown" });
  });
}

/** Sum of activation memory over layers that have a shape (one sample, float32). */
export function activationBytes(data) {
  return data.layers.reduce((sum, layer) => sum + (layer.activation?.bytes ?? 0), 0);
}
