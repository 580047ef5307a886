# `make run` sets up and serves; `make test` runs the whole suite against real PostgreSQL and Redis.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test install services lint conformance bench clean

run: install services
	$(BIN)/crmgraph migrate
	$(BIN)/crmgraph seed
	$(BIN)/crmgraph serve --worker

FUZZ_EXAMPLES ?= 6  # schemathesis examples per operation and mode in `make test` (the suite's own default is 12)
TEST_WORKERS ?= auto  # pytest-xdist processes (one per CPU); each has its own database and queue

test: install services
	$(BIN)/ruff check .
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -n $(TEST_WORKERS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq python3-venv)
	@ldconfig -p | grep -q libmagic.so.1 || (apt-get update -qq && apt-get install -y -qq libmagic1)  # attachments: content types
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
