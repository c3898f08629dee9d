# The README's two commands: `make run` and `make test`. Everything else is a helper.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test system-deps lint test-js test-py bench bench-scale clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

install-test: $(BIN)/.installed-test system-deps

system-deps:
	scripts/install-system-deps.sh

## Install, migrate, load the demo company (idempotent) and serve with the worker.
run: install
	$(BIN)/fieldline db upgrade
	$(BIN)/fieldline seed-demo
	@echo
	@echo "  Fieldline is starting: open http://$(HOST):$(PORT) (password for every demo user: fieldline)"
	@echo
	FIELDLINE_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

## Install everything the tests need and run the whole suite.
test: install-test
	$(MAKE) --no-print-directory lint test-js test-py

lint:
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/lint-imports

test-js:
	node --test tests/js/

# Two workers for everything but the browser (each with its own PostgreSQL and databases;
# a file's tests stay together), then the browser tests one at a time: they share a live
# server and their offline/online steps time out when two browsers compete for 2 cores.
test-py:
	FIELDLINE_REQUIRE_POSTGRES=1 NO_PROXY=127.0.0.1,localhost $(BIN)/pytest -n 2 --dist loadfile --ignore=tests/e2e tests
	FIELDLINE_REQUIRE_POSTGRES=1 NO_PROXY=127.0.0.1,localhost $(BIN)/pytest tests/e2e

bench: install-test
	$(BIN)/python bench/run.py
	$(BIN)/python bench/push.py

## The issue-11 benchmark: demo size, then 100,000 customers (SCALE=1000 blocks of 100), on
## SQLite and a throwaway PostgreSQL; every read for a rep, a lead and a manager.
SCALE ?= 1000
BENCH_SECONDS ?= 3
BENCH_CONNECTIONS ?= 8
BENCH_DATABASES ?= sqlite,postgresql
bench-scale: install-test
	NO_PROXY=127.0.0.1,localhost $(BIN)/python bench/run.py --scale $(SCALE) \
		--seconds $(BENCH_SECONDS) --connections $(BENCH_CONNECTIONS) \
		--databases $(BENCH_DATABASES)

clean:
	rm -rf $(VENV) .pytest_cache
