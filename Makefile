# The two commands: `make run` (the product, embedded defaults) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install run test lint audit bench clean

# The virtual environment is rebuilt whenever a requirements file changes (runtime, then tests and tooling).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Set up and start web (http://127.0.0.1:8000), worker and beat; Ctrl-C stops all three.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runstack

## Set up and run the whole test suite (PostgreSQL/Redis tests run when DATABASE_URL/CELERY_BROKER_URL point at them).
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

## Security checks CI runs: bandit on the code (high severity fails), pip-audit on the pinned requirements.
audit: install
	$(BIN)/bandit -q -r customers uploads calls agents exports voiceassist manage.py -x '*/tests/*,*/migrations/*' --severity-level high
	$(BIN)/pip-audit -r requirements.txt -r requirements-dev.txt --no-deps --disable-pip --progress-spinner off

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
