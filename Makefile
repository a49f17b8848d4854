# resolutions: `make run` to try it, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test test-fast lint format translations extract-messages system-deps bench migrate demo clean

$(BIN)/flask: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Catalogues are compiled by the build, never committed as binaries.
translations: $(BIN)/flask
	$(BIN)/pybabel compile --use-fuzzy -d translations -f --statistics 2>&1 | tail -n 2

extract-messages: $(BIN)/flask
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k pgettext:1c,2 -k lazy_pgettext:1c,2 \
	  -k ngettext:1,2 -k lazy_ngettext:1,2 --project=resolutions --version=0.1.0 \
	  --copyright-holder="resolutions contributors" -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

migrate: $(BIN)/flask
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo --if-empty

# Without MAIL_HOST nothing is sent: every mail lands in instance/mail/ as an .eml file.
run: translations demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	@if [ -z "$$MAIL_HOST" ]; then echo "E-mails are not sent: read them in instance/mail/ (*.eml)"; fi
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Several workers, as in production.
serve: translations migrate
	$(BIN)/gunicorn --workers 2 --worker-class gthread --threads 8 --bind $(HOST):$(PORT) wsgi:app

# Debian packages the tests need: the browser, fonts for the PDFs, poppler for reading them.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null || ! fc-list | grep -qi dejavu; then \
	  echo "Installing chromium, fonts-dejavu, poppler-utils (Debian packages)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-dejavu poppler-utils >/dev/null; \
	fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

test: system-deps $(BIN)/flask translations node_modules/axe-core/axe.min.js
	RESOLUTIONS_REQUIRE_POSTGRES=1 RESOLUTIONS_REQUIRE_REDIS=1 RESOLUTIONS_REQUIRE_BROWSER=1 $(BIN)/pytest -n 2 --dist loadgroup

test-fast: $(BIN)/flask translations
	$(BIN)/pytest -n 2 -m "not e2e and not slow"

lint: $(BIN)/flask
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/flask
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/flask translations
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules .pytest_cache test-artifacts translations/*/LC_MESSAGES/*.mo
