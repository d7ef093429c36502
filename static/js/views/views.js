// The views of the model: blocks, the Keras-style summary text, the tf.keras code and the feature maps,
// as ARIA tabs (arrow keys move between tabs), plus the totals shown under all of them.

import { compactInt, formatInt, formatShape, paramsSize, readableSize } from "../shared/format.js";
import { pick, t } from "../shared/i18n.js";
import { copyText, toast } from "../shared/notify.js";
import { el } from "../shared/dom.js";
import { activationBytes } from "../blocks/results.js";
import { frozenBadge } from "../blocks/stack.js";

/** onShow(tab) is told which tab is now shown (the feature maps compute only while seen). */
export function wireTabs(tablist, onShow = () => {}) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const activate = (tab, focus = true) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) tab.focus();
    onShow(tab);
  };
  tablist.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) activate(tab);
  });
  tablist.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(document.activeElement);
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: tabs.length - 1 - index };
    if (index < 0 || !(event.key in moves)) return;
    event.preventDefault();
    activate(tabs[(index + moves[event.key] + tabs.length) % tabs.length]);
  });
}

export function wireCopyButtons(root) {
  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const copied = await copyText(document.getElementById(button.dataset.copy).textContent);
    toast(copied ? t("code.copied") : t("code.copyFailed"));
  });
}

/**
 * The same rows as a table that wraps, for a column too narrow for Keras's 80-column text (a phone): the
 * text stays for wide screens and for Copy, so nobody has to scroll sideways to read their model.
 */
export function renderSummaryTable(table, answer) {
  table.replaceChildren();
  if (answer?.kind !== "result" || !answer.data.summary) return;
  const functional = Boolean(answer.data.functional); // a graph: each row says what it is connected to
  const head = el("tr", {}, ...["summary.layer", "summary.output", "summary.params"].map((key) => el("th", { scope: "col", text: t(key) })));
  const rows = answer.data.layers.map((row) => el("tr", {},
    el("td", {}, el("span", { class: "summary-name", text: row.name }), " ", el("span", { class: "summary-type", text: `(${row.type})` }),
      ...(row.trainable === false ? [" ", frozenBadge()] : []), // Keras's text summary does not say; the table can
      functional && row.inputs?.length ? el("span", { class: "summary-connected", text: `${t("summary.connected")}: ${row.inputs.join(", ")}` }) : null),
    el("td", { class: "mono", text: formatShape(row.output_shape) }),
    el("td", { class: "mono num", text: formatInt(row.params) })));
  const total = el("tr", { class: "summary-total" }, el("th", { scope: "row", colspan: "2", text: t("totals.total") }),
    el("td", { class: "mono num", text: formatInt(answer.data.total_params) }));
  table.append(el("thead", {}, head), el("tbody", {}, ...rows, total));
}

/** "Ready to run" only when it is: for a model Keras cannot build, say where the code will fail. */
export function renderPythonNote(note, answer) {
  const error = answer?.kind === "result" ? answer.data.error : null;
  note.textContent = error ? t("python.invalid", { index: error.layer + 1, name: error.name }) : t("python.note");
  note.classList.toggle("is-warning", Boolean(error));
}

export function renderSummary(pre, answer) {
  if (answer?.kind === "result" && answer.data.summary) pre.textContent = answer.data.summary;
  else if (answer?.kind === "result") {
    const error = answer.data.error;
    pre.textContent = t("summary.invalid", { index: error.layer + 1, name: error.name, message: pick(error.message) });
  } else if (answer?.kind === "invalid") pre.textContent = t("summary.malformed");
  else pre.textContent = t("explain.pending");
}

function line(label, count) {
  const row = document.createElement("p");
  row.className = "total-line";
  const name = document.createElement("span");
  name.className = "total-label";
  name.textContent = `${label}:`;
  const value = document.createElement("span");
  value.className = "total-value";
  value.textContent = `${formatInt(count)} (${paramsSize(count)})`;
  row.append(name, " ", value);
  return row;
}

/** Beside Keras's lines: the output, the layer count and what one forward pass costs (compact). */
function facts(data) {
  const list = document.createElement("dl");
  list.className = "total-facts";
  const add = (label, value, exact = null) => {
    const div = document.createElement("div");
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (exact) dd.title = exact;
    div.append(dt, dd);
    list.append(div);
  };
  add(t("totals.output"), formatShape(data.output_shape));
  add(t("totals.layers"), String(data.layers.length));
  add(t("totals.macs"), compactInt(data.total_macs), data.total_macs == null ? null : formatInt(data.total_macs));
  add(t("totals.activations"), readableSize(activationBytes(data)));
  return list;
}

/** Totals read as Keras prints them: "Total params: 122,570 (478.79 KB)". */
export function renderTotals(root, answer) {
  root.replaceChildren();
  if (answer?.kind !== "result") {
    const note = document.createElement("p");
    note.className = "total-note";
    note.textContent = answer?.kind === "offline" ? t("app.offline") : answer ? t("totals.malformed") : t("explain.pending");
    root.append(note);
    return;
  }
  const { data } = answer;
  const lines = document.createElement("div");
  lines.className = "total-lines";
  lines.append(line(t("totals.total"), data.total_params), line(t("totals.trainable"), data.trainable_params),
    line(t("totals.nonTrainable"), data.non_trainable_params));
  root.append(lines, facts(data));
  if (!data.valid) {
    const warn = document.createElement("p");
    warn.className = "total-warning";
    warn.textContent = t("totals.partial", { index: data.error.layer + 1, name: data.error.name });
    root.append(warn);
  }
}
