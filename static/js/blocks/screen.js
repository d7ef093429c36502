// Drawing the page from the store and the latest answer. Two moments: an edit (draw the model at
// once, ask the server) and an answer (draw its numbers). Keeps the little memory that drawing
// needs: which control had focus, which block to reveal, what was last shown.

import { renderFormulas } from "../views/formulas.js";
import { pick } from "../shared/i18n.js";
import { renderInput } from "./inputblock.js";
import { renderInspector, updateInspector } from "./inspector.js";
import { layerStates } from "./results.js";
import { renderSelectionBar } from "./selectionbar.js";
import { markSelection, renderStack } from "./stack.js";
import { renderPythonNote, renderSummary, renderSummaryTable, renderTotals } from "../views/views.js";

const $ = (id) => document.getElementById(id);

export function createScreen(store, catalogue) {
  let answer = null;
  let states = layerStates(null, store.get().model);
  let focusKey = null; // the control to focus after the next redraw (moved or duplicated block)
  let reveal = null; // a block just added: scrolled into view once drawn
  let shownSelection = null;
  let shownFailure = null;
  let drawnIds = new Set(store.get().model.layers.map((l) => l.id));
  let drawnSelection = null; // what the stack last showed as selected

  const selectedLayer = () => store.get().model.layers.find((l) => l.id === store.get().selected) ?? null;
  const failedName = () => (answer?.kind === "result" ? answer.data.error?.name ?? null : null);
  const scrollToBlock = (id) => $("stack").querySelector(`[data-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: "nearest" });
  const stackView = () => {
    const { model, selected, range } = store.get();
    return { model, selected, range, states, catalogue, collapsed: store.collapsed() };
  };

  function drawInspector(rebuild) {
    const { selected } = store.get();
    const readOnly = store.get().model.graph;
    if (rebuild) renderInspector($("inspector-body"), { layer: selectedLayer(), catalogue, state: states.byId.get(selected), readOnly });
    // A read-only form has no control to tab to: the panel itself takes focus, so the keyboard can scroll it.
    if (readOnly) $("inspector").tabIndex = 0;
    else $("inspector").removeAttribute("tabindex");
    updateInspector($("inspector-body"), { state: states.byId.get(selected), failedName: failedName() });
    if (selected !== shownSelection) $("inspector").scrollTop = 0;
    shownSelection = selected;
  }

  /** After an edit. While someone types in a form the stack waits for the answer (a few ms). */
  function drawModel(change = {}) {
    const { model } = store.get();
    if (change.model) states = layerStates(answer, model);
    const typing = change.source === "inspector" || change.source === "input";
    // Undoing a removal brings the block back: keyboard focus goes to it, not to a neighbour.
    const restored = change.source === "history" ? model.layers.find((l) => !drawnIds.has(l.id)) : null;
    if (restored) focusKey = `${restored.id}:select`;
    drawnIds = new Set(model.layers.map((l) => l.id));
    // Selecting is redrawn in place; edits, collapsing and a new language rebuild the list.
    const selectionOnly = change.model === false && !change.view;
    const marked = selectionOnly && markSelection($("stack"), store.get(), drawnSelection);
    if (!typing && !marked) renderStack($("stack"), { ...stackView(), focusKey });
    drawnSelection = store.get().selected;
    renderSelectionBar($("selection-bar"), { ...store.get(), collapsed: store.collapsed() }, focusKey);
    $("graph-notice").hidden = !model.graph;
    focusKey = null;
    if (reveal) scrollToBlock(reveal);
    reveal = null;
    $("stack-empty").hidden = model.layers.length > 0;
    $("clear-model").hidden = model.layers.length === 0;
    if (!selectionOnly) {
      renderInput($("input-block"), model.input_shape, { rebuild: change.source !== "input" });
    }
    $("undo").disabled = !store.canUndo();
    $("redo").disabled = !store.canRedo();
    drawInspector(change.source !== "inspector");
  }

  /** After an answer from /api/shapes (always the newest: older ones never arrive here). */
  function drawAnswer(reply = answer) {
    answer = reply;
    const { model } = store.get();
    states = layerStates(answer, model);
    renderStack($("stack"), stackView());
    drawnSelection = store.get().selected;
    // A new failure is brought into view once, so its message is seen; not on every keystroke.
    const failure = states.failedIndex == null ? null : answer?.context.ids[states.failedIndex] ?? null;
    if (failure && failure !== shownFailure) scrollToBlock(failure);
    shownFailure = failure;
    renderTotals($("totals-body"), answer);
    renderSummary($("summary-text"), answer);
    renderSummaryTable($("summary-table"), answer);
    renderFormulas($("formulas"), answer);
    renderPythonNote($("python-note"), answer);
    renderInput($("input-block"), model.input_shape, { rebuild: false, issue: states.input ? pick({ en: states.input.msg, ko: states.input.msg_ko ?? states.input.msg }) : null });
    drawInspector(false);
  }

  return {
    drawModel,
    drawAnswer,
    focusAfterDraw: (key) => { focusKey = key; },
    revealAfterDraw: (id) => { reveal = id; },
  };
}
