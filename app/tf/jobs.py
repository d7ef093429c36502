"""The jobs a TensorFlow worker answers, by name (see app.workers)."""

from __future__ import annotations

from app.tf import featuremaps

JOBS = {
    "featuremaps": featuremaps.run,
}
