"""keras.applications architectures as /api/shapes bodies, read by our own importer from Keras's configs.

The configs come from a Keras subprocess (``model.to_json()`` with ``weights=None``), cached under
.cache/bench/ so later runs do not pay for TensorFlow before the HTTP phase; the bodies are what POST /api/import
would answer for a file of that model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.config import get_settings
from app.core.readers import ReadLimits, read_model_config

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench"
DUMP = "import sys, keras; print(getattr(keras.applications, sys.argv[1])(weights=None).to_json())"


def application_config(name: str) -> dict:
    cached = CACHE / f"{name}.json"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        out = subprocess.run([sys.executable, "-c", DUMP, name], check=True, capture_output=True, text=True,
                             env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": ""})
        cached.write_text(out.stdout.strip().splitlines()[-1])
    return json.loads(cached.read_text())


def application_body(name: str) -> dict:
    settings = get_settings()
    limits = ReadLimits(settings.max_import_config_bytes, settings.max_import_zip_entries,
                        settings.max_import_json_depth, settings.max_layers)
    return read_model_config(application_config(name), limits).model
