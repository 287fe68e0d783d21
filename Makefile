# corpuscope's front door. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The CPU build of PyTorch that installs quickly here; any other version pulls a multi-GB CUDA build.
TORCH := torch==2.13.0
# Every package setup installs, pinned to the versions the tests last passed with (the lower
# bounds in pyproject.toml say what corpuscope needs; this file says what it was tested on).
# After changing a dependency: `make lock` writes it again from the working .venv.
CONSTRAINTS := constraints.txt

# The bundled model as the package ships it: exported from the PyTorch weights at build time,
# so that an installed corpuscope runs it with ONNX Runtime alone (no torch).
BUNDLED_MODEL := src/corpuscope/embed/bundled/efficientnet-lite0.onnx

FRONTEND_DEPS := frontend/node_modules/.package-lock.json
FRONTEND_BUILD := src/corpuscope/web/static/index.html
# frontend/src/paraglide/ is generated from the catalogues (frontend/messages/*.json) by the build
FRONTEND_SOURCES := $(shell find frontend/src -path frontend/src/paraglide -prune -o -type f -print 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/messages/en.json frontend/messages/fr.json \
	frontend/project.inlang/settings.json

.PHONY: setup run test test-fast lint frontend-test bench lock clean model wheel

setup: $(STAMP) $(FRONTEND_BUILD) $(BUNDLED_MODEL)

$(STAMP): pyproject.toml Makefile $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) $(TORCH)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[clip,demo,dev,export,ray]' $(TORCH)
	touch $@

# Pin what the working .venv holds (the local "+cpu" label dropped: the pin is the version).
lock:
	echo "# Written by \`make lock\` from a working .venv; used by \`make setup\`. Do not edit by hand." > $(CONSTRAINTS)
	$(BIN)/python -m pip freeze --exclude-editable | sed -e 's/+cpu$$//' >> $(CONSTRAINTS)

# The web front-end: dependencies from package-lock.json (no install scripts, nothing else
# downloaded), built into the Python package's static folder.
$(FRONTEND_DEPS): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --ignore-scripts

$(FRONTEND_BUILD): $(FRONTEND_DEPS) $(FRONTEND_SOURCES)
	cd frontend && npm run build

model: $(BUNDLED_MODEL)

$(BUNDLED_MODEL): $(STAMP) src/corpuscope/embed/efficientnet.py src/corpuscope/embed/onnx_cache.py
	$(BIN)/python -c "from corpuscope.embed.efficientnet import export_bundled_model as e; e()"

# A wheel and an sdist in dist/ that carry the built web app and the bundled ONNX model
# (setup.py refuses to build without them).
wheel: setup
	rm -rf dist build
	$(BIN)/python -m build

run: setup
	$(BIN)/corpuscope demo demo

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

frontend-test: setup
	cd frontend && npm test && npm run check

# The whole suite: lint, types, front-end unit tests, and every pytest marker (slow and
# browser included: Playwright drives Debian's Chromium at /usr/bin/chromium).
test: lint frontend-test
	$(BIN)/pytest -m "" -q

# The quick loop while coding: no slow or browser tests.
test-fast: setup
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/vectors_bench.py
	$(BIN)/python bench/cluster_speed.py
	$(BIN)/python bench/cluster_quality.py
	$(BIN)/python bench/vector_load_bench.py
	$(BIN)/python bench/api_bench.py
	$(BIN)/python bench/ui_bench.py

clean:
	rm -rf $(VENV) demo bench-output test-output dist build src/corpuscope/embed/bundled
