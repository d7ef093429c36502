// The feature maps, one card per layer: the input as the model sees it, then for each layer its
// mosaic of channels (or bars for a flat output) and, for convolutions, the kernels. Mosaics are
// drawn at their true pixel size and scaled up by CSS with crisp pixels; colours are applied here.

import { drawBars } from "./fmbars.js";
import { el } from "../shared/dom.js";
import { mosaicFigure, shortNumber } from "./fmparts.js";
import { pictureName } from "./fmpicture.js";
import { kindOf } from "../model/catalogue.js";
import { bandTiles, decodeGrey, filtersPerBand, lookupTable, paint } from "./colormap.js";
import { formatInt, formatShape } from "../shared/format.js";
import { t } from "../shared/i18n.js";

const OPEN_KERNELS = 256; // kernel tiles shown unfolded at first (a first layer: filters × 1 or 3 channels)

function head(index, { type, name, shape, category, id }) {
  const title = el("h3", { class: "fm-title" },
    index == null ? null : el("span", { class: "block-index", text: index }),
    el("span", { class: `swatch cat-${category}`, "aria-hidden": "true" }),
    el("span", { class: "fm-type", text: type }),
    name ? el("span", { class: "fm-name", text: name }) : null);
  const edit = id ? el("button", { type: "button", class: "btn btn-quiet fm-edit", "data-edit": id,
    "aria-label": t("maps.edit", { name: name || type }), text: t("maps.editShort") }) : null;
  return el("div", { class: "fm-head" }, title, el("span", { class: "fm-shape", text: formatShape(shape) }), edit);
}

/** The maps come from untrained weights drawn from a seed (another seed, other weights), or from a run's
 * trained weights. */
function weightsLine(seed, runId) {
  if (runId) {
    return el("p", { class: "fm-weights is-trained" }, el("span", { text: t("maps.trainedWeights", { id: runId }) }),
      el("button", { type: "button", class: "btn btn-quiet fm-reseed", "data-reseed": "", text: t("maps.untrainedAgain") }));
  }
  return el("p", { class: "fm-weights" },
    el("span", { text: t("maps.weights") }), " · ", el("span", { text: t("maps.seed") }), " ",
    el("span", { class: "mono fm-seed", text: String(seed) }),
    el("button", { type: "button", class: "btn btn-quiet fm-reseed", "data-reseed": "", text: t("maps.reseed") }));
}

function inputCard(input, picture, seed, runId) {
  const [height, width, channels] = input.shape;
  const original = el("img", { class: "fm-original", src: picture.url, alt: pictureName(picture) });
  const seen = el("img", { class: "fm-seen", src: input.image, width, height, alt: t("maps.inputAlt", { height, width }) });
  const note = t(channels === 1 ? "maps.inputNoteGrey" : "maps.inputNoteColour", { height, width });
  return el("li", { class: "fm-layer fm-input", "data-index": "input" },
    head(null, { type: t("input.title"), shape: [null, ...input.shape], category: "unknown" }),
    el("div", { class: "fm-input-body" },
      el("figure", { class: "fm-input-figure" }, original, el("figcaption", { text: pictureName(picture) })),
      el("span", { class: "fm-arrow", "aria-hidden": "true", text: "→" }),
      el("figure", { class: "fm-input-figure" }, seen, el("figcaption", { text: t("maps.seen") })),
      el("div", { class: "fm-input-text" }, el("p", { class: "fm-input-note", text: note }), weightsLine(seed, runId))));
}

function statsLine(stats) {
  return el("p", { class: "fm-stats" },
    ...[["min", stats.min], ["mean", stats.mean], ["max", stats.max]].flatMap(([key, value]) => [
      el("span", { class: "fm-stat" }, el("span", { class: "fm-stat-label", text: t(`maps.${key}`) }), " ",
        el("span", { class: "fm-stat-value", text: shortNumber(value) }))]));
}

/** What the channel mosaic says in words: "32 channels, 30×30 each" (and how many are drawn). */
function channelsText(layer) {
  const [h, w] = layer.tile;
  const text = t("maps.channels", { count: formatInt(layer.channels), height: h, width: w });
  return layer.channels_shown < layer.channels ? `${text} ${t("maps.channelsShown", { shown: formatInt(layer.channels_shown) })}` : text;
}

/** "Kernels 3×3 · 32 filters × 3 input channels": the summary line of the (foldable) kernels. */
function kernelsSummary({ grid, tile, layout }) {
  const size = `${tile[0]}×${tile[1]}`;
  return layout === "filter_by_input"
    ? t("maps.kernelsSummary", { size, filters: grid[0], inputs: grid[1] })
    : t("maps.kernelsSummaryPerChannel", { size, count: grid[0] * grid[1] });
}

function kernelsCaption({ layout, truncated }) {
  const text = t(layout === "filter_by_input" ? "maps.kernelsByInput" : "maps.kernelsPerChannel");
  return truncated ? `${text} ${t("maps.kernelsCut")}` : text;
}

export function createLayerView(list, { onEnlarge }) {
  let painted = []; // {canvas, grey, range, legend}: repainted when the colour map changes
  let pending = []; // decodes under way for the cards on screen
  let colormap = "grey";

  function paintOne(item) {
    paint(item.canvas, item.grey, lookupTable(colormap, item.range));
    item.canvas.dataset.painted = colormap;
    item.legend.update(colormap);
  }

  /** Decode the grey PNG, then paint it; `arrange` may re-lay the tiles (kernels run filter by column). */
  async function attach(figure, dataUrl, range, arrange = (grey) => grey) {
    const item = { canvas: figure.canvas, range, legend: figure.legend, grey: arrange(await decodeGrey(dataUrl)) };
    if (!figure.canvas.isConnected) return null; // a newer answer replaced this card meanwhile
    painted.push(item);
    paintOne(item);
    figure.ready(item.grey);
    return item;
  }

  function mapsFigure(layer) {
    const [rows, cols] = layer.grid;
    const [h, w] = layer.tile;
    const range = [layer.stats.min, layer.stats.max];
    const figure = mosaicFigure({
      grid: [rows, cols], tile: [h, w], range, target: [576, 360], className: "fm-maps",
      label: t("maps.enlargeLabel", { name: layer.name, count: layer.channels }),
      caption: channelsText(layer), count: layer.channels_shown,
      onPick: (index, grey) => onEnlarge({ layer, index, grey, range, kind: "channel" }),
    });
    pending.push(attach(figure, layer.image, range));
    return figure.element;
  }

  /** One kernel mosaic: the layer's weights now, or (`kernels` given) as they were before training. */
  function kernelMosaic(layer, kernels, heading = null) {
    const { grid, tile, layout, range } = kernels;
    const banded = layout === "filter_by_input";
    const [filters, inputs] = grid;
    const perBand = banded ? filtersPerBand(filters, inputs) : grid[1];
    const across = banded ? [Math.ceil(filters / perBand) * inputs, perBand] : grid; // a column per filter
    const figure = mosaicFigure({
      grid: across, tile, range, target: [576, 360], className: "fm-kernel-figure",
      label: t("maps.kernelsLabel", { name: layer.name }), caption: heading ? `${heading} · ${kernelsCaption(kernels)}` : kernelsCaption(kernels),
      count: across[0] * across[1],
      onPick: (index, grey) => onEnlarge({ layer, index, grey, range, kind: banded ? "weight" : "kernel", across, inputs, perBand }),
    });
    pending.push(attach(figure, kernels.image, range, banded ? (g) => bandTiles(g, grid, tile, perBand) : undefined));
    return figure.element;
  }

  /** Kernels fold away when there are many: thousands of random 3×3 tiles tell little at first sight. With
   * trained weights, the same kernels before training stand beside them. */
  function kernelsFigure(layer) {
    const { grid } = layer.kernels;
    const figures = layer.kernels_before
      ? el("div", { class: "fm-kernel-pair" }, kernelMosaic(layer, layer.kernels_before, t("maps.beforeTraining")),
        kernelMosaic(layer, layer.kernels, t("maps.afterTraining")))
      : kernelMosaic(layer, layer.kernels);
    return el("details", { class: "fm-kernels", open: grid[0] * grid[1] <= OPEN_KERNELS },
      el("summary", { text: kernelsSummary(layer.kernels) }), figures);
  }

  function layerCard(layer, { ids, catalogue }) {
    const kind = kindOf(catalogue, layer.type);
    const card = el("li", { class: `fm-layer cat-${kind?.category ?? "unknown"}`, "data-index": String(layer.index), "data-id": ids[layer.index] },
      head(String(layer.index + 1), { type: layer.type, name: layer.name, shape: layer.output_shape,
        category: kind?.category ?? "unknown", id: ids[layer.index] }));
    const body = el("div", { class: "fm-body" });
    if (layer.image) body.append(mapsFigure(layer));
    else body.append(drawBars(layer));
    body.append(statsLine(layer.stats));
    if (layer.kernels) body.append(kernelsFigure(layer));
    card.append(body);
    return card;
  }

  return {
    /** Resolves once every mosaic is painted. */
    render(data, { ids, catalogue, picture, seed, runId }) {
      painted = [];
      pending = [];
      list.replaceChildren(inputCard(data.input, picture, seed, runId), ...data.layers.map((layer) => layerCard(layer, { ids, catalogue })));
      return Promise.all(pending);
    },
    clear() {
      painted = [];
      list.replaceChildren();
    },
    recolour(name) {
      colormap = name;
      for (const item of painted) paintOne(item);
    },
    colormap: () => colormap,
  };
}
