// The code box of the Paste code dialog: a plain textarea (the browser's own editing, undo, paste and screen
// reader support) over a gutter of line numbers and a band that marks one line. Lines never wrap, so line N of
// the text is row N of the box, and the gutter and the band follow the textarea's scrolling.

/** createCodeEditor({area, gutter, band}) -> {value, setValue, lineCount, mark(line, column), clearMark, focus} */
export function createCodeEditor({ area, gutter, band }) {
  let marked = null; // {line, column}
  let shownLines = 0;

  const metrics = () => {
    const style = getComputedStyle(area);
    return { lineHeight: parseFloat(style.lineHeight), top: parseFloat(style.paddingTop) };
  };
  const lineCount = () => area.value.split("\n").length;

  function drawGutter() {
    const count = lineCount();
    if (count === shownLines) return;
    shownLines = count;
    gutter.textContent = Array.from({ length: count }, (_, i) => i + 1).join("\n");
    gutter.parentElement.style.setProperty("--digits", String(Math.max(2, String(count).length)));
  }

  function follow() {
    gutter.style.transform = `translateY(${-area.scrollTop}px)`;
    if (!marked) return;
    const { lineHeight, top } = metrics();
    band.style.transform = `translateY(${top + (marked.line - 1) * lineHeight - area.scrollTop}px)`;
    band.style.height = `${lineHeight}px`;
  }

  /** The offset in the text of a line's column (both counted from 1), clamped to the text. */
  function offsetOf(line, column) {
    const lines = area.value.split("\n");
    const row = Math.min(Math.max(line, 1), lines.length) - 1;
    const start = lines.slice(0, row).reduce((sum, text) => sum + text.length + 1, 0);
    return start + Math.min(Math.max((column ?? 1) - 1, 0), lines[row].length);
  }

  /** Mark a line (the server's line number), bring it to the middle of the box and put the caret on it. */
  function mark(line, column = null) {
    marked = { line: Math.min(Math.max(line, 1), lineCount()), column };
    band.hidden = false;
    gutter.dataset.marked = String(marked.line);
    const { lineHeight } = metrics();
    area.scrollTop = Math.max(0, (marked.line - 1) * lineHeight - area.clientHeight / 2 + lineHeight);
    const at = offsetOf(marked.line, column);
    area.focus({ preventScroll: true });
    area.setSelectionRange(at, at);
    // The caret's column may be off to the right: scroll it into view as the browser would.
    const chars = at - offsetOf(marked.line, 1);
    const charWidth = measureChar();
    area.scrollLeft = Math.max(0, chars * charWidth - area.clientWidth * 0.75); // as much of the line before it as fits
    follow();
  }

  function clearMark() {
    marked = null;
    band.hidden = true;
    delete gutter.dataset.marked;
  }

  let charWidth = 0;
  function measureChar() {
    if (charWidth) return charWidth;
    const probe = document.createElement("span");
    probe.textContent = "0".repeat(40);
    probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font:${getComputedStyle(area).font}`;
    document.body.append(probe);
    charWidth = probe.getBoundingClientRect().width / 40;
    probe.remove();
    return charWidth;
  }

  area.addEventListener("input", () => {
    drawGutter();
    clearMark(); // the text changed under the mark: it no longer points at what the server read
    follow();
  });
  area.addEventListener("scroll", follow);
  drawGutter();

  return {
    get value() { return area.value; },
    setValue(text) {
      area.value = text;
      area.setSelectionRange(0, 0); // the caret at the top: focusing then shows the start, not the end
      clearMark();
      drawGutter();
      area.scrollTop = 0;
      area.scrollLeft = 0;
      follow();
    },
    lineCount,
    mark,
    clearMark,
    refresh() { shownLines = 0; drawGutter(); follow(); },
    focus() { area.focus(); },
  };
}
