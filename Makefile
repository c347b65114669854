# Sealroom: the two README commands and their helpers.
#   make demo   set up, build the demo workspace, start the vault (prints sign-ins)
#   make test   set up with dev extras and run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= .demo-workspace
PORT   ?= 8765

.PHONY: demo test check bench install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, from the CPU wheel on disk: installing it later would pull CUDA packages.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/sealroom demo --dir $(DEMO_DIR) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest

check: install
	$(BIN)/sealroom demo --check

bench: install-dev
	$(BIN)/python benchmarks/bench_roundtrip.py
	$(BIN)/python benchmarks/bench_policy.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache
