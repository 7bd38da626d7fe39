# xxgeo — two commands on a fresh machine:  make run   (app)   and   make test   (whole test suite)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= geodata/build/xxgeo.gpkg

.PHONY: run test test-fast install install-dev store lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(STORE): | $(VENV)/.installed
	$(BIN)/python -m xxgeo build --store $(STORE)

store: $(STORE)

run: $(VENV)/.installed $(STORE)
	$(BIN)/streamlit run app.py

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q tests

# the quick subset: no Chromium, no PostgreSQL server, nothing over ~10 s
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -m "not browser and not postgis and not slow" tests

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo

clean:
	rm -rf geodata/build
