# resolutions: `make run` to try it, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

PIP_TOOLS := pip-tools==7.6.2
COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links

.PHONY: run serve test test-fast lint format translations extract-messages system-deps bench \
  migrate upgrade demo lock upgrade-deps python-venv production app-deps clean

# The virtualenv holds exactly the locked versions (hashes checked); the project itself is
# installed on top without dependencies. Adding a dependency: edit pyproject.toml, `make lock`.
$(BIN)/flask: requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || $(MAKE) --no-print-directory python-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'pip==26.3'
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# A production install: only the application's locked packages, compiled catalogues.
production:
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || $(MAKE) --no-print-directory python-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'pip==26.3'
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pybabel compile -d translations -f 2>&1 | tail -n 1
	touch $(BIN)/flask

# Debian ships venv support in its own package.
python-venv:
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq python3-venv >/dev/null

# Pin every dependency (pyproject.toml's bounds) with hashes: requirements.lock for production,
# requirements-dev.lock for development and tests. Keeps today's versions where they still fit.
lock: $(BIN)/flask
	$(BIN)/pip install --quiet '$(PIP_TOOLS)'
	$(COMPILE) -o requirements.lock pyproject.toml
	$(COMPILE) --extra dev -o requirements-dev.lock pyproject.toml

# The newest versions pyproject.toml allows; then `make test` and commit the two lock files.
upgrade-deps: $(BIN)/flask
	$(BIN)/pip install --quiet '$(PIP_TOOLS)'
	$(COMPILE) --upgrade -o requirements.lock pyproject.toml
	$(COMPILE) --upgrade --extra dev -o requirements-dev.lock pyproject.toml

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

# Migrations on the configured database (DATABASE_URL), saying what was applied.
upgrade: $(BIN)/flask
	$(BIN)/flask upgrade

demo: migrate
	$(BIN)/flask demo --if-empty

# Without MAIL_HOST nothing is sent: every mail lands in instance/mail/ as an .eml file.
run: app-deps translations demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	@if [ -z "$$MAIL_HOST" ]; then echo "E-mails are not sent: read them in instance/mail/ (*.eml)"; fi
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The production command: gunicorn.conf.py holds every setting but the address.
serve: app-deps translations migrate
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

# Debian packages the application itself needs: WeasyPrint's pango and harfbuzz-subset (font
# subsetting; without it WeasyPrint warns on every PDF), the fonts of the PDFs.
app-deps:
	@missing=""; \
	/sbin/ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	/sbin/ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu fontconfig"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Debian packages the tests need: PostgreSQL and Redis servers (the tests start their own
# throwaway instances), Node for axe-core, the browser, fonts for the PDFs, poppler to read them.
system-deps: app-deps
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

test: system-deps $(BIN)/flask translations node_modules/axe-core/axe.min.js
	RESOLUTIONS_REQUIRE_POSTGRES=1 RESOLUTIONS_REQUIRE_REDIS=1 RESOLUTIONS_REQUIRE_BROWSER=1 $(BIN)/pytest -n 2 --dist loadgroup --durations=15

test-fast: $(BIN)/flask translations
	$(BIN)/pytest -n 2 -m "not e2e and not slow"

# Ruff (style, bugs, complexity) and mypy, strict on resolutions/ (pyproject.toml says how).
lint: $(BIN)/flask
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/flask
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/flask translations
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules .pytest_cache test-artifacts translations/*/LC_MESSAGES/*.mo
