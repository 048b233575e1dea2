# Every target sets up .venv on first use, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs diagrams bench fuzz fuzz-ci clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,docs,dev]'
	touch $(STAMP)

## demo: show the library at work (a client and a server talking, events and states printed)
demo: $(STAMP)
	$(PY) docs/examples/demo.py

## test: the whole test suite (unit, property, spec walk-through, docs examples, interop), 100% coverage gate
test: $(STAMP)
	$(PY) -m pytest --cov=h11sm --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=100

## lint: mypy --strict on the package and ruff on everything
lint: $(STAMP)
	$(PY) -m mypy --strict h11sm
	$(PY) -m ruff check h11sm tests tools docs

## docs: the Sphinx site (diagrams regenerated from tables/), warnings are errors
docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

## diagrams: regenerate the state diagrams from tables/
diagrams: $(STAMP)
	$(PY) tools/render_diagrams.py docs/_generated

## fuzz-ci: a short, bounded fuzzing run of receive_data in both roles
fuzz-ci: $(STAMP)
	@echo "fuzz target not written yet" >&2; exit 1

clean:
	rm -rf $(VENV) docs/_build docs/_generated .pytest_cache .mypy_cache .ruff_cache
