# PrepNexus. `make run` serves the site with demo content; `make test` runs lint and the whole suite.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
WITH_ENV := source .run/env &&
PORT ?= 8000

.PHONY: run dev test lint services services-stop clean migrate

run:
	@scripts/dev.sh setup prod
	@scripts/dev.sh services
	@$(WITH_ENV) $(PY) manage.py migrate --noinput
	@$(WITH_ENV) $(PY) manage.py collectstatic --noinput -v 0
	@$(WITH_ENV) $(PY) manage.py seed_demo
	@echo "==> serving http://127.0.0.1:$(PORT) with gunicorn and a background worker (Ctrl-C stops both)"
	@$(WITH_ENV) exec scripts/dev.sh serve $(PORT)

dev:
	@scripts/dev.sh setup dev
	@scripts/dev.sh services
	@$(WITH_ENV) $(PY) manage.py migrate --noinput
	@$(WITH_ENV) $(PY) manage.py seed_demo
	@$(WITH_ENV) DJANGO_DEBUG=on exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

test:
	@scripts/dev.sh setup dev
	@scripts/dev.sh services
	@$(MAKE) --no-print-directory lint
	@echo "==> makemigrations --check"
	@$(WITH_ENV) $(PY) manage.py makemigrations --check --dry-run
	@echo "==> collectstatic"
	@$(WITH_ENV) $(PY) manage.py collectstatic --noinput -v 0
	@echo "==> pytest"
	@$(WITH_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

lint:
	@echo "==> ruff"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

services:
	@scripts/dev.sh services

services-stop:
	@scripts/dev.sh stop

clean: services-stop
	rm -rf .run $(VENV) staticfiles test-artifacts .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
