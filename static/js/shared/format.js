// Numbers and shapes written the way Keras prints them, so the page reads like model.summary().

const integer = new Intl.NumberFormat("en-US");

/** 122570 -> "122,570" (Keras uses thousands separators in every language). */
export function formatInt(n) {
  return n == null ? "—" : integer.format(n);
}

/** [null, 30, 30, 32] -> "(None, 30, 30, 32)"; a one-axis shape keeps Python's trailing comma. */
export function formatShape(shape) {
  if (!shape) return "—";
  const parts = shape.map((d) => (d == null ? "None" : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(", ")})`;
}

/** Bytes as Keras's summary prints them: 490280 -> "478.79 KB". */
export function readableSize(bytes) {
  let size = bytes;
  for (const unit of ["B", "KB", "MB", "GB", "TB"]) {
    if (size / 1024 < 1) return `${size.toFixed(2)} ${unit}`;
    size /= 1024;
  }
  return `${size.toFixed(2)} PB`;
}

/** Keras stores weights as float32: 4 bytes per parameter. */
export function paramsSize(count) {
  return readableSize(count * 4);
}

/** Large counts in a compact form for tight spaces: 777600 -> "777.6K". */
export function compactInt(n) {
  if (n == null) return "—";
  const units = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "K"]];
  for (const [scale, suffix] of units) {
    if (Math.abs(n) >= scale) return `${(n / scale).toFixed(n / scale >= 100 ? 0 : 1)}${suffix}`;
  }
  return String(n);
}

/** A parameter value as a person types it: [3, 3] -> "3, 3"; [[1, 1], [2, 2]] -> "[1, 1], [2, 2]". */
export function formatValue(value) {
  if (value == null) return "";
  if (Array.isArray(value)) {
    return value.map((v) => (Array.isArray(v) ? `[${v.join(", ")}]` : String(v))).join(", ");
  }
  return String(value);
}

/** A short value for a block's one-line summary: [3, 3] -> "3×3". */
export function shortValue(value) {
  if (Array.isArray(value)) {
    if (value.every((v) => !Array.isArray(v))) return value.join("×");
    return value.map((v) => shortValue(v)).join(" ");
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  return String(value);
}
