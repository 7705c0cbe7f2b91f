# Quick start: `make run` opens the app on the bundled sample feeds; `make test` runs
# every test offscreen. Both create .venv and install what they need on first use.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint setup system-deps clean

run: setup
	$(BIN)/dronewatch

test: setup
	DRONEWATCH_BLOCK_QT=1 $(BIN)/python -m pytest tests/core -p no:pytest-qt
	QT_QPA_PLATFORM=offscreen PYTEST_QT_API=pyside6 $(BIN)/python -m pytest tests --ignore=tests/core

lint: setup
	$(BIN)/ruff check dronewatch ui tests
	$(BIN)/ruff format --check dronewatch ui tests

setup: system-deps $(STAMP)

system-deps:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3.11, python3.12 ...)" >&2; exit 1; }
	@scripts/system-deps.sh $(PYTHON)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
