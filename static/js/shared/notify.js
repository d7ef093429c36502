// Short messages: a toast people see ("Link copied") and announcements for screen readers
// ("Conv2D added at position 3") that need no visible text.

let toastTimer = null;

export function toast(text) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.classList.add("is-visible");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("is-visible"), 2600);
}

export function announce(text) {
  const region = document.getElementById("announcer");
  // Clearing first makes a repeated message ("removed", "removed") be read again.
  region.textContent = "";
  requestAnimationFrame(() => {
    region.textContent = text;
  });
}

/** Copy text; falls back to a hidden textarea where the Clipboard API is unavailable (plain http). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.append(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  }
}
