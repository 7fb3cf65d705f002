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
        check-requirements sam-validate sam-build test-python test-frontend test-e2e openapi check-openapi \
        bench-host bench-resources bench-dashboard bench-snapstart bench-seed bench-load bench-web screenshots clean ensure-chromium ensure-prometheus

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

ensure-uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.5"

install: ensure-uv ## Install the Python workspace (and the frontend's packages when present)
	$(UV) sync --frozen
	@if [ -f $(FRONTEND)/package.json ]; then $(MAKE) --no-print-directory install-frontend; fi

install-frontend: ensure-chromium
	@if [ ! -d $(FRONTEND)/node_modules ] || [ $(FRONTEND)/package-lock.json -nt $(FRONTEND)/node_modules ]; then \
		cd $(FRONTEND) && npm ci --no-audit --no-fund; fi

up: install ## Databases, migrations, demo seed, the API (and frontend) on http://localhost:3000
	$(RUN) edu up

down: ## Stop what a detached `make up` left running
	$(RUN) edu down

# The browser tests drive Debian's chromium (no browser downloads); root installs it.
ensure-chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Install Debian's chromium (sudo apt-get install chromium) for the browser tests." >&2; exit 1; fi; }

# The Prometheus test scrapes the local host with Debian's prometheus; root installs it.
ensure-prometheus:
	@command -v prometheus >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; \
		else echo "Install Debian's prometheus (sudo apt-get install prometheus) for the Prometheus test." >&2; exit 1; fi; }

# ---------------------------------------------------------------------------------------------
test: install lint typecheck check-requirements check-openapi sam-validate test-frontend test-python ## Every check

lint: ## ruff (lint + format check)
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: ## mypy: strict on the shared layer and the registry, checked everywhere else
	$(RUN) mypy layers/common/python/edu_common
	$(RUN) mypy functions/identity/identity functions/course/course functions/enrollment/enrollment \
		functions/payment/payment functions/notification/notification
	$(RUN) mypy -p edu_platform -p edu_cli -p edu_loadtest -p edu_seed

requirements: ## Regenerate the requirements.txt files sam build needs, from uv.lock
	$(RUN) edu requirements

check-requirements: ## Fail when a requirements.txt drifted from uv.lock
	$(RUN) edu requirements --check

openapi: ## Write the five functions' OpenAPI documents and the frontend's types generated from them
	$(RUN) edu openapi
	cd $(FRONTEND) && npm run -s openapi:types

check-openapi: ## Fail when the committed OpenAPI documents or generated frontend types drifted from the apps
	$(RUN) edu openapi --check
	@if [ -f $(FRONTEND)/package.json ]; then cd $(FRONTEND) && npm run -s openapi:check; fi

sam-validate: ## sam validate --lint
	$(RUN) sam validate --lint --template template.yaml

sam-build: ## sam build (python3.12 from .python-version, no container needed)
	$(RUN) sam build --template template.yaml

test-python: ensure-prometheus ## pytest: unit, integration (real PostgreSQL) and end-to-end (local host)
	$(RUN) pytest --ignore=tests/faults

# Three minutes of real processes stopped, frozen, flooded and killed: a CI step of its own.
.PHONY: test-faults bench-soak
test-faults: install ## Fault injection (issue 15): databases stopped/frozen/exhausted, an environment and the host killed
	$(RUN) pytest tests/faults

test-frontend: ## The frontend's lint, type check and unit tests (when the frontend exists)
	@if [ -f $(FRONTEND)/package.json ]; then \
		cd $(FRONTEND) && npm run lint && npm run typecheck && npm test; \
	else echo "no frontend yet"; fi

# ---------------------------------------------------------------------------------------------
bench-host: install ## Local host vs plain uvicorn: warm latency and cold start (BASELINE=dir: another devhost too)
	$(RUN) python -m devhost.bench $(if $(BASELINE),--baseline $(BASELINE))

bench-dashboard: install ensure-chromium ## The warm path with the host's dashboard open in Chromium vs closed
	$(RUN) python -m devhost.dashboard_bench

bench-snapstart: install ## SnapStart restore vs on-demand Init per function (target: restore p50 10x shorter)
	$(RUN) python -m edu_cli.snapbench

bench-resources: install ## Lambda's resource model: CPU-bound Duration at 128/512/1769 MB, freeze/thaw cost, build cold vs cached
	$(RUN) python -m devhost.bench_resources

bench-seed: install ## The full SPEC §5 seed, timed: rows/s per table (replaces local data)
	$(RUN) edu db up
	$(RUN) python -m edu_cli.seedbench

bench-load: install ## Mixed load on the full seed: max users, RPS, p95s, index and pool comparisons
	$(RUN) edu db up
	$(RUN) edu seed --scale 1.0 --reset --no-progress
	$(RUN) python -m edu_cli.loadbench

bench-soak: install ## Steady mixed load for SOAK_MINUTES (10) at SOAK_RATE req/s (14): growth and drift, first vs last minute
	$(RUN) python -m edu_cli.soakbench --minutes $(or $(SOAK_MINUTES),10) --rate $(or $(SOAK_RATE),14)

bench-web: install ## LCP, CLS and JS bytes of catalog, course and lesson on a throttled phone (needs `make up` running)
	cd $(FRONTEND) && BASE_URL=$${BASE_URL:-http://127.0.0.1:3000} npm run -s bench-web

screenshots: install ## PNGs of the main pages into screenshots/ (needs `make up` running)
	cd $(FRONTEND) && BASE_URL=$${BASE_URL:-http://127.0.0.1:3000} \
		E2E_ADMIN_EMAIL=admin@eduplatform.dev E2E_ADMIN_PASSWORD=edu-demo-2026 \
		E2E_STUDENT_EMAIL=student@eduplatform.dev E2E_STUDENT_PASSWORD=edu-demo-2026 \
		SCREENSHOTS_DIR=$(CURDIR)/screenshots npm run screenshots

clean: ## Remove build output (keeps the databases' data)
	rm -rf .aws-sam $(FRONTEND)/out $(FRONTEND)/.next .pytest_cache .mypy_cache .ruff_cache
