# Two commands set everything up on a fresh clone:
#   make demo   install into .venv and run the bundled demo area
#   make test   install into .venv (with test tools) and run lint and tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench bench-national demo-data clean web-demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=77"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/sufficiency run

test: $(VENV)/.installed-test
	$(BIN)/ruff check sufficiency tests benchmarks scripts demo
	$(BIN)/ruff format --check sufficiency tests benchmarks scripts demo
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run_demo.py
	$(BIN)/python benchmarks/draws.py
	$(BIN)/python benchmarks/maps.py
	$(BIN)/python benchmarks/web.py

bench-national: $(VENV)/.installed-test
	$(BIN)/python benchmarks/national.py
	$(BIN)/python benchmarks/resilience_plan.py

# A writable copy of the demo area for the web app, its three terms of returns in the store.
web-demo: $(VENV)/.installed
	@test -d web-demo || { \
	  $(BIN)/python -c "import shutil, sufficiency._demo_area as d; shutil.copytree(d.DEMO_AREA, 'web-demo')" && \
	  for term in 2026-spring 2026-summer 2026-autumn; do \
	    $(BIN)/sufficiency ingest web-demo/returns-$$term.* --area web-demo | tail -n 1; done; }
	@echo "web-demo is ready: add an officer with .venv/bin/sufficiency users add NAME --role officer --area web-demo"

demo-data: $(VENV)/.installed
	$(BIN)/python demo/generate.py --out sufficiency/data/demo

clean:
	rm -rf $(VENV) output web-demo .pytest_cache .ruff_cache .mypy_cache
