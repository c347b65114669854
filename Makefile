# Sealroom: the two README commands and their helpers.
#   make demo   set up, build the demo workspace, start the vault and a JupyterLab per person (prints URLs)
#   make test   set up with dev extras and run the whole suite
# Debian packages: bubblewrap (the Sealroom kernel runs inside it) for both; chromium for the
# browser tests. Installed with apt-get when missing (as root, or through sudo).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= .demo-workspace
PORT   ?= 8765

.PHONY: demo test check bench install install-dev system-deps system-deps-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The review panel is built by `pip install` (jupyter_extension/ -> sealroom/jupyter_extension/labextension,
# copied into the venv); a change to its sources removes the old build so it is rebuilt.
PANEL_SOURCES := $(wildcard jupyter_extension/src/*.ts jupyter_extension/style/*) jupyter_extension/package.json jupyter_extension/yarn.lock
# torch first, from the CPU wheel on disk: installing it later would pull CUDA packages.
$(VENV)/.installed: $(BIN)/python pyproject.toml $(PANEL_SOURCES)
	rm -rf sealroom/jupyter_extension/labextension
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

APT := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)
define apt_install
	$(APT) install -y -qq $(1) >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq $(1); }
endef

system-deps:
	@command -v bwrap >/dev/null || { echo "installing bubblewrap (kernel confinement)"; $(call apt_install,bubblewrap); }

system-deps-dev: system-deps
	@test -x /usr/bin/chromium || { echo "installing chromium (browser tests)"; $(call apt_install,chromium chromium-driver); }

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install system-deps
	$(BIN)/sealroom demo --dir $(DEMO_DIR) --port $(PORT)

test: install-dev system-deps-dev
	$(BIN)/python -m pytest

check: install
	$(BIN)/sealroom demo --check

bench: install-dev
	$(BIN)/python benchmarks/bench_roundtrip.py
	$(BIN)/python benchmarks/bench_pointers.py
	$(BIN)/python benchmarks/bench_policy.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache
