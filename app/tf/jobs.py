"""The jobs a TensorFlow worker answers, by name (see app.workers)."""

from __future__ import annotations

from app.tf import featuremaps, train

JOBS = {
    "featuremaps": featuremaps.run,
    "train": train.run,
}
