// Learning curves as plain SVG. Why not a charting library: the page has no build step, a few lines per
// epoch is all it draws, and an SVG scales crisply to a projector and a phone alike (about 80 lines here,
// against a 40-200 kB dependency served beside the app).

const W = 600;
const H = 240;
const PAD = { left: 48, right: 12, top: 12, bottom: 30 };
const NS = "http://www.w3.org/2000/svg";
export const COLOURS = ["#3a5bcc", "#e0782f", "#2f9e7a", "#c2417a", "#7c5cc4", "#8a8f2a"];

function node(tag, attrs, text) {
  const element = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (text != null) element.textContent = text;
  return element;
}

/** A top for the y axis that splits into four round steps (0.5, 1, 1.5, 2 rather than 0.375, 0.75, 1.13). */
function niceMax(value) {
  if (!(value > 0)) return 1;
  const rough = value / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough);
  return step * 4;
}

/**
 * lineChart(root, series, {xMax, yMax, label}): series are {name, points: [[epoch, value]…], colour, dashed};
 * x runs over epochs 1..xMax, y from 0 to yMax (found from the data when not given).
 */
export function lineChart(root, series, { xMax = 1, yMax = null, label = "" } = {}) {
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const top = yMax ?? niceMax(Math.max(0, ...values));
  const right = Math.max(1, xMax);
  const x = (epoch) => PAD.left + ((epoch - (right > 1 ? 1 : 0)) / Math.max(1, right - 1)) * (W - PAD.left - PAD.right);
  const y = (value) => H - PAD.bottom - (value / top) * (H - PAD.top - PAD.bottom);
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": label });
  for (let i = 0; i <= 4; i += 1) {
    const value = (top * i) / 4;
    svg.append(node("line", { x1: PAD.left, x2: W - PAD.right, y1: y(value), y2: y(value), class: "chart-grid" }),
      node("text", { x: PAD.left - 6, y: y(value) + 4, class: "chart-tick", "text-anchor": "end" }, +value.toPrecision(3)));
  }
  const step = Math.max(1, Math.ceil(right / 10));
  for (let epoch = 1; epoch <= right; epoch += step) {
    svg.append(node("text", { x: x(epoch), y: H - 10, class: "chart-tick", "text-anchor": "middle" }, epoch));
  }
  for (const s of series) {
    const points = s.points.filter((p) => Number.isFinite(p[1]));
    if (!points.length) continue;
    const path = points.map((p, i) => `${i ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
    svg.append(node("path", { d: path, class: "chart-line", stroke: s.colour, "stroke-dasharray": s.dashed ? "6 4" : "none" }));
    for (const p of points) svg.append(node("circle", { cx: x(p[0]), cy: y(p[1]), r: 3, fill: s.colour }));
  }
  const legend = document.createElement("ul");
  legend.className = "chart-legend";
  for (const s of series) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `chart-swatch${s.dashed ? " is-dashed" : ""}`;
    swatch.style.setProperty("--colour", s.colour);
    item.append(swatch, s.name);
    legend.append(item);
  }
  root.replaceChildren(svg, legend);
}
