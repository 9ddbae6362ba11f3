# NeuroSync Lip Sync - the two entry points are `make demo` and `make test`.
# Both create or refresh .venv/ (Python 3.11) from pyproject.toml before they run.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-matrix test-bpy42 test-bpy45 test-bpy53 lint bench extension clean

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

# The Blender tests on the Blenders users run, each in a venv of its own with that Blender's
# Python and numpy and no torch or librosa (the runtime must not need them):
#   4.5 LTS: Python 3.11 + numpy 1.x;  5.3 (like 5.1 and 5.2 LTS): Python 3.13 + numpy 2.x;
#   4.2 LTS: only the keying tests (its bpy wheel has no audaspace, so no sound strips).
# The installed-zip test runs where dist/ holds a linux-x64 zip (make extension, or CI).
PY313  ?= $(shell pyenv root 2>/dev/null)/versions/3.13.0/bin/python3.13
# The Blender tests that differ between versions (bake, keying, layering, takes, export, modal,
# timing, the headless CLI, the installed zip) and all of core on that Python and numpy; the
# bad-input tables and save-fault tests run once, in `make test` (bpy 5.0).
MATRIX_TESTS := tests/core $(addprefix tests/blender/test_,registration.py bake.py keying.py \
	modal.py installed_zip.py blender_versions.py timing_presets.py layering.py takes.py \
	export.py bone_takes.py cli.py cli_csv_gltf.py cli_face_motion.py)
test-matrix: test-bpy45 test-bpy53 test-bpy42

define matrix_venv
	@test -x $(1)/bin/python || $(2) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --upgrade pip
	$(1)/bin/python -m pip install --quiet $(3) "pytest>=8"
	$(1)/bin/python -m pip install --quiet -e .
endef

test-bpy45:
	$(call matrix_venv,.venv-bpy45,$(PYTHON),"bpy==4.5.15" "numpy<2")
	.venv-bpy45/bin/python -m pytest $(MATRIX_TESTS)

test-bpy53:
	$(call matrix_venv,.venv-bpy53,$(PY313),"bpy==5.3.0" "numpy>=2.2")
	.venv-bpy53/bin/python -m pytest $(MATRIX_TESTS)

test-bpy42:
	$(call matrix_venv,.venv-bpy42,$(PYTHON),"bpy==4.2.23" "numpy<2")
	.venv-bpy42/bin/python -m pytest tests/blender/test_keying.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

extension: $(STAMP)
	$(BIN)/python tools/build_extension.py

clean:
	rm -rf $(VENV) .venv-bpy42 .venv-bpy45 .venv-bpy53 dist build *.egg-info demo/out
