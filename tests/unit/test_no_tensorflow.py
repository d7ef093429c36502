"""The web process never imports TensorFlow: it must start in under a second."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_serving_api_shapes_does_not_import_tensorflow():
    script = textwrap.dedent("""
        import sys
        from fastapi.testclient import TestClient
        from app.main import app
        response = TestClient(app).post("/api/shapes", json={
            "input_shape": [32, 32, 3],
            "layers": [{"type": "Conv2D", "filters": 32, "kernel_size": 3}, {"type": "Flatten"}]})
        assert response.status_code == 200, response.text
        assert response.json()["total_params"] == 896
        TestClient(app).get("/api/layers")
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras"))
        print(loaded)
        assert not loaded, loaded
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
