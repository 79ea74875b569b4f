# yjinspect: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck check bench e2e clean install

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## Serve the demo inspection on http://$(HOST):$(PORT)/ (SQLite in var/; see README for users)
run: $(STAMP)
	mkdir -p var
	$(BIN)/python src/yjinspect/web/manage.py migrate --noinput
	$(BIN)/python src/yjinspect/web/manage.py load_demo --serve-at $(HOST):$(PORT)
	$(BIN)/python src/yjinspect/web/manage.py runserver $(HOST):$(PORT)

## Lint, type-check and run every test except the browser tests (those run in .ci/run).
test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

## Browser tests (Playwright + Debian's chromium).
e2e: $(STAMP)
	bash scripts/ensure-test-tools.sh
	$(BIN)/python -m pytest -q -m e2e

## Speed figures: the engine beside its floors, then 50 inspectors against gunicorn + PostgreSQL
## for 60 s. The last line reads `bench: p95_ms=<n> errors=<n> lost=<n> ratio=<n>`.
bench: $(STAMP)
	$(BIN)/python -m yjinspect.bench
	bash scripts/with-postgres.sh $(BIN)/python -m yjinspect.bench.load

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
