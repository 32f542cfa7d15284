# Set-up and entry points. `make repro` and `make test` work on a fresh clone.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install model chromium repro test lint bench schema-doc clean

install: $(STAMP)

# torch first, pinned to the CPU build; then the fully pinned lock file.
$(STAMP): requirements.lock requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip check
	touch $@

# Our Arabic NER model (the DVC stage train_ner_ar, runnable without DVC for the tests).
MODEL := models/ner-ar/meta.json
model: $(MODEL)
$(MODEL): $(STAMP) $(wildcard data/train/ar/*.txt) pipeline/ner/train.py
	$(PY) -m pipeline train_ner_ar

repro: install
	dvc repro
	dvc metrics show

# Headless Chromium for the report's browser test: Debian's package, installed only when missing (CI runs as root).
CHROMIUM := /usr/bin/chromium
chromium: $(CHROMIUM)
$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

test: install model chromium
	$(PY) -m ruff check pipeline tests benchmarks
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check pipeline tests benchmarks

schema-doc: install
	$(PY) -m pipeline schema-doc

# Benchmarks (never part of `make test`): reports/benchmarks.json; sizes of the synthetic corpus.
BENCH_SIZES ?= 1000 10000
bench: install model
	$(PY) -m benchmarks.stages
	$(PY) -m benchmarks.run --sizes $(BENCH_SIZES)

clean:
	rm -rf data/processed reports/metrics.json reports/misses.json reports/index.html reports/plots
