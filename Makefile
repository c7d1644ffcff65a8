# Rapport — two commands: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
STAMP := $(VENV)/.installed
# Both cores by default (a process idle at the end takes work from the other);
# `make test PYTEST_ARGS="-k scorecard"` to narrow it down.
PYTEST_ARGS ?= -q -n 2 --dist worksteal

.PHONY: run test install bench bench-report lint format messages check clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Rapport needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## Set up everything, load demo data, start web + Celery worker + beat (Ctrl-C stops all).
run: $(STAMP)
	PORT=$(PORT) PY=$(PY) BIN=$(BIN) bash scripts/run.sh

## Run the whole test suite (SQLite + embedded broker by default; see .ci/run for services).
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: every test process would
# otherwise compile the whole project again (seconds each, and again for each run).
test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	PYTHONDONTWRITEBYTECODE= $(PY) -m compileall -q -j 0 crm partners evaluations supervision
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest $(PYTEST_ARGS)

## Time every page beside a bare floor page, wrk throughput with 2 gunicorn workers and the
## annual report's generation (figures only). SIZE=small: 3,000 partners / 30,000
## interactions on SQLite, then the scheduler timings; SIZE=medium (10,000 / 100,000) and
## SIZE=large (100,000 / 1,000,000) on PostgreSQL at 127.0.0.1:5432, seeded once.
SIZE ?= small
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) bench/pages.py --size $(SIZE) $(BENCH_ARGS)
	if [ "$(SIZE)" = small ]; then $(PY) bench/scheduler.py; fi

## Annual report generation at 100,000 partners / 1,000,000 interactions / 50,000 survey
## responses on PostgreSQL (BENCH_REPORT_DATABASE_URL; seeds once, several minutes).
bench-report: $(STAMP)
	$(PY) bench/report.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Refresh the zh_Hans catalogue (needs GNU gettext) and compile it.
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=$(VENV) --ignore=var --ignore=tests
	$(PY) manage.py makemessages -d djangojs -l zh_Hans --no-obsolete --ignore=$(VENV) --ignore=var --ignore=static/vendor
	$(PY) manage.py compilemessages --ignore=$(VENV)

check: $(STAMP)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var/celery var/*.sqlite3*
