# xxgeo — two commands on a fresh machine:  make run   (app)   and   make test   (whole test suite)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= geodata/build/xxgeo.gpkg

.PHONY: run test install install-dev store lint clean

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
	$(BIN)/streamlit run app.py --server.address 127.0.0.1

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q tests

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

clean:
	rm -rf geodata/build
