// The model as runnable Keras code: one line per layer, only the arguments that differ from Keras's
// defaults (as the catalogue states them), in Keras's own argument order. A plain stack is a
// tf.keras.Sequential; a model whose layers name their inputs is written with the functional API,
// one variable per layer, so the code reads as the graph does.

import { kindOf } from "../model/catalogue.js";
import { isDefault } from "../model/fields.js";
import { t } from "../shared/i18n.js";

/** Layers that keras.applications define for themselves, not in keras.layers: imported by name. */
const APPLICATION_LAYERS = {
  LayerScale: "keras.src.applications.convnext",
  CustomScaleLayer: "keras.src.applications.inception_resnet_v2",
};

/** Names a layer's variable must not take: what the code itself uses, Python's keywords and builtins. */
const RESERVED = new Set([
  "keras", "layers", "inputs", "model", "tf", ...Object.keys(APPLICATION_LAYERS),
  ..."False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(" "),
  ..."abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len license list locals map max memoryview min next object oct open ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip".split(" "),
  ..."ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception ExceptionGroup FileExistsError FileNotFoundError FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError NameError NotADirectoryError NotImplemented NotImplementedError OSError OverflowError PendingDeprecationWarning PermissionError ProcessLookupError RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning ZeroDivisionError".split(" "),
]);

const INPUT = "input"; // how a layer's `inputs` names the model's input

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

/** `layers.Conv2D(filters=32, …)`, or `LayerScale(…)` for a layer imported from keras.applications. */
function layerCall(spec, catalogue, name = spec.name) {
  const kind = kindOf(catalogue, spec.type);
  const params = kind?.params ?? [];
  const known = new Set(params.map((p) => p.name));
  const args = [];
  for (const param of params) {
    if (!(param.name in spec)) continue;
    if (!param.required && isDefault(param, spec[param.name])) continue;
    args.push(`${param.name}=${argument(param, spec[param.name])}`);
  }
  for (const [key, value] of Object.entries(spec)) {
    if (!["type", "name", "inputs"].includes(key) && !known.has(key)) args.push(`${key}=${pyLiteral(value)}`);
  }
  if (name) args.push(`name=${pyLiteral(name)}`);
  const type = kind?.type ?? spec.type;
  return `${type in APPLICATION_LAYERS ? "" : "layers."}${type}(${args.join(", ")})`;
}

/** `from keras.src.applications.convnext import LayerScale` for each such layer the model uses. */
function applicationImports(body, catalogue) {
  const types = new Set(body.layers.map((spec) => kindOf(catalogue, spec.type)?.type ?? spec.type));
  return Object.entries(APPLICATION_LAYERS).filter(([type]) => types.has(type))
    .map(([type, module]) => `from ${module} import ${type}`);
}

/** Built with the functional API, as the API builds it: when any layer names its inputs. */
export function isFunctional(body) {
  return body.layers.some((spec) => spec.inputs != null);
}

export function pythonCode(body, catalogue) {
  return isFunctional(body) ? functionalCode(body, catalogue) : sequentialCode(body, catalogue);
}

function sequentialCode(body, catalogue) {
  return [
    "import tensorflow as tf",
    "from tensorflow.keras import layers",
    ...applicationImports(body, catalogue),
    "",
    "model = tf.keras.Sequential([",
    `    tf.keras.Input(shape=${pyLiteral(body.input_shape)}),`,
    ...body.layers.map((spec) => `    ${layerCall(spec, catalogue)},`),
    "])",
    "model.summary()",
    "",
  ].join("\n");
}

/** Names as a fresh Keras session gives them (conv2d, conv2d_1, … per prefix) unless given. */
function layerNames(body, catalogue) {
  const counts = new Map();
  return body.layers.map((spec) => {
    if (spec.name) return spec.name;
    const kind = kindOf(catalogue, spec.type);
    const prefix = kind?.name_prefix ?? String(spec.type).toLowerCase();
    const count = counts.get(prefix) ?? 0;
    counts.set(prefix, count + 1);
    return count === 0 ? prefix : `${prefix}_${count}`;
  });
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const reserved = (name) => RESERVED.has(name) || /^__.*__$/.test(name);

/**
 * One Python variable per layer, named after it: names that already are identifiers keep themselves,
 * the others become the nearest identifier (ASCII only: Python folds some Unicode letters together),
 * with `_2`, `_3` … where two would meet, and a trailing `_` where a name is Python's or the code's own.
 */
function variableNames(names) {
  const taken = new Set();
  const chosen = names.map((name) => {
    if (!IDENTIFIER.test(name) || reserved(name) || taken.has(name)) return null;
    taken.add(name);
    return name;
  });
  return names.map((name, index) => {
    if (chosen[index]) return chosen[index];
    let base = name.replace(/[^A-Za-z0-9_]+/g, "_");
    if (!/[A-Za-z0-9]/.test(base)) base = "layer";
    if (/^[0-9]/.test(base)) base = `layer_${base}`;
    if (reserved(base)) base = `${base}_`;
    let variable = base;
    for (let n = 2; taken.has(variable); n++) variable = `${base}_${n}`;
    taken.add(variable);
    return variable;
  });
}

/** Each layer's sources by name: the ones it lists, else the layer before it (the input for the first). */
function sourcesOf(body, names) {
  return body.layers.map((spec, index) => {
    if (spec.inputs == null) return [index ? names[index - 1] : INPUT];
    return (Array.isArray(spec.inputs) ? spec.inputs : [spec.inputs]).map(String);
  });
}

/** Names of the layers the output (the last layer) depends on: Keras leaves the others out of the model. */
function leadingToOutput(names, sources) {
  const position = new Map(names.map((name, index) => [name, index]));
  const needed = new Set();
  const todo = names.length ? [names.length - 1] : [];
  while (todo.length) {
    const index = todo.pop();
    if (needed.has(names[index])) continue;
    needed.add(names[index]);
    for (const source of sources[index]) if (position.has(source)) todo.push(position.get(source));
  }
  return needed;
}

function functionalCode(body, catalogue) {
  const names = layerNames(body, catalogue);
  const variables = variableNames(names);
  const variableOf = new Map([[INPUT, "inputs"]]);
  const sources = sourcesOf(body, names);
  const used = leadingToOutput(names, sources);
  const lines = [];
  body.layers.forEach((spec, index) => {
    // A name no layer above has stays as written: Python then stops at this line, where Keras would.
    const args = sources[index].map((source) => variableOf.get(source) ?? source);
    const merge = spec.inputs != null && kindOf(catalogue, spec.type)?.merge;
    const applied = merge || args.length > 1 ? `[${args.join(", ")}]` : args[0];
    if (!used.has(names[index])) lines.push(`# ${t("python.unused", { name: names[index] })}`);
    lines.push(`${variables[index]} = ${layerCall(spec, catalogue, names[index])}(${applied})`);
    variableOf.set(names[index], variables[index]);
  });
  return [
    "import keras",
    "from keras import layers",
    ...applicationImports(body, catalogue),
    "",
    `inputs = keras.Input(shape=${pyLiteral(body.input_shape)})`,
    ...lines,
    `model = keras.Model(inputs, ${variables.at(-1) ?? "inputs"}, name="functional")`,
    "model.summary()",
    "",
  ].join("\n");
}
