// Drag and drop: a palette entry dropped on the model is inserted where it lands; a block (or a branch,
// held by its frame) dragged within the model moves there. The landing list is the innermost one under
// the pointer: a lane when over a lane, else the list around it. A line shows the landing place.
// (Every drag has a keyboard equivalent: Enter on a palette entry, the move buttons or Alt+arrows.)

const NEW_LAYER = "application/x-cnn-blocks-type";
const MOVED_LAYER = "application/x-cnn-blocks-id";

export function startPaletteDrag(event, type) {
  event.dataTransfer.setData(NEW_LAYER, type);
  event.dataTransfer.setData("text/plain", type);
  event.dataTransfer.effectAllowed = "copy";
}

/** The list that would take a drop here: the lane under the pointer, else the root stack. */
function listAt(root, target) {
  const lane = target.closest?.(".lane");
  return lane && root.contains(lane) ? lane.querySelector(":scope > .lane-list") : root;
}

/** The slot (0..n) the pointer is over: before the first item whose middle is below it. */
function slotAt(list, clientY) {
  const items = [...list.children];
  const index = items.findIndex((item) => {
    const box = item.getBoundingClientRect();
    return clientY < box.top + box.height / 2;
  });
  return index === -1 ? items.length : index;
}

function showSlot(root, list, slot) {
  clearSlot(root);
  const items = [...list.children];
  items[slot]?.classList.add("drop-before");
  list.classList.toggle("drop-end", slot === items.length);
  list.closest(".lane")?.classList.add("is-drop-target");
  root.classList.add("is-drop-target");
}

function clearSlot(root) {
  for (const node of root.querySelectorAll(".drop-before, .drop-end, .lane.is-drop-target")) {
    node.classList.remove("drop-before", "drop-end", "is-drop-target");
  }
  root.classList.remove("drop-end", "is-drop-target");
}

/** wireDrops(stack, zone, {insert(type, slot), moveToSlot(id, slot)}); a slot is {key, index}. */
export function wireDrops(root, zone, intents) {
  root.addEventListener("dragstart", (event) => {
    const item = event.target.closest?.("[data-id][draggable=true]");
    if (!item) return;
    event.dataTransfer.setData(MOVED_LAYER, item.dataset.id);
    event.dataTransfer.effectAllowed = "move";
    item.classList.add("is-dragging");
  });
  root.addEventListener("dragend", (event) => {
    event.target.closest?.("[data-id]")?.classList.remove("is-dragging");
    clearSlot(root);
  });
  const accepts = (event) => {
    const types = [...event.dataTransfer.types];
    return types.includes(NEW_LAYER) || types.includes(MOVED_LAYER);
  };
  zone.addEventListener("dragover", (event) => {
    if (!accepts(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = [...event.dataTransfer.types].includes(MOVED_LAYER) ? "move" : "copy";
    const list = listAt(root, event.target);
    showSlot(root, list, slotAt(list, event.clientY));
  });
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) clearSlot(root);
  });
  zone.addEventListener("drop", (event) => {
    if (!accepts(event)) return;
    event.preventDefault();
    const list = listAt(root, event.target);
    const slot = { key: list.dataset.container ?? "root", index: slotAt(list, event.clientY) };
    clearSlot(root);
    const type = event.dataTransfer.getData(NEW_LAYER);
    const id = event.dataTransfer.getData(MOVED_LAYER);
    if (type) intents.insert(type, slot);
    else if (id) intents.moveToSlot(id, slot);
  });
}
