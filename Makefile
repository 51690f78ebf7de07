# Two commands do all the setup: `make plan` and `make test` each create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOPOLOGY ?= topology.yaml

.PHONY: setup plan validate test lint format schema bench lock clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) ## create .venv with the pinned dependencies and the project

validate: $(STAMP) ## validate the topology file
	$(BIN)/dataplane validate $(TOPOLOGY)

plan: validate ## the main job, no credentials needed

test: $(STAMP) ## the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(STAMP) ## rewrite topology.schema.json from the models
	$(BIN)/dataplane schema > topology.schema.json

bench: $(STAMP) ## validate-time benchmark, 10 to 2,000 listeners
	$(BIN)/python benchmarks/validate_bench.py

lock: ## re-resolve requirements.lock from pyproject.toml (needs the registry)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info
