# datagovma: the two commands are `make run` and `make test`; everything else is a step of them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The portal's interpreter: Debian's python3 where it can make a venv (Debian builds it with
# profile-guided and link-time optimisation, libpython linked in), else the first python3 on PATH.
# pyenv's default build has neither: the portal's pages cost it 4-18% more CPU (bench/bench_interpreter.py).
PYTHON ?= $(shell /usr/bin/python3 -c 'import ensurepip, sys; print(sys.executable)' 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
CKAN := $(BIN)/ckan
MACHINE := $(PYTHON) config/machine.py
RUFF := $(BIN)/ruff check --line-length=120 --select=E,F,W,B
LINTED := datagovma_search ckanext-datagovma config tests bench
DEV_INI := var/config/development.ini
TEST_INI := var/config/test.ini
CORE_INI := var/config/test-core.ini
SITE_PACKAGES = $(shell $(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
PYTEST_OPTS ?=

# The tests of CKAN itself that exercise search (make conformance).
CONFORMANCE_TESTS := \
	ckan/tests/lib/search \
	ckan/tests/cli/test_search_index.py \
	ckan/tests/logic/action/test_get.py \
	ckan/tests/logic/action/test_create.py \
	ckan/tests/logic/action/test_update.py \
	ckan/tests/logic/action/test_delete.py \
	ckan/tests/controllers/test_package.py \
	ckan/tests/controllers/test_group.py \
	ckan/tests/controllers/test_organization.py \
	ckan/tests/controllers/test_api.py \
	ckan/tests/lib/dictization/test_model_dictize.py \
	ckan/tests/controllers/test_admin.py \
	ckan/tests/controllers/test_home.py \
	ckan/tests/controllers/test_feed.py \
	ckanext/example_ipermissionlabels/tests

.PHONY: help run test install venv-interpreter services config lint conformance conformance-run conformance-full bench bench-search bench-rebuild bench-portal bench-interpreter bench-harvest constraints clean

help:
	@echo "make run    - set up what is missing and start the portal on http://127.0.0.1:5000"
	@echo "             (make run HCP=1 also runs a local HCP simulator and harvests it)"
	@echo "make test   - set up what is missing and run the test suite"
	@echo "make conformance - CKAN's own search tests against the search service"
	@echo "make bench  - benchmarks (figures in bench/results/)"

# --- installation -------------------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A venv made by another interpreter (an older checkout's, or PYTHON=... given) is made again.
venv-interpreter:
	@want=$$($(PYTHON) -c 'import sys; print(sys.base_prefix, sys.version)'); \
	have=$$($(BIN)/python -c 'import sys; print(sys.base_prefix, sys.version)' 2>/dev/null || true); \
	if [ -n "$$have" ] && [ "$$have" != "$$want" ]; then \
		echo "[datagovma] $(VENV) runs another Python ($$have): making it again with $(PYTHON)"; \
		rm -rf $(VENV); \
	fi

$(VENV)/.installed: $(BIN)/python config/requirements.txt config/constraints.txt setup.py
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -r config/requirements.txt -c config/constraints.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: venv-interpreter $(VENV)/.installed

constraints: install
	( echo "# Every package of the portal venv, pinned (regenerate: make constraints)."; \
	  $(BIN)/pip freeze --exclude-editable | sort -f ) > config/constraints.txt

services:
	@$(MACHINE) services

config: install
	@$(MACHINE) render
	@$(BIN)/pybabel compile -d ckanext-datagovma/ckanext/datagovma/i18n -D ckanext-datagovma

# --- the portal ---------------------------------------------------------------------------

run: install services config
	@$(MACHINE) port-free 5000 "the web portal"
	@$(MACHINE) port-free 8983 "the search service"
	@$(MACHINE) databases development
	@HCP=$(HCP) $(MACHINE) initialize development
ifdef HCP
	@( cat config/Procfile; echo "hcp-simulator: $(BIN)/python -m tests.harvest.hcp_simulator --port 8990" ) > var/Procfile.hcp
	$(BIN)/honcho -f var/Procfile.hcp -d . start
else
	$(BIN)/honcho -f config/Procfile -d . start
endif

# --- tests --------------------------------------------------------------------------------

test: install services config
	@$(MACHINE) browser
	@$(MACHINE) databases test
	@$(MACHINE) initialize test
	@$(MACHINE) databases test-core
	@$(MACHINE) initialize test-core
	$(RUFF) $(LINTED)
	status=0; \
	$(BIN)/python -m pytest --ckan-ini=$(TEST_INI) --search-schema=config/solr/schema.xml \
		-W ignore::DeprecationWarning tests $(PYTEST_OPTS) || status=$$?; \
	$(MAKE) --no-print-directory conformance-run || status=$$?; \
	$(MACHINE) stop-started; exit $$status

lint: install
	$(RUFF) $(LINTED)

conformance: install services config
	@$(MACHINE) databases test-core
	@$(MACHINE) initialize test-core
	@$(MAKE) --no-print-directory conformance-run

# CKAN's tests run from site-packages (the wheel's own rootdir); the report fails on any failure
# that docs/conformance.md does not explain.
conformance-run:
	cd $(SITE_PACKAGES) && $(abspath $(BIN))/python -m pytest -p no:cacheprovider --rootdir=. -q \
		-W ignore::DeprecationWarning --ckan-ini=$(abspath $(CORE_INI)) --search-schema=ckan \
		--junitxml=$(abspath var/conformance.xml) $(CONFORMANCE_TESTS) $(PYTEST_OPTS) || true
	$(BIN)/python bench/conformance_report.py var/conformance.xml

conformance-full: install services config
	@$(MACHINE) databases test-core
	@$(MACHINE) initialize test-core
	cd $(SITE_PACKAGES) && $(abspath $(BIN))/python -m pytest -p no:cacheprovider --rootdir=. -q \
		-W ignore::DeprecationWarning --ckan-ini=$(abspath $(CORE_INI)) --search-schema=ckan \
		--junitxml=$(abspath var/conformance-full.xml) ckan/tests $(PYTEST_OPTS) || true
	$(BIN)/python bench/conformance_report.py var/conformance-full.xml

# --- benchmarks ---------------------------------------------------------------------------

bench: bench-search bench-rebuild bench-portal bench-harvest

bench-search: install services config
	@$(MACHINE) databases bench
	@$(MACHINE) initialize bench
	$(BIN)/python bench/bench_search.py

# need the development database filled once (make run HCP=1); bench-portal grows it to ~10,000
bench-rebuild: install services config
	$(BIN)/python bench/bench_rebuild.py

bench-harvest: install services config
	@$(MACHINE) databases bench
	$(BIN)/python bench/bench_harvest.py

bench-portal: install services config
	$(BIN)/python bench/portal_10k.py
	$(BIN)/python bench/bench_portal.py

# the portal under the venv's interpreter and another (OTHER_PYTHON, default: python3 on PATH),
# whose venv it makes in var/bench-venv-other; on the portal bench-portal filled
bench-interpreter: install services config
	$(BIN)/python bench/bench_interpreter.py

clean:
	rm -rf var
