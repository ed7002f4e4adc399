# The two commands a newcomer needs: `make run` and `make test`. Everything else is for developers.
# `make run` installs the runtime dependencies only; `make test` (and lint, bench) add the dev extras.
# Each has its own marker in the venv, so `make run` on a fresh clone never pulls pytest, ruff or mypy.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
# `make run` puts the embedded sandbox on a known port, so `make trades` can reach it.
SANDBOX_PORT ?= 8001

.PHONY: install install-runtime run trades test lint bench vendor-graphiql clean

install: $(DEV)

install-runtime: $(RUNTIME)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(RUNTIME)

run: $(RUNTIME)
	GATEWAY_SANDBOX_PORT=$${GATEWAY_SANDBOX_PORT:-$(SANDBOX_PORT)} $(VENV)/bin/gateway serve

trades: $(RUNTIME)
	$(VENV)/bin/gateway sandbox-trade --sandbox http://127.0.0.1:$(SANDBOX_PORT)

test: $(DEV)
	@if command -v npm >/dev/null 2>&1; then cd tests/node && npm ci --no-audit --no-fund --silent; fi
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(DEV)
	$(VENV)/bin/ruff check gateway sandbox tests bench
	$(VENV)/bin/mypy

bench: $(DEV)
	$(PY) -m bench

vendor-graphiql:
	tools/vendor-graphiql

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
