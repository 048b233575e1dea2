# Every target sets up .venv on first use, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs diagrams bench fuzz fuzz-ci wheel-compiled test-compiled clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,docs,dev,interop]'
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

## diagrams: regenerate the state diagrams from tables/ (the same as `h11sm diagrams docs/_generated`)
diagrams: $(STAMP)
	$(PY) -m h11sm diagrams docs/_generated

## fuzz: fuzz receive_data in both roles for FUZZ_SECONDS (default 600); findings go to tests/fuzz_regressions/
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	$(PY) tools/fuzz.py --seconds $(FUZZ_SECONDS)

## bench: h11sm against h11, h11-mypyc and httptools (installs them into .venv; not a test). BENCH_ARGS=--quick;
## BENCH_ARGS=--compiled adds the compiled build from dist/ (make wheel-compiled first)
bench: $(STAMP)
	$(PY) -m pip install --quiet -r tools/bench-requirements.txt
	$(PY) tools/bench.py $(BENCH_ARGS)

## fuzz-ci: a short, bounded fuzzing run of receive_data in both roles (40 s; killed at 100 s).
## The seeds come from the commit, so a CI verdict repeats for the same code; `make fuzz` explores at random.
FUZZ_CI_SEED ?= $(shell git rev-parse --short=7 HEAD 2>/dev/null | $(PYTHON) -c 'import sys; print(int(sys.stdin.read().strip() or "0", 16))')
fuzz-ci: $(STAMP)
	timeout 100 $(PY) tools/fuzz.py --seconds 40 --seed $(FUZZ_CI_SEED)

## wheel-compiled: the mypyc-compiled wheel (imports as h11sm) into dist/; needs a C compiler, fetches mypy for the build
wheel-compiled: $(STAMP)
	rm -rf build
	H11SM_COMPILE=1 $(PY) -m pip wheel --quiet --no-deps --wheel-dir dist .

## test-compiled: build the compiled wheel, install it into a fresh .venv-compiled and run tests/ against it (no coverage)
COMPILED_VENV := .venv-compiled
test-compiled: wheel-compiled
	rm -rf $(COMPILED_VENV)
	$(PYTHON) -m venv $(COMPILED_VENV)
	$(COMPILED_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COMPILED_VENV)/bin/python -m pip install --quiet "$$(ls -t dist/h11sm-*-cp*.whl | head -1)[test,docs,interop]"
	H11SM_EXPECT_COMPILED=1 H11SM_SKIP_INSTALL_TEST=1 $(COMPILED_VENV)/bin/pytest -p no:cacheprovider tests

clean:
	rm -rf $(VENV) $(COMPILED_VENV) build dist docs/_build docs/_generated .pytest_cache .mypy_cache .ruff_cache
