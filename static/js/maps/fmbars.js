// A flat output (Flatten, Dense) as bars: one bar per value from a zero line, positive up, negative
// down. Each bar carries its value as a tooltip; a cut-off list (the server caps the values sent)
// says how many of how many are drawn.

import { el } from "../shared/dom.js";
import { shortNumber } from "./fmparts.js";
import { formatInt } from "../shared/format.js";
import { t } from "../shared/i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const LABEL_EVERY_BAR = 16; // up to this many bars, each gets its index written under it

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function total(shape) {
  return shape.slice(1).reduce((product, d) => product * (d ?? 1), 1);
}

function chart(values) {
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const span = high - low || 1;
  const y = (v) => ((high - v) / span) * 100;
  // Gaps between bars only while bars are wide; hundreds of hairline gaps would read as grey mush.
  const gap = values.length <= 64 ? 0.18 : 0;
  const chartSvg = svg("svg", { class: "fm-bars-chart", viewBox: `0 0 ${values.length} 100`, preserveAspectRatio: "none",
    role: "img", "aria-label": t("maps.barsLabel", { count: values.length, low: shortNumber(low), high: shortNumber(high) }) });
  values.forEach((value, index) => {
    const top = Math.min(y(value), y(0));
    const bar = svg("rect", { x: index + gap / 2, width: 1 - gap, y: top, height: Math.max(Math.abs(y(value) - y(0)), 0.6),
      class: value < 0 ? "fm-bar is-negative" : "fm-bar" });
    const title = svg("title", {});
    title.textContent = `${index}: ${shortNumber(value)}`;
    bar.append(title);
    chartSvg.append(bar);
  });
  chartSvg.append(svg("line", { x1: 0, x2: values.length, y1: y(0), y2: y(0), class: "fm-bars-zero", "vector-effect": "non-scaling-stroke" }));
  return chartSvg;
}

function axis(count) {
  const indices = count <= LABEL_EVERY_BAR ? [...Array(count).keys()] : [0, count - 1];
  const row = el("div", { class: `fm-bars-axis${count <= LABEL_EVERY_BAR ? " is-each" : ""}`, "aria-hidden": "true" },
    ...indices.map((i) => el("span", { text: String(i) })));
  row.style.setProperty("--count", count);
  return row;
}

export function drawBars(layer) {
  const values = layer.values;
  const all = total(layer.output_shape);
  const caption = layer.truncated
    ? t("maps.valuesCut", { shown: formatInt(values.length), total: formatInt(all) })
    : t("maps.values", { count: formatInt(values.length) });
  return el("figure", { class: "fm-figure fm-bars" },
    el("div", { class: "fm-bars-frame" }, chart(values)), axis(values.length),
    el("figcaption", {}, el("span", { class: `fm-caption${layer.truncated ? " is-cut" : ""}`, text: caption })));
}
