# civicspace: `make demo` and `make test` work on a fresh machine with Python 3.11+.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
DEMO_DB ?= var/demo.sqlite
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install demo test lint typecheck bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,spark]'
	touch $@

install: $(VENV)/.installed

demo: install
	mkdir -p var
	$(BIN)/civicspace --db $(DEMO_DB) demo
	$(BIN)/civicspace --db $(DEMO_DB) report --country KZ --from 2022-06-01 --to 2022-08-31 --format html --out var/reports/kz-2022-06-08-public.html
	$(BIN)/civicspace --db $(DEMO_DB) report --country KZ --from 2022-06-01 --to 2022-08-31 --format pdf --out var/reports/kz-2022-06-08-public.pdf
	@echo "Serving the demo at http://$(HOST):$(PORT)/ (Ctrl-C stops it). Demo logins:"
	CIVICSPACE_TODAY=2022-09-01 $(BIN)/civicspace --db $(DEMO_DB) serve --demo-users --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy src/civicspace

test: install lint typecheck
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/store.py

clean:
	rm -rf $(VENV) var build *.egg-info
