// Drag and drop: a palette entry dropped on the stack is inserted where it lands; a block dragged
// within the stack moves there. A line shows the landing place while dragging. (Every drag has a
// keyboard equivalent: Enter on a palette entry, the move buttons or Alt+arrows on a block.)

const NEW_LAYER = "application/x-cnn-blocks-type";
const MOVED_LAYER = "application/x-cnn-blocks-id";

export function startPaletteDrag(event, type) {
  event.dataTransfer.setData(NEW_LAYER, type);
  event.dataTransfer.setData("text/plain", type);
  event.dataTransfer.effectAllowed = "copy";
}

/** The slot (0..n) the pointer is over: before the first block whose middle is below it. */
function slotAt(list, clientY) {
  const items = [...list.children];
  const index = items.findIndex((item) => {
    const box = item.getBoundingClientRect();
    return clientY < box.top + box.height / 2;
  });
  return index === -1 ? items.length : index;
}

function showSlot(list, slot) {
  const items = [...list.children];
  items.forEach((item, i) => {
    item.classList.toggle("drop-before", i === slot);
  });
  list.classList.toggle("drop-end", slot === items.length);
}

function clearSlot(list) {
  for (const item of list.children) item.classList.remove("drop-before");
  list.classList.remove("drop-end", "is-drop-target");
}

/** wireDrops(list, {insert(type, slot), moveTo(id, index)}) */
export function wireDrops(list, zone, intents) {
  list.addEventListener("dragstart", (event) => {
    const item = event.target.closest?.("li[data-id]");
    if (!item) return;
    event.dataTransfer.setData(MOVED_LAYER, item.dataset.id);
    event.dataTransfer.effectAllowed = "move";
    item.classList.add("is-dragging");
  });
  list.addEventListener("dragend", (event) => {
    event.target.closest?.("li")?.classList.remove("is-dragging");
    clearSlot(list);
  });
  const accepts = (event) => {
    const types = [...event.dataTransfer.types];
    return types.includes(NEW_LAYER) || types.includes(MOVED_LAYER);
  };
  zone.addEventListener("dragover", (event) => {
    if (!accepts(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = [...event.dataTransfer.types].includes(MOVED_LAYER) ? "move" : "copy";
    list.classList.add("is-drop-target");
    showSlot(list, slotAt(list, event.clientY));
  });
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) clearSlot(list);
  });
  zone.addEventListener("drop", (event) => {
    if (!accepts(event)) return;
    event.preventDefault();
    const slot = slotAt(list, event.clientY);
    clearSlot(list);
    const type = event.dataTransfer.getData(NEW_LAYER);
    const id = event.dataTransfer.getData(MOVED_LAYER);
    if (type) intents.insert(type, slot);
    else if (id) intents.moveToSlot(id, slot);
  });
}
