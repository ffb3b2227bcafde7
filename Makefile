# SalesSync: `make up` runs the whole system with demo data, `make test` runs every test tier.
# Everything is installed into .venv from requirements.lock (hash-checked); nothing is needed beforehand
# but Python 3.11.

PYTHON ?= python3
# The interpreter of .venv: the system's packaged Python 3.11 when there is one, else $(PYTHON). Distributions build
# it with profile-guided optimisation and LTO; a Python built from source without `--enable-optimizations` (pyenv's
# default, first on PATH here) took 12-25% more CPU per order in every service, 0.5-1.1 ms in all
# (bench/results/2026-11-26-order-pipeline.md). Any Python 3.11 works: `make install VENV_PYTHON=...`; an existing
# .venv keeps its interpreter until `make clean`.
VENV_PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) $(PYTHON))
UV_VERSION := 0.9.7
VENV := .venv
BIN := $(VENV)/bin
UV := .uv/bin/uv
PACKAGES := shared services/identity services/gateway services/catalog services/orders services/field services/notifier
STAMP := $(VENV)/.installed

.PHONY: install up status seed reset test test-unit test-integration test-e2e e2e lint format bench lock clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

$(STAMP): requirements.lock $(UV) $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(UV) venv --quiet --python $(VENV_PYTHON) $(VENV)
	VIRTUAL_ENV=$(VENV) $(UV) pip sync --quiet --require-hashes requirements.lock
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --no-deps --no-build-isolation $(foreach p,$(PACKAGES),-e $(p))
	touch $(STAMP)

install: $(STAMP)

up: install
	$(BIN)/salessync up

status: install
	$(BIN)/salessync status

seed: install
	$(BIN)/salessync seed

reset: install
	$(BIN)/salessync reset

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider shared services bench/tests tests/e2e

test-unit: install
	$(BIN)/python -m pytest -q shared/tests/unit services/*/tests/unit bench/tests

test-integration: install
	$(BIN)/python -m pytest -q shared/tests/integration services/*/tests/integration

test-e2e: install
	$(BIN)/python -m pytest -q tests/e2e

e2e: test-e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared/src/salessync $(wildcard services/*/src/*/domain)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# wrk (Debian's package) is the load generator TARGETS.md measured the reference with; without it the bench
# falls back to its Python generator and says so in every row.
bench: install
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		{ apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }; } || \
		echo "bench: wrk is not installed; the Python load generator makes every row"
	$(BIN)/python -m bench.run

lock: $(UV)
	$(UV) pip compile requirements.in --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) .uv
