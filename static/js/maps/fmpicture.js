// Choosing the picture for the feature maps: a built-in sample (GET /api/samples), a file from the
// file picker, or a file dropped anywhere on the view. The page keeps the choice while the model
// changes; a file is sent again with each new model (the server resizes it to the input's size).

import { fetchJSON } from "../shared/api.js";
import { pick, t } from "../shared/i18n.js";

const $ = (id) => document.getElementById(id);

function sampleButton({ key, name, src, pressed }) {
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "fm-sample";
  button.dataset.sample = key;
  button.setAttribute("aria-pressed", String(pressed));
  const image = document.createElement("img");
  Object.assign(image, { src, alt: "", width: 56, height: 56, decoding: "async", loading: "lazy" });
  const label = document.createElement("span");
  label.textContent = name;
  button.append(image, label);
  item.append(button);
  return item;
}

const UPLOAD_ICON = "M10 13V4M6 7.5 10 3.5l4 4M4 12.5v2.5a1.5 1.5 0 0 0 1.5 1.5h9a1.5 1.5 0 0 0 1.5-1.5v-2.5";

/** The last tile: opens the file picker. */
function chooseButton() {
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "fm-choose";
  button.id = "fm-choose";
  button.innerHTML = `<svg viewBox="0 0 20 20" aria-hidden="true"><path d="${UPLOAD_ICON}"/></svg><span></span>`;
  button.querySelector("span").textContent = t("maps.choose");
  item.append(button);
  return item;
}

const isFileDrag = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");

/** What to call a picture on screen: the sample's name or the file's. */
export function pictureName(picture) {
  return picture.kind === "file" ? picture.file.name : pick(picture.name);
}

/**
 * createPicker({onPick}) -> {picture(), render(), load()}
 * picture(): {kind: "sample", id, url, name} | {kind: "file", file, url} | null
 */
export function createPicker({ onPick }) {
  let samples = [];
  let chosen = null;
  let upload = null; // the last file chosen, kept as a choice beside the samples

  function render() {
    const items = samples.map((s) => sampleButton({ key: s.id, name: pick(s.name), src: s.url, pressed: chosen?.id === s.id }));
    if (upload) items.unshift(sampleButton({ key: "", name: t("maps.yourPicture"), src: upload.url, pressed: chosen === upload }));
    $("fm-samples").replaceChildren(...items, chooseButton());
  }

  function choose(picture) {
    chosen = picture;
    render();
    onPick(picture);
  }

  function useFile(file) {
    if (!file) return;
    if (upload) URL.revokeObjectURL(upload.url);
    upload = { kind: "file", file, url: URL.createObjectURL(file), id: "" };
    choose(upload);
  }

  function wire() {
    $("fm-samples").addEventListener("click", (event) => {
      if (event.target.closest(".fm-choose")) $("fm-file").click();
      const button = event.target.closest(".fm-sample");
      if (button) choose(button.dataset.sample ? samples.find((s) => s.id === button.dataset.sample) : upload);
    });
    $("fm-file").addEventListener("change", () => {
      useFile($("fm-file").files[0]);
      $("fm-file").value = ""; // choosing the same file again is a new choice
    });
    wireDrop($("view-maps"), $("fm-source"), useFile);
  }

  async function load() {
    const { samples: list } = await fetchJSON("/api/samples");
    samples = list.map((s) => ({ ...s, kind: "sample" }));
    render();
  }

  wire();
  return { picture: () => chosen, render, load };
}

/** A file dragged over the view highlights the picture card; dropped, it becomes the picture. */
function wireDrop(zone, card, useFile) {
  let depth = 0; // dragenter/dragleave fire for every child crossed
  const reset = () => { depth = 0; card.classList.remove("is-dropping"); };
  zone.addEventListener("dragenter", (event) => {
    if (!isFileDrag(event)) return;
    depth += 1;
    card.classList.add("is-dropping");
  });
  zone.addEventListener("dragleave", (event) => {
    if (isFileDrag(event) && --depth <= 0) reset();
  });
  zone.addEventListener("dragover", (event) => {
    if (!isFileDrag(event)) return;
    event.preventDefault(); // allows the drop instead of the browser opening the file
    event.dataTransfer.dropEffect = "copy";
  });
  zone.addEventListener("drop", (event) => {
    if (!isFileDrag(event)) return;
    event.preventDefault();
    reset();
    useFile(event.dataTransfer.files[0]);
  });
}
