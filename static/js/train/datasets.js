// The dataset cards of the Train view: name, input shape, classes, counts and a few sample pictures.

import { el } from "../shared/dom.js";
import { formatInt, formatShape } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";

function card(dataset, chosen) {
  const button = el("button", { type: "button", class: "tr-dataset", "data-dataset": dataset.id,
    "aria-pressed": String(chosen), disabled: !dataset.available });
  const thumbs = el("span", { class: "tr-thumbs", "aria-hidden": "true" },
    ...(dataset.samples ?? []).slice(0, 6).map((s) => el("img", { src: s.image, alt: "" })));
  const facts = dataset.available
    ? t("train.counts", { train: formatInt(dataset.train_count), test: formatInt(dataset.test_count) })
    : t("train.unavailable", { reason: pick(dataset.reason) });
  button.append(el("span", { class: "tr-dataset-name", text: pick(dataset.name) }),
    el("span", { class: "tr-dataset-shape mono", text: `${formatShape([null, ...dataset.input_shape])} · ${dataset.classes.length}` }),
    thumbs, el("span", { class: "tr-dataset-facts", text: facts }));
  return el("li", {}, button);
}

export function renderDatasets(list, datasets, chosenId) {
  list.replaceChildren(...datasets.map((d) => card(d, d.id === chosenId)));
}
