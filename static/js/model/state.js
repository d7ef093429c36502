// The single source of truth for the page, with undo and redo.
// Typing "128" into a field is three edits but one thought: edits that carry the same coalesce key
// (one field during one visit of the keyboard focus) share one undo step.
// Besides the model: the selected block (a layer id, or a lane key "<branch>:<lane>" to add into), a run
// of blocks picked with Shift (`range`), and which branches and runs are collapsed. Collapsing is a way of
// looking, not an edit: it is kept outside the undo history.

const HISTORY_LIMIT = 200;

export function createStore(model) {
  let state = { model, selected: null, range: null };
  let collapsed = new Set();
  let past = [];
  let future = [];
  let lastKey = null;
  const listeners = new Set();

  function emit(change) {
    for (const listener of listeners) listener(state, change);
  }

  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
    },
    /** Replace the model; `coalesce` names the field being typed into, `source` who made the edit. */
    commit(nextModel, { selected = state.selected, coalesce = null, source = "app" } = {}) {
      const merge = coalesce !== null && coalesce === lastKey;
      if (!merge) {
        past.push(state);
        if (past.length > HISTORY_LIMIT) past.shift();
      }
      future = [];
      lastKey = coalesce;
      state = { model: nextModel, selected, range: null };
      emit({ source, model: true, editedAt: performance.now() });
    },
    select(id, { source = "app", range = null } = {}) {
      if (state.selected === id && state.range === range) return;
      state = { ...state, selected: id, range };
      lastKey = null;
      emit({ source, model: false });
    },
    collapsed: () => collapsed,
    /** Replace the set of collapsed branch ids and run keys ("run:<first id>:<last id>"). */
    setCollapsed(keys, { source = "view" } = {}) {
      collapsed = new Set(keys);
      emit({ source, model: false, view: true });
    },
    undo() {
      if (!past.length) return false;
      future.push(state);
      state = past.pop();
      lastKey = null;
      emit({ source: "history", model: true, editedAt: performance.now() });
      return true;
    },
    redo() {
      if (!future.length) return false;
      past.push(state);
      state = future.pop();
      lastKey = null;
      emit({ source: "history", model: true, editedAt: performance.now() });
      return true;
    },
    canUndo: () => past.length > 0,
    canRedo: () => future.length > 0,
  };
}
