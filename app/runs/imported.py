"""A model file's weights, kept like a finished run's so feature maps and kernels can be drawn from them.

Only the weights are kept: the worker builds the model from our validated spec and loads this file into it, so
nothing else in the upload is ever read by Keras. A ``.keras`` file's weights are its ``model.weights.h5``
(Keras's own weights-only format); a legacy ``.h5`` file is kept whole (Keras reads its weights by layer order).
"""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path
from typing import BinaryIO

from app.runs.store import RunStore

IMPORTED = "imported"  # the dataset of a run that was opened from a file rather than trained here
KERAS_WEIGHTS = "model.weights.h5"
CHUNK = 1024 * 1024


class WeightsTooLarge(ValueError):
    """The weights inflate past the limit: a zip bomb, or simply a model too big to keep."""


def keep_weights(file: BinaryIO, source: dict, model: dict, params: int, store: RunStore, data_dir: Path,
                 limit_bytes: int) -> str | None:
    """The id of a finished run holding the file's weights, or None when the file has none."""
    if not source.get("weights") or source.get("format") not in ("keras", "h5"):
        return None
    # Finished from the start, so no trainer ever claims it; without weights until they are copied.
    run = store.create({"model": model, "seed": 0, "source": {k: source.get(k) for k in ("filename", "format")}},
                       IMPORTED, {}, params, status="done")
    folder = data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    # Keras chooses the reader by the name: ".weights.h5" is its weights-only format, any other ".h5" the legacy one.
    path = folder / (f"{run['id']}.weights.h5" if source["format"] == "keras" else f"{run['id']}.h5")
    try:
        _copy_weights(file, source["format"], path, limit_bytes)
    except BaseException:
        path.unlink(missing_ok=True)
        store.delete(run["id"])
        raise
    store.update(run["id"], weights=str(path), finished_at=time.time())
    return run["id"]


def _copy_weights(file: BinaryIO, file_format: str, path: Path, limit_bytes: int) -> None:
    file.seek(0)
    if file_format == "h5":
        with path.open("wb") as out:
            shutil.copyfileobj(file, out, CHUNK)  # the upload is already within the request's limit
        return
    with zipfile.ZipFile(file) as archive, archive.open(KERAS_WEIGHTS) as weights, path.open("wb") as out:
        written = 0
        while chunk := weights.read(CHUNK):  # counted as it inflates: the declared size may lie
            written += len(chunk)
            if written > limit_bytes:
                raise WeightsTooLarge(f"{KERAS_WEIGHTS} inflates past {limit_bytes:,} bytes")
            out.write(chunk)


def weights_file(run: dict) -> Path | None:
    """The file the worker loads: a trained run keeps ``.keras`` and ``.weights.h5`` side by side; an opened
    file's run names its weights directly."""
    if not run or not run.get("weights"):
        return None
    path = Path(run["weights"])
    return path.with_suffix(".weights.h5") if path.suffix == ".keras" else path
