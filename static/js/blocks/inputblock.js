// The Input block above the stack: the shape of one sample (height, width, channels for images),
// editable field by field, with quick choices for the usual datasets.

import { drawBrick } from "./brick.js";
import { formatShape } from "../shared/format.js";
import { t, tOr } from "../shared/i18n.js";

const QUICK = [[28, 28, 1], [32, 32, 3], [224, 224, 3]];
const AXES = { 1: ["features"], 2: ["steps", "channels"], 3: ["height", "width", "channels"] };

function axisLabels(rank) {
  return AXES[rank] ?? Array.from({ length: rank }, (_, i) => `axis${i + 1}`);
}

function axisName(axis) {
  return tOr(`input.axis.${axis}`, axis.replace("axis", `${t("input.axis")} `));
}

const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

function dimField(axis, index, value) {
  const wrap = document.createElement("div");
  wrap.className = "dim";
  const id = `input-dim-${index}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = axisName(axis);
  const input = document.createElement("input");
  Object.assign(input, { id, type: "number", min: "1", step: "1", inputMode: "numeric", value: value ?? "" });
  input.dataset.axis = String(index);
  input.dataset.focus = `input:${index}`;
  input.setAttribute("aria-describedby", "input-error");
  wrap.append(label, input);
  return wrap;
}

function quickChoices(shape) {
  const group = document.createElement("div");
  group.className = "quick";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", t("input.quick"));
  for (const choice of QUICK) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip";
    button.dataset.shape = choice.join(",");
    button.dataset.focus = `quick:${choice.join("x")}`;
    button.setAttribute("aria-pressed", same(shape, choice) ? "true" : "false");
    button.textContent = choice.join("×");
    group.append(button);
  }
  return group;
}

/** Build the block; while someone types in it, only the shape line is refreshed. */
export function renderInput(root, shape, { rebuild = true, issue = null } = {}) {
  if (rebuild) {
    const focused = root.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
    const head = document.createElement("div");
    head.className = "input-head";
    head.innerHTML = `<div class="block-brick"></div><div class="input-title"><h2 id="input-title"></h2>
      <p class="input-shape block-shape"></p></div>`;
    head.querySelector("h2").textContent = t("input.title");
    head.querySelector(".block-brick").append(drawBrick(shape));
    const fields = document.createElement("div");
    fields.className = "dims";
    fields.setAttribute("role", "group");
    fields.setAttribute("aria-labelledby", "input-title");
    axisLabels(shape.length).forEach((axis, i) => fields.append(dimField(axis, i, shape[i])));
    const error = document.createElement("p");
    error.className = "field-error";
    error.id = "input-error";
    root.replaceChildren(head, fields, quickChoices(shape), error);
    if (focused) root.querySelector(`[data-focus="${CSS.escape(focused)}"]`)?.focus();
  }
  root.querySelector(".input-shape").textContent = formatShape([null, ...shape]);
  root.querySelector("#input-error").textContent = issue ?? "";
  for (const button of root.querySelectorAll(".chip")) {
    button.setAttribute("aria-pressed", same(shape, button.dataset.shape.split(",").map(Number)) ? "true" : "false");
  }
}

/** Read the fields: a shape to commit, or the reason it cannot be one yet. */
function readShape(root) {
  const inputs = [...root.querySelectorAll(".dims input")];
  const bad = inputs.filter((input) => !/^\d+$/.test(input.value) || Number(input.value) < 1);
  for (const input of inputs) input.setAttribute("aria-invalid", bad.includes(input) ? "true" : "false");
  return bad.length ? { error: t("input.invalid") } : { shape: inputs.map((input) => Number(input.value)) };
}

export function wireInput(root, { setShape }) {
  let visit = 0; // each time focus enters a field, its edits start a new undo step
  root.addEventListener("focusin", () => { visit += 1; });
  root.addEventListener("input", (event) => {
    if (!event.target.matches(".dims input")) return;
    const { shape, error } = readShape(root);
    root.querySelector("#input-error").textContent = error ?? "";
    if (shape) setShape(shape, { typing: true, axis: `${event.target.dataset.axis}:${visit}` });
  });
  root.addEventListener("click", (event) => {
    const chip = event.target.closest(".chip[data-shape]");
    if (chip) setShape(chip.dataset.shape.split(",").map(Number), { typing: false });
  });
}
