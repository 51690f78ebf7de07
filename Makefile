# Two commands do all the setup: `make plan` and `make test` each create .venv on first use.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOPOLOGY ?= topology.yaml

TOOLS ?= .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed

.PHONY: setup plan validate test test-integration test-integration-core test-integration-tools lint scan format schema bench bench-plan lock clean

$(STAMP): requirements.lock requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	PYTHONWARNINGS="ignore:Editable installation" \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

$(TOOLS_STAMP): requirements-tools.lock
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-tools.lock
	touch $(TOOLS_STAMP)

setup: $(STAMP) ## create .venv with the pinned dependencies and the project

validate: $(STAMP) ## validate the topology file
	$(BIN)/dataplane validate $(TOPOLOGY)

# `dataplane plan` validates first (the same errors and warnings as `make validate`): one process.
plan: $(STAMP) ## the main job, no credentials needed: validate, then every stack's plan
	$(BIN)/dataplane plan $(TOPOLOGY)

test: $(STAMP) ## the whole test suite (unit, property, mock-based component tests)
	$(BIN)/python -m pytest

# The integration tests that need more than the API server and Helm: the Pulumi engine,
# egctl or Traefik (CI runs the rest while those still build).
INTEGRATION_TOOLS := $(addprefix tests/integration/,test_real_engine.py test_air_gapped.py \
	test_policy_pack.py test_gateway_routes.py test_requests_arrive.py test_workspace_engine.py \
	test_cloud_engine.py test_faults_engine.py test_concurrent_stacks.py test_helm_kill_engine.py)

test-integration: test-integration-core test-integration-tools ## build the API server, Helm, the engine, egctl and Traefik (cached), test against them

test-integration-core: $(STAMP) ## the integration tests that need only the API server and Helm
	engine="$$(tools/engine/build.sh core | tail -n 1)"; \
	LANGSMITH_ENGINE_BIN="$$engine" \
	  $(BIN)/python -m pytest -m integration tests/integration $(addprefix --ignore=,$(INTEGRATION_TOOLS))

test-integration-tools: $(STAMP) ## the integration tests of the engine, egctl and Traefik
	engine="$$(tools/engine/build.sh | tail -n 1)"; \
	pulumi_bin="$$(tools/engine/build.sh pulumi | tail -n 1)"; \
	LANGSMITH_ENGINE_BIN="$$engine" LANGSMITH_PULUMI_BIN="$$pulumi_bin" \
	  $(BIN)/python -m pytest -m integration $(INTEGRATION_TOOLS)

lint: $(STAMP) ## ruff lint and format check, and the type checker (mypy, settings in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

scan: $(STAMP) $(TOOLS_STAMP) ## render every stack and scan the manifests with checkov
	$(BIN)/python tools/checkov_scan.py --checkov $(TOOLS)/bin/checkov

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(STAMP) ## rewrite topology.schema.json from the models
	$(BIN)/dataplane schema > topology.schema.json

bench: $(STAMP) ## validate-time benchmark, 10 to 2,000 listeners
	$(BIN)/python benchmarks/validate_bench.py

bench-plan: $(STAMP) ## plan cost per resource beside a bare program's and per type, the call-site capture's cost, then plan time and depth, 10 to 1,000 listeners
	$(BIN)/python benchmarks/plan_ratio.py 50 500
	$(BIN)/python benchmarks/floor_by_type.py
	$(BIN)/python benchmarks/call_site_cost.py
	$(BIN)/python benchmarks/plan_bench.py

lock: ## re-resolve requirements.lock from pyproject.toml (needs the registry)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) $(TOOLS) out .pytest_cache .ruff_cache .hypothesis build *.egg-info
