# Accueil — the same commands on a laptop and in CI.
SHELL := /bin/bash
UV := scripts/uv
BIN := .venv/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
# One address for every link the product prints or sends, unless ACCUEIL_SITE_URL says otherwise.
export ACCUEIL_SITE_URL ?= http://$(HOST):$(PORT)

.DEFAULT_GOAL := help
.PHONY: help run test lint bench setup setup-dev messages format clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

setup: ## install the locked dependencies into .venv
	@$(UV) sync --frozen --no-dev --inexact --python python3 --quiet

setup-dev:
	@$(UV) sync --frozen --python python3 --quiet

run: setup ## set up, migrate, create the demo agency and serve it on http://$(HOST):$(PORT)/
	$(BIN)/accueil manage migrate --noinput -v0
	$(BIN)/accueil demo
	$(BIN)/accueil serve --host $(HOST) --port $(PORT)

test: setup-dev ## run the whole suite: SQLite, PostgreSQL, browser
	scripts/test-all

lint: setup-dev ## ruff, mypy, the import layers and the one-writer rule
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m tests.architecture.writers

format: setup-dev ## rewrite files with ruff's formatter and import order
	$(BIN)/ruff check --fix --select I .
	$(BIN)/ruff format .

bench: setup-dev ## measure and append the figures to docs/performance.md
	$(BIN)/python -m bench

messages: setup-dev ## extract strings into the catalogues and compile them
	cd accueil && ../$(BIN)/accueil manage makemessages -l fr -l en --no-location --no-obsolete -i "migrations/*"
	cd accueil && ../$(BIN)/accueil manage compilemessages

clean: ## remove the virtualenv and local data
	rm -rf .venv .tools var
