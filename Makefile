# make run  - set everything up and serve the app on http://127.0.0.1:8000 with a Celery worker and beat
#             (SQLite and an embedded broker; REDIS_URL and DATABASE_URL switch to real services)
# make test - run the whole test suite (on every CPU; PYTEST_WORKERS=0 for one process)
# make bench - pages, API, dossier, sweeps and writes at 1k/10k/100k assessments on PostgreSQL (bench/RESULTS.md);
#              make bench-quick - the same at small sizes; make bench-audit - verify_audit_log over 1,000,000 rows
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_PASSWORD ?= demo
HOST ?= 127.0.0.1:8000
# A self-signed demo pair for signing dossiers; production sets DOSSIER_SIGNING_KEY/_CERT to the real ones.
DEMO_SIGNING_DIR := .local/dossier-signing
# The Makefile is for local use: settings run in the development profile unless told otherwise.
# (Production sets DJANGO_DEBUG=false and a SECRET_KEY; see the README's deployment section.)
export DJANGO_DEBUG ?= true

.PHONY: run test install lint check bench bench-quick bench-audit demo-key clean
# The demo's audit signing key: made on first use, kept out of git (.local/ is ignored).
DEMO_KEY := .local/audit-signing-key.pem

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
	scripts/system-deps.sh

demo-key: install
	$(BIN)/python manage.py audit_keygen --out $(DEMO_KEY) --if-missing

run: install demo-key
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py dossier_signing_demo_pair $(DEMO_SIGNING_DIR)
	DOSSIER_SIGNING_KEY=$${DOSSIER_SIGNING_KEY:-$(DEMO_SIGNING_DIR)/dossier-signing-key.pem} \
	DOSSIER_SIGNING_CERT=$${DOSSIER_SIGNING_CERT:-$(DEMO_SIGNING_DIR)/dossier-signing-cert.pem} \
	$(BIN)/python manage.py seed_demo --password "$(DEMO_PASSWORD)"
	@echo
	@echo "Demo logins (password: $(DEMO_PASSWORD)):"
	@echo "  alice  team member (client-experience)   lena   Legal reviewer"
	@echo "  sam    Security reviewer                  claire Clinical reviewer"
	@echo "  priya  Product reviewer                   dana   Data/AI reviewer"
	@echo "  chair  committee chair                    audrey auditor"
	@echo "  admin  superuser (Django admin at /admin/)"
	@echo
	@echo "Serving on http://$(HOST)/ with a Celery worker and beat (reminders print below). Ctrl-C stops all."
	DOSSIER_SIGNING_KEY=$${DOSSIER_SIGNING_KEY:-$(DEMO_SIGNING_DIR)/dossier-signing-key.pem} \
	DOSSIER_SIGNING_CERT=$${DOSSIER_SIGNING_CERT:-$(DEMO_SIGNING_DIR)/dossier-signing-cert.pem} \
	PATH="$(CURDIR)/$(BIN):$$PATH" HOST=$(HOST) $(BIN)/honcho start

# The suite runs on PYTEST_WORKERS processes (pytest-xdist; auto: one per CPU), each on its own test database
# (test_<name>_gw0, _gw1, ...; SQLite files in each worker's temporary folder). PYTEST_WORKERS=0: one process.
# PYTEST_ARGS passes more options (a path, -m "not e2e", -k ...).
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install lint
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/bandit -q -r accounts assessments committee reports config -ll

bench: install
	$(BIN)/python bench/run.py

bench-quick: install
	$(BIN)/python bench/run.py --quick

bench-audit: install
	$(BIN)/python bench/audit.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts .local
