# safetynet: `make demo` and `make test` are the whole quickstart.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n 2

.PHONY: demo test lint typecheck pytest probe venv lock vendor clean bench

venv: $(STAMP)

# The venv is rebuilt from the lock file whenever the lock or pyproject changes.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "safetynet needs Python 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "uv==0.13.9"
	# --compile-bytecode: machines here set PYTHONDONTWRITEBYTECODE=1, so without it every process
	# (each CLI call, test worker, subprocess) compiles Django and friends from source again.
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

demo: venv
	$(BIN)/safetynet demo

test: venv lint typecheck pytest

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	# The layer order (pyproject's [tool.importlinter] contracts): an upward import or a cycle fails.
	$(BIN)/lint-imports --no-cache

typecheck: venv
	$(BIN)/mypy

pytest: venv
	$(BIN)/pytest $(PYTEST_ARGS)

# The schemathesis probe of the API (tests/api/test_schemathesis_probe.py), which `make test`
# leaves out; SAFETYNET_PROBE_EXAMPLES=N sets the cases per operation (default 100).
probe: venv
	$(BIN)/pytest -m schemathesis -n 2 tests/api/test_schemathesis_probe.py

bench: venv
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Re-resolve the lock file after changing dependencies in pyproject.toml.
# deploy/requirements.lock: the runtime dependencies only (no test tools, no Spark), pinned to the
# same versions (-c requirements.lock), for the reference image (deploy/Containerfile).
lock: venv
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile -q pyproject.toml -c requirements.lock --python-version 3.11 -o deploy/requirements.lock

# Refresh the vendored front end (GOV.UK Frontend, MoJ Frontend, htmx, Cytoscape.js, axe-core)
# from npm into a temporary directory. Never run by install, demo or test: the built files are committed.
vendor:
	tools/vendor/vendor.sh

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache test-artifacts
