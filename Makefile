# GestiQCloud — `make run` serves the embedded default; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed
PWA_STAMP := tenant-pwa/node_modules/.installed
EDGE_STAMP := edge/node_modules/.installed
DEMO_ADMIN_EMAIL ?= admin@gestiq.local
DEMO_ADMIN_PASSWORD ?= admin-password-1
HOST ?= 127.0.0.1
LOAD_SECONDS ?= 60
PORT ?= 5000

.PHONY: install install-python install-node build-pwa migrate seed run test test-python test-sqlite test-postgres test-node audit-deps load soak clean

install: install-python install-node

install-python: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

DOCS_STAMP := api/docs/node_modules/.installed

install-node: $(PWA_STAMP) $(EDGE_STAMP) $(DOCS_STAMP)
$(DOCS_STAMP): api/docs/package-lock.json
	cd api/docs && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed
$(PWA_STAMP): $(wildcard tenant-pwa/package-lock.json)
	if [ -f tenant-pwa/package-lock.json ]; then cd tenant-pwa && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; fi
$(EDGE_STAMP): $(wildcard edge/package-lock.json)
	if [ -f edge/package-lock.json ]; then cd edge && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; fi

build-pwa: install-node install-python
	# The PWA's API types are generated from the backend's OpenAPI: a breaking backend change fails tsc here.
	GESTIQ_INSTANCE_PATH=$${GESTIQ_INSTANCE_PATH:-instance} $(FLASK) gestiq openapi write --output openapi.json
	cd tenant-pwa && npm run gen:types --silent && npm run build --silent

migrate: install-python
	scripts/migrate

seed: migrate
	$(FLASK) gestiq create-admin --email $(DEMO_ADMIN_EMAIL) --password $(DEMO_ADMIN_PASSWORD)
	$(FLASK) gestiq demo seed

run: install build-pwa seed
	@echo ""
	@echo "GestiQCloud en marcha (SQLite + Huey embebidos):"
	@echo "  App de empresa (PWA): http://$(HOST):$(PORT)/app/   usuario owner@demo-es.test / demo-password-1 (empresa demo-es)"
	@echo "  Back office:          http://$(HOST):$(PORT)/admin/ usuario $(DEMO_ADMIN_EMAIL) / $(DEMO_ADMIN_PASSWORD)"
	@echo "  API y documentación:  http://$(HOST):$(PORT)/docs   http://$(HOST):$(PORT)/openapi.json"
	@echo "  Salud:                http://$(HOST):$(PORT)/health http://$(HOST):$(PORT)/ready"
	@echo ""
	HOST=$(HOST) PORT=$(PORT) scripts/serve

test: install build-pwa test-python test-node audit-deps

test-python: test-sqlite test-postgres

test-sqlite: install-python
	env -u GESTIQ_TEST_DATABASE_URL -u GESTIQ_TEST_REDIS_URL $(PY) -m pytest

test-postgres: install-python
	@if [ -n "$$GESTIQ_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL + Redis run =="; \
		$(PY) -m pytest; \
	else \
		echo "GESTIQ_TEST_DATABASE_URL is not set: PostgreSQL run not requested (.ci/run sets it)"; \
	fi

test-node: install-node
	if [ -f edge/package.json ]; then cd edge && npm test --silent; fi
	if [ -f tenant-pwa/package.json ]; then cd tenant-pwa && npm test --silent && npm run check:size --silent; fi

# A high-severity advisory fails; an unreachable advisory service is a warning (see scripts/audit_deps.py).
audit-deps: install-python install-node
	PYTHON=$(PY) scripts/audit-deps

# Mixed tenant workload on gunicorn (2 workers) with the configured GESTIQ_* database and Redis (see README "Reliability").
load: install-python
	PYTHON=$(PY) scripts/_python scripts/bench/load.py --seconds $(LOAD_SECONDS)

soak: install-python
	PYTHON=$(PY) scripts/_python scripts/bench/load.py --soak

clean:
	rm -rf $(VENV) tenant-pwa/node_modules tenant-pwa/dist edge/node_modules instance
