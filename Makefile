# Loket: `make demo` runs the platform on SQLite with demo data; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit e2e messages check-messages clean bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" || { echo "Loket needs Python 3.11 (found: $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	LOKET_ENV=demo $(BIN)/loket demo

test: lint unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	LOKET_ENV=test $(BIN)/mypy src tests bench

unit: $(STAMP)
	LOKET_ENV=test $(BIN)/pytest

e2e: $(STAMP)
	LOKET_ENV=test $(BIN)/pytest -m e2e tests/e2e

# Re-extract the messages after changing a template or a string (needs GNU gettext).
messages: $(STAMP)
	cd src/loket && LOKET_ENV=test ../../$(BIN)/django-admin makemessages --settings=loket.settings -l fr -l nl -l en --no-obsolete --no-location
	LOKET_ENV=test $(BIN)/python -m loket.web.i18n_tools compile

bench: $(STAMP)
	LOKET_ENV=test $(BIN)/python -m bench.foundation
	LOKET_ENV=test $(BIN)/python -m bench.audit_log
	LOKET_ENV=test $(BIN)/python -m bench.submission
	LOKET_ENV=test $(BIN)/python -m bench.opendata_publish
	LOKET_ENV=test $(BIN)/python -m bench.geo_search
	LOKET_ENV=test $(BIN)/python -m bench.geo_import

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
