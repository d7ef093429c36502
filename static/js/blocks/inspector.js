// The inspector: a form for the selected layer, generated from the catalogue (types, bounds,
// choices, defaults, descriptions), checked as you type. A value is committed to the model only
// when it is valid; otherwise the field says what is wrong and the model keeps its last good value.

import { kindOf } from "../model/catalogue.js";
import { el } from "../shared/dom.js";
import { renderExplain } from "./explain.js";
import { display, isDefault, parse, parseName } from "../model/fields.js";
import { problemText } from "./stack.js";
import { pick, t, tOr } from "../shared/i18n.js";

function control(param, value) {
  const id = `f-${param.name}`;
  const described = `${id}-help ${id}-error`;
  if (param.kind === "bool") {
    const input = el("input", { id, type: "checkbox", name: param.name, "aria-describedby": described });
    input.checked = Boolean(value ?? param.default);
    return input;
  }
  if (param.kind === "choice") {
    const select = el("select", { id, name: param.name, "aria-describedby": described });
    const current = (value ?? param.default ?? "").toString().toLowerCase();
    const options = [...(param.nullable ? [null] : []), ...(param.choices ?? [])];
    for (const choice of options) {
      const isDefaultChoice = choice === param.default;
      const text = (choice ?? t("field.none")) + (isDefaultChoice ? ` (${t("field.default")})` : "");
      const option = el("option", { value: choice ?? "" }, text);
      option.selected = (choice ?? "") === current;
      select.append(option);
    }
    return select;
  }
  const numeric = ["int", "float", "axis"].includes(param.kind) && !param.allow_list;
  const input = el("input", {
    id, name: param.name, type: numeric ? "number" : "text", autocomplete: "off", spellcheck: "false",
    "aria-describedby": described, "aria-required": param.required ? "true" : null,
    inputmode: numeric ? (param.kind === "float" ? "decimal" : "numeric") : null,
    min: numeric ? param.minimum : null, max: numeric ? param.maximum : null,
    step: numeric ? (param.kind === "float" ? "any" : "1") : null,
    placeholder: param.default != null ? display(param, param.default) : param.nullable ? t("field.none") : "",
  });
  input.value = display(param, value);
  return input;
}

function field(param, value) {
  const id = `f-${param.name}`;
  const wrap = el("div", { class: `field field-${param.kind}`, "data-param": param.name });
  const label = el("label", { for: id });
  label.append(el("code", {}, param.name));
  if (param.required) label.append(el("span", { class: "badge" }, t("field.required.badge")));
  const help = el("p", { class: "field-help", id: `${id}-help` }, pick(param.description));
  const error = el("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
  if (param.kind === "bool") {
    const row = el("div", { class: "check-row" });
    row.append(control(param, value), label);
    wrap.append(row, help, error);
  } else {
    wrap.append(label, control(param, value), help, error);
  }
  return wrap;
}

function nameField(spec, autoName) {
  const wrap = el("div", { class: "field field-name", "data-param": "name" });
  const label = el("label", { for: "f-name" });
  label.append(el("code", {}, "name"));
  const input = el("input", { id: "f-name", name: "name", type: "text", autocomplete: "off", spellcheck: "false",
    placeholder: autoName ?? "", "aria-describedby": "f-name-help f-name-error" });
  input.value = spec.name ?? "";
  wrap.append(label, input, el("p", { class: "field-help", id: "f-name-help" }, t("field.nameHelp")),
    el("p", { class: "field-error", id: "f-name-error", "aria-live": "polite" }));
  return wrap;
}

/**
 * Keras's trainable=False, for any layer: a switch rather than an argument field, as it is about the layer's
 * weights, not its arithmetic. On (the default) leaves `trainable` out of the spec, so bodies and links stay as they were.
 */
function trainableField(spec) {
  const wrap = el("div", { class: "field field-trainable", "data-param": "trainable" });
  const input = el("input", { id: "f-trainable", type: "checkbox", role: "switch", name: "trainable",
    "aria-describedby": "f-trainable-help f-trainable-error" });
  input.checked = spec.trainable !== false;
  wrap.append(el("div", { class: "check-row" }, input, el("label", { for: "f-trainable" }, t("field.trainable"))),
    el("p", { class: "field-help", id: "f-trainable-help" }, t("field.trainableHelp")),
    el("p", { class: "field-error", id: "f-trainable-error", "aria-live": "polite" }));
  return wrap;
}

function empty(root) {
  const box = el("div", { class: "inspector-empty" });
  box.append(el("p", { class: "empty-title" }, t("inspector.emptyTitle")), el("p", {}, t("inspector.emptyText")));
  const keys = el("ul", { class: "key-help" });
  for (const key of ["inspector.keys.add", "inspector.keys.branch", "inspector.keys.move", "inspector.keys.undo"]) keys.append(el("li", {}, t(key)));
  box.append(keys);
  root.replaceChildren(box);
}

/** A link or an old visit may name a layer this server does not know: say so, offer no form. */
function unknownKind(root, layer) {
  const box = el("div", { class: "insp-problem", role: "alert" }, t("inspector.unknownType", { type: layer.spec.type }));
  root.replaceChildren(el("h3", { class: "insp-type" }, layer.spec.type), box);
  root.dataset.layer = layer.id;
}

/** Build the form for the selected layer (or the empty state). */
export function renderInspector(root, { layer, catalogue, state, readOnly = false }) {
  if (!layer) return empty(root);
  const kind = kindOf(catalogue, layer.spec.type);
  if (!kind) return unknownKind(root, layer);
  const head = el("div", { class: `insp-head cat-${kind.category}` });
  const title = el("h3", { class: "insp-type" }, kind.type);
  head.append(el("span", { class: "swatch", "aria-hidden": "true" }), title,
    el("span", { class: "insp-category" }, tOr(`category.${kind.category}`, kind.category)));
  const problem = el("div", { class: "insp-problem", role: "alert" });
  const explain = el("section", { class: "explain", "aria-labelledby": "explain-title" });
  const form = el("form", { class: "fields", novalidate: true, "aria-label": t("inspector.formLabel", { type: kind.type }) });
  for (const param of kind.params) form.append(field(param, layer.spec[param.name]));
  form.append(trainableField(layer.spec));
  form.append(nameField(layer.spec, state?.layer?.name)); // last: rarely needed, Keras names layers itself
  // A graph shown as rows is read-only: its arguments are shown, not edited (names hold its connections).
  for (const control of form.querySelectorAll("input, select")) control.disabled = readOnly;
  const note = readOnly ? el("p", { class: "insp-readonly" }, t("graph.inspectorNote")) : null;
  root.replaceChildren(head, el("p", { class: "insp-desc" }, pick(kind.description)), problem, explain, ...(note ? [note] : []), form);
  root.dataset.layer = layer.id;
}

/** Refresh what depends on the server's answer without touching what the user is typing. */
export function updateInspector(root, { state, failedName }) {
  const problem = root.querySelector(".insp-problem");
  if (!problem || !root.querySelector(".explain")) return;
  problem.textContent = state ? problemText(state) : "";
  renderExplain(root.querySelector(".explain"), state ?? { status: "pending" }, { failedName });
  const name = root.querySelector("#f-name");
  if (name && state?.layer?.name) name.placeholder = state.layer.name;
  for (const error of root.querySelectorAll(".field-error.from-server")) {
    error.textContent = "";
    error.classList.remove("from-server");
  }
  if (state?.status === "invalid" && state.field) {
    const error = root.querySelector(`#f-${CSS.escape(state.field)}-error`);
    if (error) { error.textContent = problemText(state); error.classList.add("from-server"); }
  }
}

function readField(kind, target) {
  if (target.name === "name") return { param: null, result: parseName(target.value) };
  if (target.name === "trainable") return { param: null, result: { ok: true, value: target.checked ? undefined : false } };
  const param = kind.params.find((p) => p.name === target.name);
  if (target.type === "number" && target.validity.badInput) return { param, result: { ok: false, error: { key: "field.number", vars: {} } } };
  return { param, result: parse(param, target.type === "checkbox" ? target.checked : target.value) };
}

/** Typing in the form: check the field, and commit a valid value as the new layer spec. */
export function wireInspector(root, { catalogue, getLayer, commit }) {
  let visit = 0; // each time focus enters a field, its edits start a new undo step
  root.addEventListener("focusin", () => { visit += 1; });
  const onEdit = (event) => {
    const target = event.target;
    if (!target.name || !target.closest("form.fields")) return;
    const layer = getLayer(root.dataset.layer);
    const kind = layer && kindOf(catalogue, layer.spec.type);
    if (!kind) return;
    const { param, result } = readField(kind, target);
    const error = root.querySelector(`#f-${CSS.escape(target.name)}-error`);
    error.classList.remove("from-server");
    error.textContent = result.ok ? "" : t(result.error.key, result.error.vars);
    target.setAttribute("aria-invalid", result.ok ? "false" : "true");
    if (!result.ok) return;
    const spec = { ...layer.spec };
    if (result.value === undefined || (param && !param.required && isDefault(param, result.value))) delete spec[target.name];
    else spec[target.name] = result.value;
    // A click on a switch is a whole thought: each is its own undo step, where keystrokes in one visit are one.
    const coalesce = target.type === "checkbox" ? null : `${layer.id}:${target.name}:${visit}`;
    if (JSON.stringify(spec) !== JSON.stringify(layer.spec)) commit(layer.id, spec, coalesce);
  };
  root.addEventListener("input", onEdit);
  root.addEventListener("change", onEdit);
  root.addEventListener("submit", (event) => event.preventDefault());
}
