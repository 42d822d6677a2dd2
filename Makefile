# Two commands for a fresh machine: `make demo` (a real video through the local emulator) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit install clean docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[emulator,mcp,postgres,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/seedance generate "A cat walking on the beach" --emulator -o cat.mp4 --overwrite
	@echo
	@echo "cat.mp4 is ready. seedance is installed in $(VENV); run it next as:"
	@echo "  $(BIN)/seedance --help"
	@echo "or activate the environment once per shell (source $(BIN)/activate) and type: seedance --help"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)  # tests/typing: the public API as callers use it (never run, only checked)
	$(BIN)/mypy --strict src/seedance tests/typing

# Three pytest workers per core: much of a test's time is spent waiting on the emulator (jobs, polls, a held
# request) or on a subprocess, not computing, and the extra workers fill those waits. Measured on 2 cores,
# quiet machine, 2026-12-06 (the same suite, runs interleaved): 4 workers 113-125 s, 6 workers 98-116 s,
# 8 workers 117-133 s (more CPU spent collecting and contending).
WORKERS ?= $(shell $(PYTHON) -c 'import os; print(3 * (os.cpu_count() or 1))')

# Bytecode is written even where the environment says PYTHONDONTWRITEBYTECODE: otherwise every worker and every
# `seedance` subprocess compiles the sources again (collection took 4.8 s of CPU per worker, 2.2 s with it).
# Temporary files (each test's folder, its journal, the emulator's videos) go to RAM where /dev/shm is
# writable with 1 GB free (a container's default 64 MB is too small): SQLite's fsyncs take ms each on a disk,
# and a test's journal syncs on every job.
TEST_TMPDIR ?= $(shell [ -w /dev/shm ] && [ "$$(df -Pk /dev/shm | awk 'NR==2 {print $$4}')" -gt 1048576 ] && echo /dev/shm)

unit: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) $(BIN)/pytest -q -n $(WORKERS)

# The type check runs beside the tests (its one line of result lands among pytest's dots): from a clean clone
# mypy takes about 11 s of one core, and the test workers leave part of the cores idle while they wait on the
# emulator. Lint first: it takes a second and stops the commonest slip before anything long starts.
test: lint
	@$(MAKE) --no-print-directory -j2 typecheck unit

docs: $(STAMP)  # the CLI reference in docs/cli.md, from each command's --help
	$(BIN)/python scripts/cli_reference.py

clean:
	rm -rf $(VENV) cat.mp4
