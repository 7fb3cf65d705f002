# EduPlatform Serverless — the two commands are `make up` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export SAM_CLI_TELEMETRY := 0
export NEXT_TELEMETRY_DISABLED := 1

# uv runs everything; on a machine without it, `make` installs it from PyPI first.
UV  ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN := $(UV) run --frozen
FRONTEND := frontend

.PHONY: help ensure-uv install install-frontend up down test lint typecheck requirements \
        check-requirements sam-validate sam-build test-python test-frontend test-e2e \
        bench-host bench-seed bench-load screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

ensure-uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.5"

install: ensure-uv ## Install the Python workspace (and the frontend's packages when present)
	$(UV) sync --frozen
	@if [ -f $(FRONTEND)/package.json ]; then $(MAKE) --no-print-directory install-frontend; fi

install-frontend:
	@if [ ! -d $(FRONTEND)/node_modules ] || [ $(FRONTEND)/package-lock.json -nt $(FRONTEND)/node_modules ]; then \
		cd $(FRONTEND) && npm ci --no-audit --no-fund; fi

up: install ## Databases, migrations, demo seed, the API (and frontend) on http://localhost:3000
	$(RUN) edu up

down: ## Stop what a detached `make up` left running
	$(RUN) edu down

# ---------------------------------------------------------------------------------------------
test: install lint typecheck check-requirements sam-validate test-frontend test-python ## Every check

lint: ## ruff (lint + format check)
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: ## mypy: strict on the shared layer, checked everywhere else
	$(RUN) mypy layers/common/python/edu_common
	$(RUN) mypy functions/identity/identity functions/course/course functions/enrollment/enrollment \
		functions/payment/payment functions/notification/notification

requirements: ## Regenerate the requirements.txt files sam build needs, from uv.lock
	$(RUN) edu requirements

check-requirements: ## Fail when a requirements.txt drifted from uv.lock
	$(RUN) edu requirements --check

sam-validate: ## sam validate --lint
	$(RUN) sam validate --lint --template template.yaml

sam-build: ## sam build (python3.11, no container needed)
	$(RUN) sam build --template template.yaml

test-python: ## pytest: unit, integration (real PostgreSQL) and end-to-end (local host)
	$(RUN) pytest

test-frontend: ## The frontend's lint, type check and unit tests (when the frontend exists)
	@if [ -f $(FRONTEND)/package.json ]; then \
		cd $(FRONTEND) && npm run lint && npm run typecheck && npm test; \
	else echo "no frontend yet"; fi

# ---------------------------------------------------------------------------------------------
bench-host: ## Local host vs plain uvicorn: warm latency and cold start (prints figures)
	$(RUN) python -m devhost.bench

clean: ## Remove build output (keeps the databases' data)
	rm -rf .aws-sam $(FRONTEND)/out $(FRONTEND)/.next .pytest_cache .mypy_cache .ruff_cache
