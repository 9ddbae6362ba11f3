# NeuroSync Lip Sync - the two entry points are `make demo` and `make test`.
# Both create or refresh .venv/ (Python 3.11) from pyproject.toml before they run.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-bpy42 lint bench extension clean

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

# The keying path on Blender 4.2 LTS (legacy actions): bpy 4.2 in a venv of its own.
VENV42 := .venv-bpy42
test-bpy42:
	@test -x $(VENV42)/bin/python || $(PYTHON) -m venv $(VENV42)
	$(VENV42)/bin/python -m pip install --quiet "bpy==4.2.23" "numpy<2" "pytest>=8"
	$(VENV42)/bin/python -m pip install --quiet --no-deps -e .
	$(VENV42)/bin/python -m pytest tests/blender/test_keying.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

extension: $(STAMP)
	$(BIN)/python tools/build_extension.py

clean:
	rm -rf $(VENV) $(VENV42) dist build *.egg-info demo/out
