# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install install-dev migrate translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

migrate: install
	$(FLASK) db upgrade

# The REX stand-in starts first: the demo data's grants are transmitted to it as they happen.
run: migrate
	$(FLASK) rex-standin --port 8765 & STANDIN=$$!; trap "kill $$STANDIN" EXIT; sleep 1; \
	$(FLASK) demo-data-if-empty && { $(FLASK) scheduler & SCHEDULER=$$!; \
	trap "kill $$SCHEDULER $$STANDIN" EXIT; $(FLASK) run --host 127.0.0.1 --port 5000; }

test: install-dev
	$(BIN)/pytest -q $(PYTEST_ARGS)

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
