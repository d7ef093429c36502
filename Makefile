# CNN Blocks. `make run` serves the app; `make test` runs the whole suite. Both set up what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast bench chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
chromium:
	@if ls tests/browser/test_*.py >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; \
	fi

test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Only the tests that need neither TensorFlow nor a browser: seconds.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/api -q

bench: $(STAMP)
	$(BIN)/python bench/shapes.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
