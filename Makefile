# Stabil: `make run` starts everything locally; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run sso-demo install test lint check messages compilemessages clean compose-config bench load faults fanout

$(BIN)/.installed: requirements/dev.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Stabil needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	touch $@

install: $(BIN)/.installed

compilemessages: install
	$(BIN)/python manage.py compile_translations

run: install compilemessages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) $(BIN)/python scripts/run_local.py

# Demo kommun signs in through local test identity providers (docs/sso.md): OpenID Connect on 9001, SAML on 9002
# (needs Debian's xmlsec1), Stabil on $(PORT).
sso-demo: install compilemessages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) $(BIN)/python scripts/sso_demo.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

check: install compilemessages
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(60))') \
	  ALLOWED_HOSTS=stabil.example DATABASE_URL=postgres://stabil@localhost/stabil CELERY_BROKER_URL=redis://localhost:6379/0 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

test: lint check
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest $(PYTEST_ARGS)

# Regenerate the Swedish catalogues after changing texts (needs GNU gettext's xgettext).
messages: install
	for app in staff competence caseload intake surveys; do (cd $$app && mkdir -p locale && STABIL_MESSAGES_PER_APP=1 ../$(BIN)/python ../manage.py makemessages -l sv --no-obsolete); done
	mkdir -p locale && $(BIN)/python manage.py makemessages -l sv --no-obsolete --ignore='staff/*' --ignore='competence/*' --ignore='caseload/*' --ignore='intake/*' --ignore='surveys/*' --ignore='.venv/*' --ignore='var/*' --ignore='bench/*' --ignore='tests/*'

compose-config:
	SECRET_KEY=x ALLOWED_HOSTS=x POSTGRES_PASSWORD=x POSTGRES_APP_PASSWORD=x docker-compose -f docker-compose.yml config --quiet

clean:
	rm -rf var/broker var/celerybeat-schedule*

# Scale (docs/scale.md). `make bench`: growth 1x vs 10x on PostgreSQL (BENCH_DATABASE_URL, a scratch database
# it fills), then the tertial report against SQL, the allocation proposal against greedy and the case and staff imports against COPY. Each step takes its
# own arguments (BENCH_ARGS for growth.py, BENCH_REPORT_ARGS, BENCH_ALLOCATION_ARGS, BENCH_IMPORT_ARGS, BENCH_STAFF_IMPORT_ARGS); BENCH_SMALL=1 makes them all
# small (CI: a few minutes on 2 cores). A step fails only on a wrong answer (a page not 200, the report's numbers
# not those of the SQL), never on a slow figure.
# `make load`: floor (wrk: `apt-get install wrk`) and locust steps on a private gunicorn + PostgreSQL + Redis
# stack, the web and workers under the application role (row-level security on); `make faults`: the four fault
# scripts on the same kind of stack. All three need PostgreSQL and Redis binaries (Debian packages).
BENCH_DATABASE_URL ?= postgres://stabil:stabil@127.0.0.1:5432/stabil_bench
ifeq ($(BENCH_SMALL),1)
BENCH_ARGS ?= --staff 100 --cases 10000 --factor 3 --repeat 5
BENCH_REPORT_ARGS ?= --staff 300 --cases 30000 --units 30 --repeat 5
BENCH_ALLOCATION_ARGS ?= --cases 150 --workers 50 --time-limit 2
BENCH_IMPORT_ARGS ?= --rows 2000 --workers 40 --repeat 1
BENCH_STAFF_IMPORT_ARGS ?= --rows 2000 --repeat 1
endif
bench: install compilemessages
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=0 $(BIN)/python bench/growth.py $(BENCH_ARGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=0 $(BIN)/python bench/hr_report_bench.py $(BENCH_REPORT_ARGS)
	$(BIN)/python bench/allocation_bench.py $(BENCH_ALLOCATION_ARGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=0 $(BIN)/python bench/import_cases_bench.py $(BENCH_IMPORT_ARGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=0 $(BIN)/python bench/import_staff_bench.py $(BENCH_STAFF_IMPORT_ARGS)

load: install
	$(BIN)/python bench/load.py $(LOAD_ARGS)

faults: install
	$(BIN)/python bench/faults/run.py $(FAULTS)

# Survey fan-out for 30 000 case workers by two Celery workers against one (FANOUT_ARGS="--staff 3000" for a quick run).
fanout: install compilemessages
	$(BIN)/python bench/fanout.py $(FANOUT_ARGS)
