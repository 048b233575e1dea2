# Every target sets up .venv on first use, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs diagrams bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,docs,dev]'
	touch $(STAMP)

## demo: show the library at work (a client and a server talking, events and states printed)
demo: $(STAMP)
	$(PY) docs/examples/demo.py

## test: the whole test suite, with the coverage gate, and the doctests in docs/
test: $(STAMP)
	$(PY) -m pytest

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

clean:
	rm -rf $(VENV) docs/_build docs/_generated .pytest_cache .mypy_cache .ruff_cache
