# Calculus in Neural Networks: build, test and publish the course.
# Every target creates the virtual environment .venv from requirements.txt
# when it is missing or out of date, so a fresh clone needs only Python 3.11,
# git and make.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB     := $(BIN)/jupyter-book build -W -n --keep-going

# jupyter-cache keys a notebook on its code cells only: a change in nncalc or
# in the pinned packages would leave stale outputs. The hash of both decides
# when the execution cache (and Sphinx's cached documents) must go.
SOURCES_HASH = $(shell cat requirements.txt $$(find code/nncalc -name '*.py' | LC_ALL=C sort) | sha256sum | cut -c1-16)

.PHONY: help venv book test notebooks clean

help:
	@echo "make book       build the website in _build/html (warnings are errors)"
	@echo "make test       unit tests of nncalc and every chapter through nbval"
	@echo "make notebooks  re-execute every chapter in place on a fresh kernel"
	@echo "make clean      remove _build and caches (keeps .venv)"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; v = sys.version_info[:2]; v == (3, 11) or print(f"warning: the course is pinned for Python 3.11, this venv has {v[0]}.{v[1]}")'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

book: $(STAMP)
	@mkdir -p _build
	@if [ "$$(cat _build/.sources-hash 2>/dev/null)" != "$(SOURCES_HASH)" ]; then \
	  echo "nncalc or requirements changed: clearing the execution cache"; \
	  rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute _build/html; \
	fi
	$(JB) .
	@echo "$(SOURCES_HASH)" > _build/.sources-hash

test: $(STAMP)
	$(BIN)/python -m pytest

notebooks: $(STAMP)
	$(BIN)/python code/scripts/run_notebooks.py chapters/*.ipynb

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
