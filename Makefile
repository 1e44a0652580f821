# Loket: `make demo` runs the platform on SQLite with demo data; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every package of the dependency tree, runtime and dev, pinned with its hashes (pip-compile; see
# README, "Developing", to update it).
LOCK := requirements/dev.lock

.PHONY: demo test test-future lint typecheck unit e2e faults messages check-messages clean bench sbom

# A fresh .venv with exactly the locked versions, then Loket itself without resolving again.
$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" || { echo "Loket needs Python 3.11 (found: $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
	@# The locked pip first: Python 3.11's own pip (23.2) takes the newest release for a
	@# requirement with extras (fonttools[woff]) instead of the locked one, and then refuses it.
	awk '/^pip==/ {p = 1; print; next} /^[a-z]/ {p = 0} p' $(LOCK) > $(VENV)/pip.lock
	$(BIN)/pip install --quiet --require-hashes -r $(VENV)/pip.lock
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
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

# The whole suite with the clock a year ahead: libfaketime shifts the tests, the server and the
# test OpenID provider (Chromium keeps the real clock, see tests/e2e/conftest.py), so a date that
# a test types or checks and that would go stale fails here first. On SQLite, whose clock is the
# test process's (PostgreSQL's now() would not be shifted).
CLOCK_SHIFT ?= +365d
test-future: $(STAMP)
	@command -v faketime >/dev/null || { echo "make test-future needs libfaketime (apt-get install faketime)"; exit 1; }
	LOKET_ENV=test LOKET_TEST_DATABASE_URL= faketime -f '$(CLOCK_SHIFT)' $(BIN)/pytest -p no:cacheprovider

e2e: $(STAMP)
	LOKET_ENV=test $(BIN)/pytest -m e2e tests/e2e

# Fault tests: real server, worker and PostgreSQL processes killed and restarted (PostgreSQL at
# LOKET_FAULTS_SERVER_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
faults: $(STAMP)
	LOKET_ENV=test $(BIN)/pytest -m faults tests/faults

# Re-extract the messages after changing a template or a string (needs GNU gettext).
messages: $(STAMP)
	cd src/loket && LOKET_ENV=test ../../$(BIN)/django-admin makemessages --settings=loket.settings -l fr -l nl -l en --no-obsolete --no-location
	LOKET_ENV=test $(BIN)/python -m loket.web.i18n_tools compile

# Every benchmark, on PostgreSQL (LOKET_BENCH_DATABASE_URL, LOKET_TEST_DATABASE_URL or
# postgresql://postgres@127.0.0.1:5432/loket_bench); writes bench/results/latest.md.
bench: $(STAMP)
	LOKET_ENV=test $(BIN)/python -m bench.run

# A CycloneDX SBOM of what is installed in .venv: var/sbom.cdx.json.
sbom: $(STAMP)
	mkdir -p var
	$(BIN)/cyclonedx-py environment --pyproject pyproject.toml --output-format JSON --output-file var/sbom.cdx.json $(VENV)

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
