# Everything a fresh clone needs: only Python 3.11+ and make.
PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all demo test lint typecheck unit fonts fuzz bench bench-plan bench-instructions test-browser \
	test-without-mkdocs clean

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
	@echo "Then:     cd example_site && ../$(BIN)/pinplan show"

lint: $(STAMP)
	$(BIN)/ruff check mkdocs_pinplan tests bench
	$(BIN)/ruff format --check mkdocs_pinplan tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Fonts the script tests draw with, from Debian: a CJK font (Arabic comes with DejaVu). The
# tests that need them skip, saying so, where they cannot be installed.
FONT_PACKAGES := fontconfig fonts-dejavu-core fonts-wqy-microhei
fonts:
	@dpkg -s $(FONT_PACKAGES) >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONT_PACKAGES); } \
		|| echo 'fonts could not be installed: the CJK and Arabic tests skip'

unit: $(STAMP) fonts
	$(BIN)/python -m pytest -q

test: lint typecheck unit

fuzz: $(STAMP)
	PINPLAN_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q -m fuzz -p no:cacheprovider tests

bench: $(STAMP)
	# Benchmark-only: Material's social plugin (the comparison) needs cairosvg and libcairo2.
	$(BIN)/python -m pip install --quiet 'mkdocs-material[imaging]'
	@dpkg -s libcairo2 >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq libcairo2) \
		|| echo 'libcairo2 could not be installed: run bench/run.py --skip-social'
	@command -v valgrind >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq valgrind) \
		|| echo 'valgrind could not be installed: the warm target is judged by wall time'
	$(BIN)/python bench/run.py
	$(BIN)/python bench/one_post.py
	$(BIN)/python bench/bench_plan.py

# Planning 1,000 posts x 3 pins over a 14-day window, timed as whole processes (median of 5).
bench-plan: $(STAMP)
	$(BIN)/python bench/bench_plan.py

# A warm build's overhead in instructions (valgrind), steady where wall time is not; after `make bench`.
bench-instructions: $(STAMP)
	@command -v valgrind >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq valgrind)
	$(BIN)/python bench/instructions.py

# Headless Chromium from Debian's package: Playwright drives it and never downloads a browser.
test-browser: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	$(BIN)/python -m pip install --quiet -e '.[test,browser]'
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PINPLAN_REQUIRE_BROWSER=1 \
		$(BIN)/python -m pytest -q -m browser -p no:cacheprovider tests/test_browser_preview.py

# The pinplan command where only ProperDocs is installed, no mkdocs package: a venv of its own
# with ProperDocs and pinplan's other dependencies, driven by tests/test_generators.py.
PD_VENV := .venv-properdocs
test-without-mkdocs: $(STAMP)
	rm -rf $(PD_VENV) && $(PYTHON) -m venv $(PD_VENV)
	$(BIN)/python -c 'import importlib.metadata as m, shlex; print(" ".join(shlex.quote(r.split(";")[0]) \
		for r in m.requires("mkdocs-pinplan") if "extra ==" not in r and not r.startswith("mkdocs")))' \
		| xargs $(PD_VENV)/bin/python -m pip install --quiet properdocs
	$(PD_VENV)/bin/python -m pip install --quiet --no-deps -e .
	PINPLAN_WITHOUT_MKDOCS=$(PD_VENV)/bin/pinplan $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/test_generators.py -k without_the_mkdocs_package

clean:
	rm -rf $(VENV) $(PD_VENV) example_site/site .pytest_cache .mypy_cache .ruff_cache
