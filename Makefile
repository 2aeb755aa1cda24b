# Xinfang — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test test-sqlite test-postgres lint format typecheck worker messages clean \
	bench bench-quick

install: $(STAMP)

# Re-installs only when pyproject.toml changed (idempotent).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	./scripts/run.sh $(PORT)

test: install
	./scripts/test.sh

test-sqlite: install
	./scripts/test.sh --sqlite-only

test-postgres: install
	./scripts/test.sh --postgres-only

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install
	$(VENV)/bin/mypy xinfang config

# Benchmark (docs/benchmark.md): SQLite and PostgreSQL side by side with the peer
# django-helpdesk and a bare Django view; writes .bench/latest.json and prints a table.
bench: install
	./scripts/bench.sh

bench-quick: install
	./scripts/bench.sh --quick

worker: install
	$(PY) manage.py db_worker --queue-name '*'

# Re-extract and compile translations (needs GNU gettext for makemessages only).
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore='.venv/*' --ignore='var/*'
	$(PY) manage.py compile_translations

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
