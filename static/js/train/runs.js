// Every run so far, newest first; ticking two or more overlays their validation curves with their size,
// speed and score beside them (with and without pooling: what does each cost and score?).

import { el } from "../shared/dom.js";
import { formatInt } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";
import { COLOURS, lineChart } from "./chart.js";

function secondsPerEpoch(run) {
  const seconds = run.history.map((e) => e.seconds);
  return seconds.length ? (seconds.reduce((a, b) => a + b, 0) / seconds.length).toFixed(1) : "–";
}

export function renderRuns(root, runs, datasets, picked, { onPick, onOpen }) {
  if (!runs.length) {
    root.replaceChildren(el("p", { class: "tr-help", text: t("train.noRuns") }));
    return;
  }
  const head = el("tr", {}, ...["", "train.col.run", "train.col.dataset", "train.col.params", "train.col.epochs",
    "train.col.secondsPerEpoch", "train.col.accuracy", "train.col.status"].map((key) => el("th", { scope: "col", text: key ? t(key) : "" })));
  const rows = runs.map((run) => {
    const box = el("input", { type: "checkbox", "aria-label": t("train.compareRun", { id: run.id }) });
    box.checked = picked.has(run.id);
    box.addEventListener("change", () => onPick(run.id, box.checked));
    const open = el("button", { type: "button", class: "btn btn-quiet mono", text: run.id });
    open.addEventListener("click", () => onOpen(run.id));
    const dataset = datasets.find((d) => d.id === run.dataset);
    return el("tr", {}, el("td", {}, box), el("td", {}, open), el("td", { text: dataset ? pick(dataset.name) : run.dataset }),
      el("td", { class: "num mono", text: formatInt(run.params) }), el("td", { class: "num mono", text: String(run.history.length) }),
      el("td", { class: "num mono", text: secondsPerEpoch(run) }),
      el("td", { class: "num mono", text: run.test ? `${(run.test.accuracy * 100).toFixed(1)}%` : "–" }),
      el("td", { text: t(`train.status.${run.status}`) }));
  });
  root.replaceChildren(el("div", { class: "tr-table-wrap" }, el("table", { class: "tr-table" }, el("thead", {}, head), el("tbody", {}, ...rows))));
}

export function renderComparison(box, runs, picked) {
  const chosen = runs.filter((run) => picked.has(run.id));
  box.hidden = chosen.length < 2;
  if (box.hidden) return;
  const xMax = Math.max(...chosen.map((run) => run.history.length));
  const series = (key) => chosen.map((run, i) => ({
    name: `${run.id} · ${formatInt(run.params)}`, colour: COLOURS[i % COLOURS.length],
    points: run.history.map((e) => [e.epoch, e[key]]),
  }));
  lineChart(box.querySelector("#tr-compare-loss"), series("val_loss"), { xMax, label: t("train.compareLoss") });
  lineChart(box.querySelector("#tr-compare-accuracy"), series("val_accuracy"), { xMax, yMax: 1, label: t("train.compareAccuracy") });
}
