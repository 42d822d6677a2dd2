# Two commands for a fresh machine: `make demo` (a real video through the local emulator) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[emulator,mcp,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/seedance generate "A cat walking on the beach" --emulator -o cat.mp4 --overwrite

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict src/seedance
	$(BIN)/mypy --strict tests/typing  # the public API as callers use it (never run, only checked)

unit: $(STAMP)
	$(BIN)/pytest -q -n auto  # one worker per core: the suite is mostly real subprocesses and HTTP waits

test: lint typecheck unit

clean:
	rm -rf $(VENV) cat.mp4
