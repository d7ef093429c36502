// Blocks drawn as Lego-like bricks whose size follows the layer's output: the front face is the
// feature map (height × width), the depth is the channels, a vector is a flat plate. Sizes use a
// log scale so 8×8 and 224×224 both stay readable; the colour (set in CSS) follows the category.

const SVG = "http://www.w3.org/2000/svg";
const VIEW = { width: 112, height: 92 };
const SLANT = { x: 0.62, y: 0.42 };

const log2 = (n) => Math.log2(Math.max(1, n ?? 1));
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const spatial = (n) => clamp(10 + 7.5 * log2(n), 8, 64);
const depth = (c) => clamp(3 + 4 * log2(c), 3, 44);
const plate = (n) => clamp(8 + 5 * log2(n), 8, 92);

/** Brick proportions for an output shape without the batch axis (null: the layer has no shape yet). */
export function brickSize(dims, channelsFirst = false) {
  if (!dims || dims.length === 0) return { w: 40, h: 14, d: 14, ghost: true };
  const known = dims.map((d) => d ?? 32);
  if (known.length === 1) return { w: plate(known[0]), h: 7, d: 7 };
  if (known.length === 2) return { w: spatial(known[0]), h: 9, d: depth(known[1]) };
  const [h, w, c] = channelsFirst ? [known[1], known[2], known[0]] : known.slice(-3);
  return { w: spatial(w), h: spatial(h), d: depth(c) };
}

function node(name, attrs) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

const points = (list) => list.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");

function studs(svg, { x0, top, w, dx, dy, d }) {
  const across = clamp(Math.round(w / 17), 1, 4);
  const back = clamp(Math.round(d / 16), 1, 2);
  const r = clamp(Math.min(w / across, 14) * 0.26, 1.6, 3.6);
  for (let j = back - 1; j >= 0; j--) { // back row first, so front studs overlap it
    const f = (j + 0.5) / back;
    for (let i = 0; i < across; i++) {
      const cx = x0 + ((i + 0.5) / across) * w + dx * f;
      const cy = top - dy * f;
      svg.append(node("rect", { x: cx - r, y: cy - r * 0.9, width: 2 * r, height: r * 0.9, class: "face-side" }));
      svg.append(node("ellipse", { cx, cy: cy - r * 0.9, rx: r, ry: r * 0.5, class: "face-stud" }));
    }
  }
}

/** An <svg> brick for the given dims; decorative (the numbers beside it say the same in words). */
export function drawBrick(dims, { channelsFirst = false } = {}) {
  const { w, h, d, ghost } = brickSize(dims, channelsFirst);
  const dx = d * SLANT.x;
  const dy = d * SLANT.y;
  const x0 = (VIEW.width - w - dx) / 2;
  const bottom = (VIEW.height + h + dy) / 2 + 1; // centred, studs included
  const top = bottom - h;
  const svg = node("svg", {
    viewBox: `0 0 ${VIEW.width} ${VIEW.height}`, class: ghost ? "brick is-ghost" : "brick",
    "aria-hidden": "true", focusable: "false",
  });
  svg.append(
    node("polygon", { class: "face-side", points: points([[x0 + w, top], [x0 + w + dx, top - dy], [x0 + w + dx, bottom - dy], [x0 + w, bottom]]) }),
    node("polygon", { class: "face-top", points: points([[x0, top], [x0 + dx, top - dy], [x0 + w + dx, top - dy], [x0 + w, top]]) }),
    node("rect", { class: "face-front", x: x0, y: top, width: w, height: h, rx: 1.2 }),
  );
  if (!ghost) studs(svg, { x0, top, w, dx, dy, d });
  return svg;
}
