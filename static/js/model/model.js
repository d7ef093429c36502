// The model being edited: an input shape and a list of layers. Each layer keeps the exact JSON the
// API takes ({type, ...keras arguments}) plus a stable id, so the page can follow a block through
// moves, undo and redo. Every edit returns a new model; nothing is changed in place.

let counter = 0;
const newId = () => `layer-${++counter}`;

export function fromBody(body) {
  return {
    input_shape: [...body.input_shape],
    layers: body.layers.map((spec) => ({ id: newId(), spec: structuredClone(spec) })),
  };
}

/** The body of POST /api/shapes, and of the #model= link. */
export function toBody(model) {
  return { input_shape: [...model.input_shape], layers: model.layers.map((layer) => layer.spec) };
}

export function indexOf(model, id) {
  return model.layers.findIndex((layer) => layer.id === id);
}

export function insertLayer(model, spec, index = model.layers.length) {
  const layer = { id: newId(), spec };
  const layers = [...model.layers];
  layers.splice(Math.max(0, Math.min(index, layers.length)), 0, layer);
  return { model: { ...model, layers }, id: layer.id };
}

export function removeLayer(model, id) {
  return { ...model, layers: model.layers.filter((layer) => layer.id !== id) };
}

/** A copy right after the original; a given name is dropped because Keras needs names to be unique. */
export function duplicateLayer(model, id) {
  const index = indexOf(model, id);
  const { name, ...spec } = model.layers[index].spec;
  return insertLayer(model, structuredClone(spec), index + 1);
}

export function moveLayer(model, id, toIndex) {
  const from = indexOf(model, id);
  const target = Math.max(0, Math.min(toIndex, model.layers.length - 1));
  if (from < 0 || from === target) return model;
  const layers = [...model.layers];
  const [layer] = layers.splice(from, 1);
  layers.splice(target, 0, layer);
  return { ...model, layers };
}

export function updateLayer(model, id, spec) {
  return { ...model, layers: model.layers.map((layer) => (layer.id === id ? { ...layer, spec } : layer)) };
}

export function setInputShape(model, shape) {
  return { ...model, input_shape: [...shape] };
}

export function clearLayers(model) {
  return { ...model, layers: [] };
}
