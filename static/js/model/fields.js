// Turning what a person types into Keras argument values, checked against the catalogue's bounds.
// parse() answers {ok, value} or {ok: false, error: {key, vars}}; value undefined means "use the default".

import { formatValue } from "../shared/format.js";

const NUMBER_LIST = /[\s,×xX*]+/;

const fail = (key, vars = {}) => ({ ok: false, error: { key, vars } });
const ok = (value) => ({ ok: true, value });

/** The text shown in a field for a stored value. */
export function display(param, value) {
  if (value === undefined || value === null) return "";
  return formatValue(value);
}

export function parse(param, raw) {
  if (param.kind === "bool") return ok(Boolean(raw));
  const text = String(raw ?? "").trim();
  if (text === "") {
    if (param.required && !param.nullable) return fail("field.required");
    return ok(param.nullable && param.default != null ? null : undefined);
  }
  switch (param.kind) {
    case "int": return parseInt_(param, text, param.minimum, param.maximum);
    case "axis": return param.allow_list ? parseList(text, (v) => v) : parseInt_(param, text, null, null);
    case "float": return parseFloat_(param, text);
    case "tuple": return parseTuple(param, text);
    case "shape": return parseShape(text);
    case "sides": return parseSides(param, text);
    case "choice": return text === "" ? ok(null) : ok(text);
    default: return parseJSON(param, text);
  }
}

function inRange(value, min, max) {
  if (min != null && max != null && (value < min || value > max)) return fail("field.range", { min, max });
  if (min != null && value < min) return fail("field.min", { min });
  if (max != null && value > max) return fail("field.max", { max });
  return null;
}

function parseInt_(param, text, min, max) {
  if (!/^[-+]?\d+$/.test(text)) return fail("field.wholeNumber");
  const value = Number(text);
  return inRange(value, min, max) ?? ok(value);
}

function parseFloat_(param, text) {
  const value = Number(text);
  if (!Number.isFinite(value)) return fail("field.number");
  return inRange(value, param.minimum, param.maximum) ?? ok(value);
}

function numbers(text) {
  const parts = text.replace(/^[([]|[)\]]$/g, "").split(NUMBER_LIST).filter(Boolean);
  return parts.every((p) => /^[-+]?\d+$/.test(p)) ? parts.map(Number) : null;
}

function parseList(text, check) {
  const values = numbers(text);
  return values && values.length ? ok(check(values)) : fail("field.wholeNumbers");
}

function parseTuple(param, text) {
  const rank = param.rank ?? 1;
  const values = numbers(text);
  const example = rank === 1 ? "3" : Array(rank).fill(3).join(", ");
  if (!values || (values.length !== 1 && values.length !== rank)) return fail("field.tuple", { rank, example });
  for (const v of values) {
    const problem = inRange(v, param.minimum ?? 1, param.maximum);
    if (problem) return problem;
  }
  return ok(values.length === 1 ? values[0] : values);
}

function parseShape(text) {
  const values = numbers(text);
  const valid = values && values.length > 0 && values.every((v) => v >= 1 || v === -1)
    && values.filter((v) => v === -1).length <= 1;
  return valid ? ok(values) : fail("field.shape");
}

function parseSides(param, text) {
  const min = param.minimum ?? 0;
  const value = /[[(]/.test(text) ? bracketedSides(text) : plainSides(text);
  const flat = [value].flat(2);
  if (value == null || !flat.every((v) => Number.isInteger(v) && v >= min)) return fail("field.sides");
  return ok(value);
}

const isPair = (v) => Array.isArray(v) && v.length === 2 && v.every(Number.isInteger);
const isPairOfPairs = (v) => Array.isArray(v) && v.length === 2 && v.every(isPair);

/** "[1, 1], [2, 2]", "((1, 1), (2, 2))" or "(1, 2)", as Python or JSON would write them. */
function bracketedSides(text) {
  const json = text.replace(/\(/g, "[").replace(/\)/g, "]");
  for (const candidate of [json, `[${json}]`]) {
    const value = tryJSON(candidate);
    if (isPair(value) || isPairOfPairs(value)) return value;
  }
  return null;
}

/** "1" -> 1, "1, 2" -> [1, 2], "1 1 2 2" -> [[1, 1], [2, 2]]. */
function plainSides(text) {
  const values = numbers(text);
  if (values?.length === 1) return values[0];
  if (values?.length === 2) return values;
  if (values?.length === 4) return [[values[0], values[1]], [values[2], values[3]]];
  return null;
}

function tryJSON(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function parseJSON(param, text) {
  const value = tryJSON(text);
  return value === null && text !== "null" ? fail("field.json", { allowed: param.allowed }) : ok(value);
}

/** Whether a value is what Keras would use anyway, so the argument can be left out of the model. */
export function isDefault(param, value) {
  if (value === undefined) return true;
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (same(value, param.default)) return true;
  if (param.kind === "tuple" && Array.isArray(value) && typeof param.default === "number") {
    return value.every((v) => v === param.default);
  }
  if (param.kind === "choice" && typeof value === "string" && typeof param.default === "string") {
    return value.toLowerCase() === param.default.toLowerCase();
  }
  return false;
}

/** The layer's own name: optional, at most 100 characters (the API's limit). */
export function parseName(text) {
  const name = String(text ?? "").trim();
  if (name === "") return ok(undefined);
  if (name.length > 100) return fail("field.name");
  return ok(name);
}
