# The README's commands: `make run` (install, migrate, demo data, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra pytest arguments, e.g. make test ARGS="-k documents"
ARGS ?=

.PHONY: run test bench lint system-deps install install-test messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

system-deps:
	@bash scripts/system-deps.sh

install: system-deps $(VENV)/.installed

install-test: system-deps $(VENV)/.installed-test

run: install
	$(BIN)/qms demo
	$(BIN)/qms serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check .
	@bash scripts/pytest.sh $(ARGS)

bench: install-test
	$(BIN)/python -m bench.run $(if $(DB),--db $(DB)) $(ARGS)

messages: install-test
	$(BIN)/python scripts/messages.py

clean:
	rm -rf $(VENV) var test-results .pytest_cache
