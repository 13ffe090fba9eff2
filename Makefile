# Two commands do everything: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DATA_DIR := $(or $(HEARTH_DATA_DIR),var)

.PHONY: run test install clean bench

$(BIN)/hearth: pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(BIN)/python ]; then echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV) || exit 1; fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(BIN)/hearth

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

test: install
	scripts/test-all

# Benchmarks (docs/benchmarks.md): PostgreSQL by default, `make bench DB=sqlite` for SQLite.
# `make bench SCALE=large` measures on the cached million-post data set (bench/large_dataset.py).
DB ?= postgres
SCALE ?= small
bench: install
	$(BIN)/python -m bench.run --database $(DB) --scale $(SCALE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build src/*.egg-info
