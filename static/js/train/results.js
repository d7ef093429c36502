// A finished run: its test score, the confusion matrix (darker = more pictures), per-class accuracy,
// pictures it got wrong, and the way out: the .keras file and what the trained network sees.

import { el } from "../shared/dom.js";
import { formatInt } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";

function percent(value) {
  return `${(value * 100).toFixed(1)}%`;
}

function confusionTable(confusion, names, perClass) {
  const most = Math.max(1, ...confusion.flat());
  const head = el("tr", {}, el("th", {}), ...names.map((n) => el("th", { scope: "col", text: n })), el("th", { scope: "col", text: t("train.perClass") }));
  const rows = confusion.map((row, i) => el("tr", {}, el("th", { scope: "row", text: names[i] }),
    ...row.map((count, j) => el("td", { class: i === j ? "is-right" : "", style: `--share:${(count / most).toFixed(3)}`, text: String(count) })),
    el("td", { class: "tr-per-class", text: percent(perClass[i]) })));
  return el("div", { class: "tr-confusion-wrap" }, el("table", { class: "tr-confusion" },
    el("caption", { text: t("train.confusion") }), el("thead", {}, head), el("tbody", {}, ...rows)));
}

export function renderResults(root, run, dataset, { onSeeMaps, onDownloadCode }) {
  root.replaceChildren();
  if (!run.results) {
    if (run.error) root.append(el("p", { class: "tr-refusal", text: pick(run.error) }));
    return;
  }
  const names = dataset.classes.map(pick);
  const { test, confusion, per_class: perClass, misclassified } = run.results;
  const count = confusion.flat().reduce((a, b) => a + b, 0);
  const see = el("button", { type: "button", class: "btn", text: t("train.seeMaps") });
  see.addEventListener("click", () => onSeeMaps(run));
  // The code that trains this model at home: the dataset loaded as Keras's tutorials do, compile and fit as run here.
  const code = el("button", { type: "button", class: "btn", id: "tr-download-code", text: t("train.downloadCode") });
  code.addEventListener("click", () => onDownloadCode(run));
  root.append(
    el("p", { class: "tr-test", text: t("train.test", { accuracy: percent(test.accuracy), loss: test.loss.toFixed(3), count: formatInt(count) }) }),
    el("div", { class: "tr-actions" }, el("a", { class: "btn", href: run.model_url, download: "", text: t("train.download") }), code, see),
    confusionTable(confusion, names, perClass));
  if (misclassified.length) {
    root.append(el("h3", { class: "tr-subtitle", text: t("train.misclassified") }),
      el("ul", { class: "tr-wrong" }, ...misclassified.map((m) => el("li", {},
        el("img", { src: m.image, alt: t("train.wrongLabel", { true: names[m.true], predicted: names[m.predicted] }) }),
        el("span", { text: t("train.wrongLabel", { true: names[m.true], predicted: names[m.predicted] }) })))));
  }
}
