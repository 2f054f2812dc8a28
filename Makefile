# Two commands set everything up: `make lab` (open the course) and `make test` (run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
# nbgrader shells out to alembic, so the venv's bin must be on PATH (FIELD_NOTES).
export PATH := $(BIN):$(PATH)

.PHONY: lab test lint exercises bench clean system-lab system-test labextension
# Set-up steps run in the order written: the Debian packages come before the venv.
.NOTPARALLEL:

# Debian packages (bubblewrap, python3-venv; for the tests also chromium and npm), installed
# when missing with apt-get as root or sudo otherwise; where neither works it stops with the
# command to run.
system-lab:
	@PYTHON=$(PYTHON) sh scripts/system-packages.sh lab
system-test:
	@PYTHON=$(PYTHON) sh scripts/system-packages.sh test

# configurable-http-proxy (npm) for the hub test, in a project-local folder, never global.
CHP := $(VENV)/node/node_modules/.bin/configurable-http-proxy
$(CHP): $(BIN)/python
	npm install --silent --prefix $(VENV)/node --no-audit --no-fund configurable-http-proxy@5
	ln -sf $(abspath $(CHP)) $(BIN)/configurable-http-proxy

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "powercoach needs Python 3.11 or newer; run e.g. make PYTHON=python3.12 $(MAKECMDGOALS)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# An editable install skips pyproject's data-files, so put the file that enables powercoach's server
# extension (the Content-Security-Policy on pages that show learners' work) where a wheel puts it.
SERVER_CONFIG_D := $(VENV)/etc/jupyter/jupyter_server_config.d
# The same for powercoach's JupyterLab extension, which runs a course notebook as it opens (docs/autorun.md).
LABEXT := src/powercoach/labextension
LABEXT_D := $(VENV)/share/jupyter/labextensions/@powercoach/autorun
$(VENV)/.lab-installed: $(BIN)/python pyproject.toml jupyter-config/jupyter_server_config.d/powercoach.json $(LABEXT)/package.json
	$(BIN)/python -m pip install --quiet -e .
	mkdir -p $(SERVER_CONFIG_D) && cp jupyter-config/jupyter_server_config.d/powercoach.json $(SERVER_CONFIG_D)/
	rm -rf $(LABEXT_D) && mkdir -p $(dir $(LABEXT_D)) && cp -R $(LABEXT) $(LABEXT_D)
	touch $@

$(VENV)/.test-installed: $(BIN)/python pyproject.toml jupyter-config/jupyter_server_config.d/powercoach.json $(LABEXT)/package.json
	$(BIN)/python -m pip install --quiet -e ".[test]"
	mkdir -p $(SERVER_CONFIG_D) && cp jupyter-config/jupyter_server_config.d/powercoach.json $(SERVER_CONFIG_D)/
	rm -rf $(LABEXT_D) && mkdir -p $(dir $(LABEXT_D)) && cp -R $(LABEXT) $(LABEXT_D)
	touch $@ $(VENV)/.lab-installed

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: system-lab $(VENV)/.lab-installed
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT) --LabApp.default_url=/lab/tree/course/start.ipynb

test: system-test $(VENV)/.test-installed $(CHP)
	$(BIN)/ruff check src tests
	$(BIN)/python -m pytest

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests

# Regenerate the learners' exercises/ from solutions/ (never edit exercises/ by hand).
exercises: $(VENV)/.lab-installed
	@db=$$(mktemp -d); for a in $$(ls solutions); do \
	  $(BIN)/nbgrader generate_assignment "$$a" --force --db="sqlite:///$$db/gradebook.db" || exit 1; \
	done; rm -rf "$$db"

# Rebuild the JupyterLab extension from labextension/ after editing it (authors only; needs node and npm):
# the built bundle in src/powercoach/labextension is committed, with a hash of its sources that a test checks.
labextension: $(VENV)/.lab-installed
	cd labextension && npm ci --no-audit --no-fund
	$(BIN)/python scripts/build_labextension.py
	rm -rf $(LABEXT_D) && mkdir -p $(dir $(LABEXT_D)) && cp -R $(LABEXT) $(LABEXT_D)

bench: $(VENV)/.test-installed
	$(BIN)/python -m powercoach.instructor.bench

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

# The learner's view: `make lab` shows no nbgrader instructor panels (learner-view/README.md).
lab: export JUPYTER_CONFIG_PATH := $(abspath learner-view)$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH),)

# The browser-only edition: a static JupyterLite site in build/lite that any web server can serve
# (e.g. `python -m http.server -d build/lite`); lite/build.py fetches Pyodide from npm and wheels from PyPI.
.PHONY: lite
$(VENV)/.lite-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[lite]"
	touch $@

lite: $(VENV)/.lite-installed
	$(BIN)/python lite/build.py --out build/lite
