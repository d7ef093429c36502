// Colour maps for the server's grey mosaics. The server sends one grey PNG per layer (0 = the layer's
// minimum, 255 = its maximum) so that the choice of colours stays in the page: each grey level is
// looked up in a 256-entry table and the canvas is repainted, with no new request.

export const COLORMAPS = ["grey", "viridis", "diverging"];

// A few colours sampled along viridis (perceptually even, readable in greyscale print), interpolated.
const VIRIDIS = [
  [68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140],
  [40, 174, 128], [94, 201, 98], [173, 220, 48], [253, 231, 37],
];
// Blue for negative, near-white for zero, red for positive: the page's accent and danger hues.
const DIVERGING = [[38, 70, 160], [120, 155, 225], [246, 246, 246], [232, 140, 110], [165, 30, 40]];

/** The colour at position x in [0, 1] along evenly spaced anchors. */
function along(anchors, x) {
  const at = Math.min(1, Math.max(0, x)) * (anchors.length - 1);
  const low = Math.min(Math.floor(at), anchors.length - 2);
  const f = at - low;
  return anchors[low].map((c, i) => Math.round(c + (anchors[low + 1][i] - c) * f));
}

/**
 * The colour of grey level g (0..255) for a layer whose values span range = [min, max].
 * Diverging is about the sign of the value, not the grey level: zero is white wherever it falls in
 * the range, so a ReLU output (all ≥ 0) reads white to red and a kernel (symmetric range) is centred.
 */
export function colourOf(name, g, range = [0, 1]) {
  if (name === "viridis") return along(VIRIDIS, g / 255);
  if (name === "diverging") {
    const [low, high] = range;
    const value = low + (g / 255) * (high - low);
    const reach = Math.max(Math.abs(low), Math.abs(high)) || 1;
    return along(DIVERGING, 0.5 + value / reach / 2);
  }
  return [g, g, g];
}

/** 256 colours as [r, g, b, r, g, b, ...]. */
export function lookupTable(name, range) {
  const table = new Uint8ClampedArray(256 * 3);
  for (let g = 0; g < 256; g += 1) table.set(colourOf(name, g, range), g * 3);
  return table;
}

/**
 * The table for one tile shown on its own scale: its grey levels low..high spread over the whole
 * colour map. Colours then stand for values in the tile's span (computed from the layer's range).
 */
export function stretchedTable(name, range, [low, high]) {
  const valueAt = (g) => range[0] + (g / 255) * (range[1] - range[0]);
  const span = [valueAt(low), valueAt(high)];
  const table = new Uint8ClampedArray(256 * 3);
  for (let g = 0; g < 256; g += 1) {
    const position = high > low ? Math.min(1, Math.max(0, (g - low) / (high - low))) : 0;
    table.set(colourOf(name, Math.round(position * 255), span), g * 3);
  }
  return { table, span };
}

/** A CSS gradient from the range's minimum to its maximum, for the colour bars beside the maps. */
export function gradientCss(name, range) {
  const stops = [0, 32, 64, 96, 128, 160, 192, 224, 255].map((g) => `rgb(${colourOf(name, g, range).join(" ")}) ${(g / 255 * 100).toFixed(1)}%`);
  return `linear-gradient(to right, ${stops.join(", ")})`;
}

/** The grey levels of a PNG data URL, as ImageData (decoded once, repainted for every colour map). */
export async function decodeGrey(dataUrl) {
  const image = new Image();
  image.src = dataUrl;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(image, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/** Paint grey pixels (or a region of them) onto a canvas through a lookup table. */
export function paint(canvas, grey, table, region = { x: 0, y: 0, w: grey.width, h: grey.height }) {
  canvas.width = region.w;
  canvas.height = region.h;
  const context = canvas.getContext("2d");
  const out = context.createImageData(region.w, region.h);
  for (let y = 0; y < region.h; y += 1) {
    for (let x = 0; x < region.w; x += 1) {
      const from = ((region.y + y) * grey.width + region.x + x) * 4;
      const to = (y * region.w + x) * 4;
      const level = grey.data[from] * 3;
      out.data[to] = table[level];
      out.data[to + 1] = table[level + 1];
      out.data[to + 2] = table[level + 2];
      out.data[to + 3] = 255;
    }
  }
  context.putImageData(out, 0, 0);
}

/**
 * How many filters run across in one band of a kernel mosaic: about square overall, so that 64 filters of
 * 3 input channels are 4 bands of 16 (12×16 tiles) rather than a 3×64 strip no phone can show.
 */
export function filtersPerBand(filters, inputs) {
  return Math.min(filters, 2 ** Math.max(0, Math.round(Math.log2(Math.sqrt(filters * inputs)))));
}

/**
 * Kernel mosaics come a row per filter and a column per input channel; the page shows them a column per
 * filter (filters run across, like the channels of the layer's feature maps), `perBand` filters to a band
 * of `inputs` rows, bands one under another: tile (filter f, input i) goes to row ⌊f/perBand⌋·inputs + i,
 * column f mod perBand.
 */
export function bandTiles(grey, [filters, inputs], [tileH, tileW], perBand) {
  const bands = Math.ceil(filters / perBand);
  const out = new ImageData(perBand * tileW, bands * inputs * tileH);
  for (let f = 0; f < filters; f += 1) {
    const band = Math.floor(f / perBand);
    for (let i = 0; i < inputs; i += 1) {
      const row = band * inputs + i;
      for (let y = 0; y < tileH; y += 1) {
        const from = ((f * tileH + y) * grey.width + i * tileW) * 4;
        const to = ((row * tileH + y) * out.width + (f % perBand) * tileW) * 4;
        out.data.set(grey.data.subarray(from, from + tileW * 4), to);
      }
    }
  }
  return out;
}

/** The lowest and highest grey level inside one tile (to read a single channel's own span). */
export function levelSpan(grey, region) {
  let low = 255;
  let high = 0;
  for (let y = region.y; y < region.y + region.h; y += 1) {
    for (let x = region.x; x < region.x + region.w; x += 1) {
      const level = grey.data[(y * grey.width + x) * 4];
      if (level < low) low = level;
      if (level > high) high = level;
    }
  }
  return [low, high];
}
