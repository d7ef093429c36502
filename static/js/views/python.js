// The model as runnable tf.keras code: one line per layer, only the arguments that differ from
// Keras's defaults (as the catalogue states them), in Keras's own argument order.

import { kindOf } from "../model/catalogue.js";
import { isDefault } from "../model/fields.js";

/** A JSON value as a Python literal: lists become tuples, null None, true True. */
export function pyLiteral(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : floatLiteral(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) {
    const items = value.map(pyLiteral);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  }
  return JSON.stringify(value);
}

function floatLiteral(value) {
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** Float arguments are written as floats even when whole (rate=1.0), as Keras's docs do. */
function argument(param, value) {
  if (param?.kind === "float" && typeof value === "number") return floatLiteral(value);
  return pyLiteral(value);
}

function layerLine(spec, catalogue) {
  const kind = kindOf(catalogue, spec.type);
  const params = kind?.params ?? [];
  const known = new Set(params.map((p) => p.name));
  const args = [];
  for (const param of params) {
    if (!(param.name in spec)) continue;
    if (!param.required && isDefault(param, spec[param.name])) continue;
    args.push(`${param.name}=${argument(param, spec[param.name])}`);
  }
  for (const [name, value] of Object.entries(spec)) {
    if (name !== "type" && name !== "name" && !known.has(name)) args.push(`${name}=${pyLiteral(value)}`);
  }
  if (spec.name) args.push(`name=${pyLiteral(spec.name)}`);
  return `    layers.${kind?.type ?? spec.type}(${args.join(", ")}),`;
}

export function pythonCode(body, catalogue) {
  const shape = pyLiteral(body.input_shape);
  return [
    "import tensorflow as tf",
    "from tensorflow.keras import layers",
    "",
    "model = tf.keras.Sequential([",
    `    tf.keras.Input(shape=${shape}),`,
    ...body.layers.map((spec) => layerLine(spec, catalogue)),
    "])",
    "model.summary()",
    "",
  ].join("\n");
}
