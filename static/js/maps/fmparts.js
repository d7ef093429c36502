// Small pieces the feature-map cards are made of: elements, short numbers, the colour scale, and a
// mosaic figure whose tiles can be pointed at and clicked (or opened from the keyboard).

import { gradientCss } from "./colormap.js";
import { el } from "../shared/dom.js";

/** Three significant digits, a true minus sign: 0.85326 -> "0.853", -0.0933 -> "−0.0933", 1234.5 -> "1,235". */
export function shortNumber(value) {
  if (value == null || Number.isNaN(value)) return "—";
  if (value === 0) return "0";
  const size = Math.abs(value);
  const text = size >= 1000 ? Math.round(size).toLocaleString("en-US")
    : size < 0.001 ? size.toExponential(1) : String(Number(size.toPrecision(3)));
  return value < 0 ? `−${text}` : text;
}

/** The layer's range as a colour bar: the minimum's colour on the left, the maximum's on the right. */
export function rangeScale(range) {
  const bar = el("span", { class: "fm-scale-bar", "aria-hidden": "true" });
  const element = el("span", { class: "fm-scale" },
    el("span", { class: "fm-scale-end", text: shortNumber(range[0]) }), bar,
    el("span", { class: "fm-scale-end", text: shortNumber(range[1]) }));
  return { element, update: (colormap) => { bar.style.background = gradientCss(colormap, range); } };
}

/** The largest whole scale at which the mosaic fits the target box (at least 1: then CSS shrinks it). */
function scaleFor(width, height, [targetW, targetH]) {
  return Math.max(1, Math.min(16, Math.floor(targetW / width), Math.floor(targetH / height)));
}

/** Which tile a pointer is over, from its position inside the drawn canvas. */
function tileAt(canvas, event, [rows, cols]) {
  const box = canvas.getBoundingClientRect();
  const col = Math.floor(((event.clientX - box.left) / box.width) * cols);
  const row = Math.floor(((event.clientY - box.top) / box.height) * rows);
  if (row < 0 || col < 0 || row >= rows || col >= cols) return null;
  return { row, col, index: row * cols + col };
}

/**
 * A figure holding a tile mosaic: {element, canvas, legend, ready(grey)}. A click on a tile calls
 * onPick(tileIndex, grey); Enter or Space opens the first tile (the dialog then walks the others).
 */
export function mosaicFigure({ grid, tile, range, target, className, label, caption, count, onPick }) {
  const [rows, cols] = grid;
  const width = cols * tile[1];
  const height = rows * tile[0];
  const scale = scaleFor(width, height, target);
  const canvas = el("canvas", { class: "fm-canvas", width, height });
  canvas.style.width = `${width * scale}px`;
  const hover = el("span", { class: "fm-hover", hidden: true });
  const button = el("button", { type: "button", class: "fm-mosaic", "aria-label": label, disabled: true }, canvas, hover);
  button.style.setProperty("--rows", rows);
  button.style.setProperty("--cols", cols);
  // Lines between tiles only where tiles are big enough on screen that the lines do not hide them.
  if (Math.min(tile[0], tile[1]) * scale >= 8) button.classList.add("has-lines");
  // Wider than the room (a 224×224 model's mosaic): shrunk smoothly, as dropping pixels would alias.
  if (width > target[0]) canvas.classList.add("is-reduced");
  const legend = rangeScale(range);
  const element = el("figure", { class: `fm-figure ${className}` }, button,
    el("figcaption", {}, el("span", { class: "fm-caption", text: caption }), legend.element));
  let grey = null;

  button.addEventListener("click", (event) => {
    if (!grey) return;
    const at = event.detail === 0 ? { index: 0 } : tileAt(canvas, event, grid);
    if (at && at.index < count) onPick(at.index, grey);
  });
  button.addEventListener("pointermove", (event) => {
    const at = tileAt(canvas, event, grid);
    hover.hidden = !at || at.index >= count;
    if (hover.hidden) return;
    Object.assign(hover.style, { left: `${(at.col / cols) * 100}%`, top: `${(at.row / rows) * 100}%`,
      width: `${100 / cols}%`, height: `${100 / rows}%` });
  });
  button.addEventListener("pointerleave", () => { hover.hidden = true; });

  return {
    element,
    canvas,
    legend,
    ready(pixels) {
      grey = pixels;
      button.disabled = false;
    },
  };
}
