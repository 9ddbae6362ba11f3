# NeuroSync Lip Sync - the two entry points are `make demo` and `make test`.
# Both create or refresh .venv/ (Python 3.11) from pyproject.toml before they run.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint bench extension clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python demo/run_demo.py $(if $(MODEL),--model $(MODEL))

test: $(STAMP)
	$(BIN)/python -m pytest tests

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

extension: $(STAMP)
	$(BIN)/python tools/build_extension.py

clean:
	rm -rf $(VENV) dist build *.egg-info demo/out
