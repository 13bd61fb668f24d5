# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
# On the command line or in the environment: PYTHON (the interpreter of .venv), PORT (the web server of
# make run) and STANDIN_PORT (its REX stand-in), e.g. `make run PORT=8000 STANDIN_PORT=8766`.
PYTHON ?= python3.11
PORT ?= 5000
STANDIN_PORT ?= 8765
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# Every indirect dependency pinned too: the same versions on every machine (make constraints refreshes it).
PIP_INSTALL := $(BIN)/pip install --quiet -c constraints.txt

.PHONY: run test test-tools database install install-dev migrate translations constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt

install-dev: $(BIN)/python
	$(PIP_INSTALL) -r requirements-dev.txt

# The PostgreSQL database of DATABASE_URL, created when missing (nothing to do for SQLite).
database: install
	@$(BIN)/python scripts/ensure_database.py

migrate: install database
	$(FLASK) db upgrade

# The REX stand-in starts first: the demo data's grants are transmitted to it as they happen.
# Links in emails and the transmissions follow PORT and STANDIN_PORT unless the environment sets them.
run: migrate
	@export PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}" \
	       REX_CENTRAL_URL="$${REX_CENTRAL_URL-http://127.0.0.1:$(STANDIN_PORT)/rex/registrations}"; \
	$(FLASK) rex-standin --port $(STANDIN_PORT) & STANDIN=$$!; trap "kill $$STANDIN" EXIT; sleep 1; \
	$(FLASK) demo-data-if-empty && { $(FLASK) scheduler & SCHEDULER=$$!; \
	trap "kill $$SCHEDULER $$STANDIN" EXIT; $(FLASK) run --host 127.0.0.1 --port $(PORT); }

# Before anything is installed: what the suite needs beside Python (chromium, redis-server).
test-tools:
	@scripts/ensure-test-tools

test: test-tools install-dev database
	$(BIN)/pytest -q $(PYTEST_ARGS)

# Re-pin every dependency, direct and indirect, from a clean virtualenv of requirements-dev.txt.
constraints:
	rm -rf .constraints-venv
	$(PYTHON) -m venv .constraints-venv
	.constraints-venv/bin/pip install --quiet --upgrade pip
	.constraints-venv/bin/pip install --quiet -r requirements-dev.txt
	{ echo "# Every package make install and make install-dev may install, pinned. Written by make constraints."; \
	  .constraints-venv/bin/pip freeze; } > constraints.txt
	rm -rf .constraints-venv

clean:
	rm -rf $(VENV) instance .pytest_cache

# After changing a user-facing text: re-extract, translate the new entries of
# translations/en/LC_MESSAGES/messages.po, then compile (tests/test_i18n.py checks it). The French catalogue
# only needs its plural entries, filled from the source texts; admin.po adds to Flask-Admin's own catalogue.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations
	$(BIN)/python translations/french_plurals.py
	$(BIN)/pybabel compile -d translations
	$(BIN)/pybabel compile -D admin -d translations
