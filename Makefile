# Everything a fresh clone needs: only Python 3.10+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all demo test lint typecheck unit fuzz bench test-browser clean

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	cd example_site && ../$(BIN)/mkdocs build --strict
	@echo "Pins:     example_site/site/assets/pinplan/"
	@echo "Calendar: example_site/pinplan/calendar.json"
	@echo "Preview:  example_site/site/pinplan/index.html"

lint: $(STAMP)
	$(BIN)/ruff check mkdocs_pinplan tests bench
	$(BIN)/ruff format --check mkdocs_pinplan tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint typecheck unit

fuzz: $(STAMP)
	PINPLAN_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q -m fuzz -p no:cacheprovider tests

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) example_site/site .pytest_cache .mypy_cache .ruff_cache
