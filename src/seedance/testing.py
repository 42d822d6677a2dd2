"""Pytest plugin: test your Seedance client code against a local emulated Pixazo gateway.

Installed with the package (entry point `pytest11: seedance`); nothing is imported or started until a test
asks for a fixture:

- `emulator` (function scope): the handle of a session-wide emulator, reset before each test. It has
  `base_url`, `api_key`, `headers`, `configure(**options)`, `add_fault(kind, **params)`, `requests`, `submits`,
  `jobs`, `job(id)`, `wait_for_job(id)`, `webhook_url`, `webhooks`, `reset()`.
- `seedance_emulator_server` (session scope): the running emulator behind it.
- `seedance_emulator_options` (session scope): the options it starts with; override this fixture in your
  `conftest.py` to change them (jobs take 0.3 s by default and a fresh random key is required).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from seedance.emulator import EmulatorHandle, EmulatorOptions, RunningEmulator

TEST_JOB_SECONDS = 0.3
"""The default job time under test: long enough to see QUEUED and PROCESSING, short enough not to wait."""


@pytest.fixture(scope="session")
def seedance_emulator_options() -> EmulatorOptions:
    """The options of the session's emulator: a random required key and fast jobs."""
    from seedance.emulator import EmulatorOptions

    return EmulatorOptions(api_key=f"test-key-{secrets.token_hex(8)}", job_seconds=TEST_JOB_SECONDS)


@pytest.fixture(scope="session")
def seedance_emulator_server(seedance_emulator_options: EmulatorOptions) -> Iterator[RunningEmulator]:
    """One emulator for the whole session, on a free 127.0.0.1 port, stopped at the end."""
    from seedance.emulator import start

    with start(seedance_emulator_options) as running:
        yield running


@pytest.fixture
def emulator(seedance_emulator_server: RunningEmulator) -> Iterator[EmulatorHandle]:
    """The session's emulator, reset (jobs, request log, options and faults) before the test."""
    seedance_emulator_server.reset()
    yield seedance_emulator_server.handle
