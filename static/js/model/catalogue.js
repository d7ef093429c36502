// The layer catalogue from GET /api/layers, indexed for lookups. The page keeps no layer rules of
// its own: every form, default, bound and choice comes from here.

export function indexCatalogue(raw) {
  const byName = new Map();
  for (const kind of raw.layers) {
    byName.set(kind.type.toLowerCase(), kind);
    for (const alias of kind.aliases ?? []) byName.set(alias.toLowerCase(), kind);
  }
  const categories = raw.categories.filter((c) => raw.layers.some((kind) => kind.category === c));
  return { categories, layers: raw.layers, byName };
}

/** The catalogue entry for a type or alias ("MaxPool2D" -> MaxPooling2D), or undefined. */
export function kindOf(catalogue, type) {
  return catalogue.byName.get(String(type).toLowerCase());
}

/**
 * A fresh layer needs values for its required arguments. These are generic, kind-based starting
 * points (32 units/filters, a 3-wide window, a rate halfway through its range), unless the catalogue
 * gives an example (AveragePooling's required pool_size starts at 2, as MaxPooling's default).
 */
export function starterSpec(kind) {
  const spec = { type: kind.type };
  for (const param of kind.params) {
    if (param.required && param.default == null) spec[param.name] = param.example ?? starterValue(param);
  }
  return spec;
}

function clamp(value, min, max) {
  return Math.min(max ?? Infinity, Math.max(min ?? -Infinity, value));
}

function starterValue(param) {
  switch (param.kind) {
    case "int": return clamp(32, param.minimum, param.maximum);
    case "tuple": return clamp(3, param.minimum, param.maximum);
    case "float":
      if (param.minimum != null && param.maximum != null) return (param.minimum + param.maximum) / 2;
      return clamp(1, param.minimum, param.maximum);
    case "choice": return param.choices?.[0] ?? null;
    case "bool": return false;
    case "shape": return [-1];
    case "sides": return 1;
    case "axis": return -1;
    default: return null;
  }
}

/** Kinds that take several inputs (Add, Concatenate…): on the page they close a branch. */
export function mergeKinds(catalogue) {
  return catalogue.layers.filter((kind) => kind.merge);
}
