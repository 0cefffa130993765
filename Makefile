# make run: everything on this machine in the foreground; make test: the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# make run keeps its data in Redis database 0 and the suite in database 15, so a test run beside
# a running console never deletes the console's queue, cache or rate limits.
RUN_REDIS_URL := redis://127.0.0.1:6379/0
TEST_REDIS_URL := redis://127.0.0.1:6379/15

.PHONY: run test lint format venv redis unbound migrate demo e2e

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@python3 -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && python3 -m venv $(VENV); \
	  else echo "python3 -m venv failed: install Debian's python3-venv package." >&2; exit 1; fi; }
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

redis: venv
	@scripts/ensure-redis.sh

unbound:
	@scripts/ensure-unbound.sh

migrate: venv
	$(PY) manage.py migrate --noinput

# The demo's checks and `make run`'s probe the local demo targets on 127.0.0.1.
demo run: export HEALTHCHECK_ALLOW_LOCAL_TARGETS = 1
redis migrate demo run: export REDIS_URL ?= $(RUN_REDIS_URL)

demo: migrate
	$(PY) manage.py demo

run: redis unbound demo
	@echo "Console: http://127.0.0.1:8000/  (demo user: demo@nameplate.test / demo-password-53)"
	$(VENV)/bin/honcho start -f Procfile

test: export REDIS_URL ?= $(TEST_REDIS_URL)
test: redis
	@$(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure here." >&2; exit 1; fi; exit $$rc

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
