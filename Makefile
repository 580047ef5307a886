# `make run` sets up and serves; `make test` runs the whole suite against real PostgreSQL and Redis.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test install services lint conformance bench clean

run: install services
	$(BIN)/crmgraph migrate
	$(BIN)/crmgraph seed
	$(BIN)/crmgraph serve --worker

test: install services
	$(BIN)/ruff check .
	$(BIN)/pytest -q

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $@

services:
	bash scripts/ensure-services.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

conformance: install services
	$(BIN)/crmgraph conformance

bench: install services
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null 2>&1)) || echo "no wrk: bench.loadgen generates the load"
	$(BIN)/python -m bench.served
	$(BIN)/python -m bench.deep_walk

clean:
	rm -rf $(VENV) .data .pytest_cache
