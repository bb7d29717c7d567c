# Amends: `make run` to try it, `make test` for every check. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run worker install migrate demo serve test check-python browser-deps lint format typecheck migrations-check pytest clean bench

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Amends needs Python 3.11: set PYTHON=/path/to/python3.11")'

$(STAMP): pyproject.toml constraints.txt | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP) ## Create .venv with Python 3.11 and install pinned dependencies

migrate: install ## Apply database migrations (SQLite under var/ unless DATABASE_URL is set)
	AMENDS_ENV=$${AMENDS_ENV:-development} $(BIN)/amends migrate --noinput
	AMENDS_ENV=$${AMENDS_ENV:-development} $(BIN)/amends createcachetable

demo: migrate ## Load the made-up demo partnership (idempotent)
	AMENDS_ENV=$${AMENDS_ENV:-development} $(BIN)/amends demo

run: demo ## Set up everything, load demo data and serve http://127.0.0.1:8000 (with a task worker)
	@echo "Serving Amends on http://$(HOST):$(PORT)/ (staff sign-in: http://$(HOST):$(PORT)/staff/)"
	@echo "A task worker (amends db_worker) runs beside it: queued messages are printed here."
	@export AMENDS_ENV=$${AMENDS_ENV:-development}; \
	$(BIN)/amends db_worker --no-reload --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(BIN)/amends runserver $(HOST):$(PORT)

worker: install ## Run the background task worker alone (sends queued messages)
	AMENDS_ENV=$${AMENDS_ENV:-development} $(BIN)/amends db_worker

browser-deps: ## Install Debian's chromium for the browser tests when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: install ## ruff: lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## ruff: fix what can be fixed and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install ## mypy (strict) with django-stubs
	AMENDS_ENV=test $(BIN)/mypy amends tests

migrations-check: install ## Fail if a model change has no migration
	AMENDS_ENV=test $(BIN)/amends makemigrations --check --dry-run

pytest: install browser-deps ## The test suite (SQLite, or PostgreSQL with DATABASE_URL)
	AMENDS_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest ## Every check: ruff, mypy, migrations, the whole test suite

bench: install ## Benchmark under gunicorn on SQLite and PostgreSQL (BENCH_REFERRALS=1000000 for more); not part of make test
	$(BIN)/python -m bench.run

.PHONY: bench-import
bench-import: install ## CSV import of 10,000 then 100,000 generated rows: peak memory (minutes; not in make test)
	AMENDS_BENCH_IMPORT=1 AMENDS_ENV=test $(BIN)/pytest amends/referrals/tests/test_csv_import_memory.py -m slow -s -q -p no:randomly

clean: ## Remove .venv and var/ (the SQLite database)
	rm -rf $(VENV) var
