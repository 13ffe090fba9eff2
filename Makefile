# Two commands do everything: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DATA_DIR := $(or $(HEARTH_DATA_DIR),var)

# Running needs Hearth and its dependencies only; tests and benchmarks add the
# development tools (pytest, Playwright, ruff, mypy, ...: pyproject.toml's `dev` extra),
# hundreds of MB that `make run` never downloads. Each stamp records one install and is
# made again whenever pyproject.toml changes.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test install install-dev clean bench messages

$(BIN)/python:
	@python=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e .
	@touch $@

# The development install includes everything running needs: it counts as both.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[dev]'
	@touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

run: install
	$(BIN)/hearth init --verbosity 0
	@# The demo never stops the server: if it cannot load, say so and serve anyway.
	@if [ ! -f "$(DATA_DIR)/.demo-loaded" ]; then \
	  if $(BIN)/hearth demo; then touch "$(DATA_DIR)/.demo-loaded"; \
	  else echo "!! The demo community could not be loaded (the reason is above); serving without it." >&2; fi; \
	fi
	@# The worker (mail, notifications) runs beside the server and stops with it.
	@$(BIN)/hearth worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/hearth serve --host 127.0.0.1 --port $(PORT)

test: install-dev
	scripts/test-all

# Benchmarks (docs/benchmarks.md): PostgreSQL by default, `make bench DB=sqlite` for SQLite.
# `make bench SCALE=large` measures on the cached million-post data set (bench/large_dataset.py).
DB ?= postgres
SCALE ?= small
bench: install-dev
	$(BIN)/python -m bench.run --database $(DB) --scale $(SCALE) $(BENCH_ARGS)

# Translations (docs/translating.md): bring every message of the source into each catalogue
# in src/hearth/locale (translations kept), then compile them (the .mo files are committed:
# `make run` needs no gettext). Needs GNU gettext. `make messages ADD=pt` starts Portuguese.
messages: install
	$(BIN)/python -m hearth.core.catalogues $(if $(ADD),--add $(ADD))

clean:
	rm -rf $(VENV) build src/*.egg-info
