// Between the page's nested model and the API's flat list. The page keeps branches as Lego: a branch
// holds parallel lanes (each a list of items; an empty lane is the identity shortcut) closed by a merge
// layer. The API takes a flat list where each layer may name its `inputs` (earlier layers' names, or
// "input"); absent means the previous layer. flatten() writes the one from the other; nest() reads a flat
// list back into lanes, or answers null when the graph does not nest (NASNet's cells, a layer that leads
// nowhere): such a model is shown as rows, read-only.

let prefixOf = (type) => snakeCase(type);

/** Keras's own rule for a class's automatic name: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d. */
export function snakeCase(type) {
  return String(type).replace(/(.)([A-Z][a-z]+)/g, "$1_$2").replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/** Use the catalogue's name_prefix per kind (aliases included), as GET /api/layers states it. */
export function configureNames(lookup) {
  prefixOf = (type) => lookup(type)?.name_prefix ?? snakeCase(lookup(type)?.type ?? type);
}

/**
 * Keras names layers in the order they are made: conv2d, conv2d_1, … per prefix; a layer given a name
 * keeps it and takes no number.
 */
export function namer() {
  const used = new Map();
  return (spec) => {
    if (spec.name) return spec.name;
    const prefix = prefixOf(spec.type);
    const count = used.get(prefix) ?? 0;
    used.set(prefix, count + 1);
    return count === 0 ? prefix : `${prefix}_${count}`;
  };
}

/** Drop what the tree expresses by nesting: a layer's spec in the tree never carries `inputs`. */
export function withoutInputs(spec) {
  if (!("inputs" in spec)) return spec;
  const { inputs, ...rest } = spec;
  return rest;
}

/**
 * flatten(items) -> [{id, spec, name, body, inputs}] in the API's order: a branch's lanes one after the
 * other, then its merge. `body` is what the API gets: the spec, plus `inputs` only where the input is
 * not simply the layer before it, so a plain stack's body is exactly what it always was.
 */
export function flatten(items) {
  const out = [];
  const nameOf = namer();
  const push = (layer, inputs) => {
    const name = nameOf(layer.spec);
    const previous = out.length ? out[out.length - 1].name : "input";
    const implicit = inputs.length === 1 && inputs[0] === previous;
    out.push({ id: layer.id, spec: layer.spec, name, inputs, body: implicit ? layer.spec : { ...layer.spec, inputs } });
    return name;
  };
  const walk = (list, source) => {
    let current = source;
    for (const item of list) {
      if (item.lanes) {
        const ends = item.lanes.map((lane) => walk(lane, current));
        current = push(item.merge, ends);
      } else {
        current = push(item, [current]);
      }
    }
    return current;
  };
  walk(items, "input");
  return out;
}

/** The resolved names and inputs of a flat body, or null when an input names no earlier layer. */
export function resolve(layers) {
  const nameOf = namer();
  const names = layers.map((spec) => nameOf(spec));
  const index = new Map();
  const inputs = [];
  for (let i = 0; i < layers.length; i++) {
    if (index.has(names[i]) || names[i] === "input") return null;
    const given = layers[i].inputs;
    const list = Array.isArray(given) ? given : [i === 0 ? "input" : names[i - 1]];
    if (list.length === 0 || list.some((name) => name !== "input" && !index.has(name))) return null;
    inputs.push(list.map((name) => (name === "input" ? "input" : index.get(name))));
    index.set(names[i], i);
  }
  return { names, inputs };
}

class NotNested extends Error {}

/**
 * nest(layers, makeLayer, makeBranch) -> items, or null when the graph does not nest into lanes.
 * makeLayer(spec) and makeBranch(lanes, mergeLayer) build the tree's nodes (they give the ids).
 */
export function nest(layers, { makeLayer, makeBranch }) {
  if (!layers.some((spec) => "inputs" in spec)) return layers.map((spec) => makeLayer(withoutInputs(spec)));
  const resolved = resolve(layers);
  if (!resolved || layers.length === 0) return null;
  const { inputs } = resolved;
  const output = layers.length - 1;
  const consumers = new Map([["input", []]]);
  layers.forEach((_, i) => consumers.set(i, []));
  inputs.forEach((list, i) => {
    for (const source of new Set(list)) consumers.get(source).push(i);
  });
  let placed = 0;
  const layer = (i) => {
    placed += 1;
    return makeLayer(withoutInputs(layers[i]));
  };
  const count = (list, value) => list.filter((v) => v === value).length;

  /** From a node already placed, forward until the model's output or a merge this lane feeds. */
  function walk(start, items) {
    let current = start;
    for (;;) {
      const next = consumers.get(current);
      if (next.length === 0) {
        if (current !== output) throw new NotNested(); // a layer that leads nowhere
        return { items, end: current, merge: null };
      }
      if (next.length === 1 && inputs[next[0]].length === 1) {
        items.push(layer(next[0]));
        current = next[0];
      } else if (next.length === 1 && count(inputs[next[0]], current) === 1) {
        return { items, end: current, merge: next[0] }; // the end of a lane
      } else {
        const { item, merge } = fork(current, next);
        items.push(item);
        current = merge;
      }
    }
  }

  /** The value of `source` feeds several layers: lanes that must all close in one merge. */
  function fork(source, next) {
    const lanes = new Map(); // the node a lane ends with -> its items
    const merges = new Set();
    for (const consumer of next) {
      if (inputs[consumer].length > 1) {
        merges.add(consumer); // the source goes straight into a merge: empty lanes
      } else {
        const lane = walk(consumer, [layer(consumer)]);
        if (lane.merge === null) throw new NotNested();
        merges.add(lane.merge);
        lanes.set(lane.end, lane.items);
      }
    }
    if (merges.size !== 1) throw new NotNested();
    const [merge] = merges;
    const ordered = inputs[merge].map((from) => {
      if (from === source) return [];
      const lane = lanes.get(from);
      if (!lane) throw new NotNested(); // the merge also takes something from outside this branch
      lanes.delete(from);
      return lane;
    });
    if (lanes.size) throw new NotNested();
    return { item: makeBranch(ordered, layer(merge)), merge };
  }

  try {
    const { items, merge } = walk("input", []);
    return merge === null && placed === layers.length ? items : null;
  } catch (error) {
    if (error instanceof NotNested) return null;
    throw error;
  }
}
