# Tiến Độ — the two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
PY_VENV := .venv
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
TIENDO := $(PY_VENV)/bin/tiendo
WEB_SOURCES := $(shell find frontend/src frontend/build frontend/public frontend/scripts frontend/index.html frontend/package.json frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test`: one more than the cores, as the tests spend part of their
# time waiting on PostgreSQL, Chromium and the servers they start.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))

.PHONY: run test install web migrate seed serve lint bench bench-national wrk openapi client clean browser compose-tool

run: install web migrate seed serve ## install, build the web app, migrate, load the demo, serve

install: $(PY_VENV)/.installed
$(PY_VENV)/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || python3 -m pip install --quiet --user uv
	$(UV) sync --frozen --all-groups
	@touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web: frontend/dist/index.html
frontend/dist/index.html: frontend/node_modules/.installed $(WEB_SOURCES)
	cd frontend && npm run build --silent

migrate: install
	$(TIENDO) migrate

seed: install
	$(TIENDO) seed-demo

serve: install
	$(TIENDO) serve --host $(HOST) --port $(PORT)

browser: ## Debian's Chromium for the browser tests (Playwright never downloads one here)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

compose-tool: ## Debian's docker-compose v1, only to validate docker-compose.yml (no engine needed)
	@command -v docker-compose >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }

test: install web browser compose-tool ## the whole suite, on SQLite and PostgreSQL, with a real browser
	cd frontend && npm test --silent
	$(PY_VENV)/bin/pytest -q -n $(TEST_WORKERS)

lint: install
	$(PY_VENV)/bin/ruff check backend tests

openapi: install ## regenerate the typed web client from the backend's schema
	$(PY_VENV)/bin/python -m tiendo.openapi frontend/openapi.json
	cd frontend && npm run gen:api --silent

wrk: ## Debian's wrk, the load generator of `make bench` (C, not the bottleneck here)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

bench: install web wrk ## wrk against the app, the tutorial route and a bare raw-insert app; reads with 1 and 2 workers
	$(PY_VENV)/bin/python -m tiendo.bench

bench-national: install wrk ## 99,100 units × 52 weeks on PostgreSQL: the issue-14 table (~5 min)
	$(PY_VENV)/bin/python -m tiendo.bench.national

clean:
	rm -rf $(PY_VENV) frontend/node_modules frontend/dist var
