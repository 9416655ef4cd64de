# groupbot developer tasks (GNU make). `make demo` and `make test` set up .venv themselves.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONTRACT_CHECK := ../shared/tools/contract_check.py
# PostgreSQL for the tests: GROUPBOT_TEST_POSTGRES_URL if set, else 127.0.0.1:5432, else (outside
# CI) a throwaway cluster from scripts/with-postgres.sh. In CI (CI=true) it must be reachable.
PG_PORT_OPEN = (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
.PHONY: help venv browser demo test pytest lint typecheck bench migration clean

help:
	@echo "make demo       run the local demo community (sets up .venv)"
	@echo "make test       lint, typecheck and the whole test suite on SQLite and PostgreSQL"
	@echo "make lint | typecheck | bench | clean | venv"
	@echo "make migration m='add members.locale'   autogenerate the next migration from the models"

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The exact, hash-checked versions of requirements/dev.txt (refreshed by scripts/lock.sh), then
# groupbot itself, editable. Reinstall only when pyproject.toml or the lock changed.
LOCK := requirements/dev.txt
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

demo: venv
	$(BIN)/groupbot demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy --strict groupbot

# The report's browser test drives Debian's chromium; Playwright never downloads a browser.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
browser:
	@if [ ! -x $(CHROMIUM) ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the report's browser test"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

pytest: venv browser
	@if [ -n "$${GROUPBOT_TEST_POSTGRES_URL:-}" ] || [ "$${CI:-}" = true ] || $(PG_PORT_OPEN); then \
	  echo "$(BIN)/pytest"; $(BIN)/pytest; \
	else \
	  echo "No PostgreSQL on 127.0.0.1:5432: starting a throwaway cluster for the tests"; \
	  scripts/with-postgres.sh $(BIN)/pytest; \
	fi

test: lint typecheck pytest
	@if [ -f $(CONTRACT_CHECK) ]; then \
	  echo "python3 $(CONTRACT_CHECK) $(BIN)/groupbot"; python3 $(CONTRACT_CHECK) $(BIN)/groupbot; \
	fi

bench: venv
	@shopt -s nullglob; benches=(benchmarks/*.py); \
	if [ $${#benches[@]} -eq 0 ]; then echo "no benchmarks/*.py yet"; fi; \
	for bench in "$${benches[@]}"; do echo "== $$bench"; $(BIN)/python "$$bench"; done

migration: venv
	@[ -n "$(m)" ] || { echo "usage: make migration m='what changed'" >&2; exit 2; }
	scripts/new-migration.sh "$(m)"

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
