# Haven: `make demo` runs the demo organisation, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Everything `make demo` and `make test` need, exact versions with hashes (scripts/lock.py).
LOCK := requirements-dev.txt

.PHONY: demo test bench lint lock screenshots check-lock check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Haven needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1). Set PYTHON=python3.11."; exit 1; }

check-lock: check-python
	@$(PYTHON) scripts/lock.py check

# Installs exactly the lock (every file checked against its hash), then Haven itself without
# resolving anything: --no-deps, and the build backend comes from the lock too.
$(STAMP): pyproject.toml $(LOCK) | check-lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# `make demo PORT=8001` serves the demo on another port (its e-mailed links follow).
PORT ?= 8000
demo: $(STAMP)
	$(BIN)/haven demo --port $(PORT)

# One test process per CPU (pytest-xdist); a module's tests stay in one process, so a fixture
# seeded once per module is seeded once. `make test TEST_WORKERS=0` runs in this process alone.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# docs/screenshots/*.png for the README: the seeded demo, signed into as each role.
screenshots: $(STAMP)
	$(BIN)/python -m scripts.screenshots

lint: check-lock $(STAMP)
	$(BIN)/ruff check haven tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

# Moves forward: the newest versions within pyproject.toml's ranges. Then `make test`, and
# commit pyproject.toml and both lock files together.
lock: check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet "uv>=0.9,<1"
	$(PYTHON) scripts/lock.py compile $(BIN)/uv

clean:
	rm -rf $(VENV) var
