"""The jobs a TensorFlow worker answers, by name (see app.workers)."""

from __future__ import annotations

from app.tf import export, featuremaps, train

JOBS = {
    "featuremaps": featuremaps.run,
    "train": train.run,
    "export": export.run,
}
