// One channel (or one kernel) enlarged in a dialog: drawn big with crisp pixels, with its index as
// Python would write it and the values its shades stand for. Arrow keys or the buttons walk to the
// neighbouring channels; Escape closes (the native <dialog> then returns focus to the mosaic).

import { levelSpan, lookupTable, paint, stretchedTable } from "./colormap.js";
import { rangeScale, shortNumber } from "./fmparts.js";
import { t } from "../shared/i18n.js";

const $ = (id) => document.getElementById(id);

/** Where tile `index` sits in the grey mosaic, and how many tiles there are. */
function tileRegion({ layer, index, kind, across }) {
  const [rows, cols] = kind === "channel" ? layer.grid : across;
  const [h, w] = kind === "channel" ? layer.tile : layer.kernels.tile;
  const count = kind === "channel" ? layer.channels_shown : rows * cols;
  return { x: (index % cols) * w, y: Math.floor(index / cols) * h, w, h, count, cols };
}

/** Title and the Python expression that reads the same numbers. */
function describe({ layer, index, kind, inputs }, region) {
  if (kind === "channel") {
    return { title: t("maps.zoomChannel", { name: layer.name, index }), code: `outputs[0, :, :, ${index}]`,
      span: t("maps.zoomChannelsAll", { count: layer.channels, last: layer.channels - 1 }) };
  }
  if (kind === "weight") {  // bands of perBand filters, each band a row per input channel (see bandTiles)
    const row = Math.floor(index / region.cols);
    const filter = Math.floor(row / inputs) * region.cols + (index % region.cols);
    const input = row % inputs;
    return { title: t("maps.zoomWeight", { name: layer.name, filter, input }), code: `kernel[:, :, ${input}, ${filter}]`,
      span: t("maps.zoomWeightNote") };
  }
  return { title: t("maps.zoomKernel", { name: layer.name, index }), code: "", span: t("maps.zoomWeightNote") };
}

function valueAt(range, level) {
  return range[0] + (level / 255) * (range[1] - range[0]);
}

export function createZoom() {
  const dialog = $("fm-zoom");
  let shown = null; // {layer, index, grey, range, kind, across, colormap}

  /** The layer's colours, or (stretched) the tile's own span over the whole colour map. */
  function colours(levels) {
    if (!$("fm-zoom-stretch").checked) {
      const words = t(shown.kind === "channel" ? "maps.zoomLayerRange" : "maps.zoomWeightRange");
      return { table: lookupTable(shown.colormap, shown.range), span: shown.range, words };
    }
    return { ...stretchedTable(shown.colormap, shown.range, levels), words: t("maps.zoomStretched") };
  }

  function draw() {
    const region = tileRegion(shown);
    const { title, code, span } = describe(shown, region);
    const levels = levelSpan(shown.grey, region);
    const { table, span: shownSpan, words } = colours(levels);
    const canvas = $("fm-zoom-canvas");
    paint(canvas, shown.grey, table, region);
    canvas.dataset.index = String(shown.index);
    canvas.style.setProperty("--ratio", `${region.w} / ${region.h}`);
    $("fm-zoom-title").textContent = title;
    $("fm-zoom-code").textContent = code;
    $("fm-zoom-code").hidden = !code;
    const [low, high] = levels.map((level) => shortNumber(valueAt(shown.range, level)));
    $("fm-zoom-own").textContent = t("maps.zoomOwn", { low, high });
    const scale = rangeScale(shownSpan);
    scale.update(shown.colormap);
    $("fm-zoom-range").replaceChildren(words, " ", scale.element);
    $("fm-zoom-span").textContent = span;
    $("fm-zoom-prev").disabled = shown.index === 0;
    $("fm-zoom-next").disabled = shown.index >= region.count - 1;
  }

  function step(delta) {
    const { count } = tileRegion(shown);
    const next = shown.index + delta;
    if (next < 0 || next >= count) return;
    shown = { ...shown, index: next };
    draw();
  }

  $("fm-zoom-prev").addEventListener("click", () => step(-1));
  $("fm-zoom-next").addEventListener("click", () => step(+1));
  $("fm-zoom-close").addEventListener("click", () => dialog.close());
  $("fm-zoom-stretch").addEventListener("change", () => draw());
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") { event.preventDefault(); step(-1); }
    if (event.key === "ArrowRight") { event.preventDefault(); step(+1); }
  });
  // A click on the backdrop (outside the dialog's box) closes it, as people expect of a pop-up.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });

  return {
    open(what, colormap) {
      shown = { ...what, colormap };
      draw();
      if (!dialog.open) dialog.showModal();
    },
    close() {
      if (dialog.open) dialog.close();
    },
    /** Language or colour map changed while open: redraw the same tile. */
    refresh(colormap = shown?.colormap) {
      if (!dialog.open || !shown) return;
      shown = { ...shown, colormap };
      draw();
    },
  };
}
