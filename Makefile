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

typecheck: $(STAMP)
	$(BIN)/mypy --strict src/seedance
	$(BIN)/mypy --strict tests/typing  # the public API as callers use it (never run, only checked)

# Two pytest workers per core: most of a test's time is spent waiting on the emulator (jobs, polls, a held
# request), not computing, so a second worker per core fills the waits (2 cores: about 2m15 rather than 3m30).
# Measured again at load 4-5 from other work: 4 workers 111-115 s, 6 workers 115-117 s (more CPU to collect).
WORKERS ?= $(shell $(PYTHON) -c 'import os; print(2 * (os.cpu_count() or 1))')

# Bytecode is written even where the environment says PYTHONDONTWRITEBYTECODE: otherwise every worker and every
# `seedance` subprocess compiles the sources again (collection took 4.8 s of CPU per worker, 2.2 s with it).
# Temporary files (each test's folder, its journal, the emulator's videos) go to RAM where /dev/shm is
# writable with 1 GB free (a container's default 64 MB is too small): SQLite's fsyncs take ms each on a disk,
# and a test's journal syncs on every job.
TEST_TMPDIR ?= $(shell [ -w /dev/shm ] && [ "$$(df -Pk /dev/shm | awk 'NR==2 {print $$4}')" -gt 1048576 ] && echo /dev/shm)

unit: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) $(BIN)/pytest -q -n $(WORKERS)

test: lint typecheck unit

docs: $(STAMP)  # the CLI reference in docs/cli.md, from each command's --help
	$(BIN)/python scripts/cli_reference.py

clean:
	rm -rf $(VENV) cat.mp4
