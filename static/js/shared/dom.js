// Building DOM nodes: one small helper shared by every module that draws.

/**
 * el("button", {class: "x", type: "button", disabled: false}, child, "text", …) -> element.
 * Attributes that are false or null are left out; `true` sets an empty attribute; `text` sets textContent.
 * Children may be nodes or strings; null children are skipped.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}
