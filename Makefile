# `make run` and `make test` do all their own set-up on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The embedded defaults: SQLite under var/, tasks in-process, SMS to the console sandbox.
LOCAL_ENV := DEBUG=true SMS_BACKEND=console
# `make run PORT=8001` when 8000 is taken.
PORT ?= 8000

.PHONY: run test bench drills simulate clean chromium reader-report

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(INSTALLED)

run: $(INSTALLED)
	$(LOCAL_ENV) $(BIN)/python manage.py migrate --noinput
	$(LOCAL_ENV) $(BIN)/python manage.py demohistory
	$(LOCAL_ENV) PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py runlocal 127.0.0.1:$(PORT)

# Browser tests use Debian's chromium; install it where it is missing and we may.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: browser tests will be skipped"; \
	  else echo "chromium is missing and cannot be installed here: browser tests will be skipped"; fi; }

test: $(INSTALLED) chromium
	$(BIN)/python -m pytest

# The reader's figures on its labelled corpus (docs/reader.md).
reader-report: $(INSTALLED)
	$(LOCAL_ENV) $(BIN)/python manage.py readerreport

# The README's screenshots, from a fresh temporary demo database with three weeks of history.
.PHONY: screenshots
screenshots: $(INSTALLED) chromium
	$(BIN)/python docs/screenshots/take.py

# Proof under load and faults (docs/performance.md, docs/drills.md). Both start
# their own Redis (and, for the drills, their own PostgreSQL cluster); the bench
# uses a scratch database on the PostgreSQL at 127.0.0.1:5432 and needs `wrk`.
bench: $(INSTALLED)
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -qq wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null); \
	  else echo "wrk is missing: apt-get install wrk"; exit 1; fi; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

drills: $(INSTALLED)
	$(BIN)/python -m bench.drills $(DRILLS_ARGS)

# A synthetic population through the real webhook, on the embedded defaults
# (or whatever DATABASE_URL says): make simulate MEMBERS=300 DAYS=14 SEED=7
# Adaptive schedules and BARC-10 over 90 days: make simulate DAYS=90 SCENARIO=adaptive
MEMBERS ?= 100
DAYS ?= 7
SEED ?= 1
SCENARIO ?= daily
simulate: $(INSTALLED)
	$(LOCAL_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(LOCAL_ENV) $(BIN)/python manage.py simulate --members $(MEMBERS) --days $(DAYS) --seed $(SEED) --scenario $(SCENARIO)

clean:
	rm -rf $(VENV) var/db.sqlite3 var/static
