# corpuscope's front door. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The CPU build of PyTorch that installs quickly here; any other version pulls a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: setup run test test-fast lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e '.[clip,demo,dev]' $(TORCH)
	touch $@

run: setup
	$(BIN)/corpuscope demo demo

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# The whole suite: lint, types, and every test marker (slow and browser included).
test: lint
	$(BIN)/pytest -m "" -q

# The quick loop while coding: no slow or browser tests.
test-fast: setup
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/vectors_bench.py
	$(BIN)/python bench/cluster_speed.py
	$(BIN)/python bench/cluster_quality.py

clean:
	rm -rf $(VENV) demo bench-output test-output
