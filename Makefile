# xxgeo — two commands on a fresh machine:  make run   (app)   and   make test   (whole test suite)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= geodata/build/xxgeo.gpkg
# where the app listens: this machine only by default (single-user mode has no sign-in); for a shared office
# server: make run ADDRESS=0.0.0.0 PORT=8501 SERVER_NAME=192.168.1.20 (the name or IP colleagues type; see README)
PORT ?= 8501
ADDRESS ?= 127.0.0.1
SERVER_NAME ?=

.PHONY: run test test-fast install install-dev store lint clean

$(BIN)/python:
	@echo "==> 1/3 建虚拟环境 $(VENV) / creating the virtual environment $(VENV)"
	$(PY) -m venv $(VENV)

# pip prints each package as it goes (no -q): the first install takes a few minutes and should be seen to move
$(VENV)/.installed: requirements.txt | $(BIN)/python
	@echo "==> 2/3 安装依赖（首次约需数分钟）/ installing the requirements (a few minutes the first time)"
	$(BIN)/pip install --progress-bar on -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	@echo "==> 安装测试依赖 / installing the test requirements"
	$(BIN)/pip install --progress-bar on -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(STORE): | $(VENV)/.installed
	@echo "==> 3/3 构建默认数据库 $(STORE) / building the default store $(STORE)"
	$(BIN)/python -m xxgeo build --store $(STORE)

store: $(STORE)

run: $(VENV)/.installed $(STORE)
	@echo "==> 启动应用 / starting the app: http://$(or $(SERVER_NAME),$(ADDRESS)):$(PORT)  (Ctrl+C 停止 / to stop)"
	$(BIN)/python -m streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS) \
		$(if $(SERVER_NAME),--browser.serverAddress $(SERVER_NAME))

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
