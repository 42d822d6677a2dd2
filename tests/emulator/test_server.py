"""`seedance.emulator.start()` and the pytest plugin's fixtures."""

from __future__ import annotations

import httpx
import pytest

import plain_http
from seedance.catalog import KEY_HEADER
from seedance.emulator import EmulatorHandle, EmulatorOptions, RunningEmulator, start

from .conftest import SMALL, T2V


def test_start_serves_on_a_free_loopback_port_until_stopped(tmp_path: object) -> None:
    """`start()` returns a running server on 127.0.0.1 (no key configured: any key works); stop() ends it."""
    with start(EmulatorOptions(job_seconds=0.05)) as running:
        assert running.base_url.startswith("http://127.0.0.1:")
        assert running.handle is running
        answer = plain_http.post(running.url(T2V), json=SMALL, headers={KEY_HEADER: running.api_key})
        assert answer.status_code == 202
        url = running.base_url
    with pytest.raises(httpx.ConnectError):
        plain_http.get(url + "/_emulator/config")
    running.stop()  # stopping twice is harmless


def test_fixture_starts_each_test_clean(
    emulator: EmulatorHandle, seedance_emulator_options: EmulatorOptions
) -> None:
    """The `emulator` fixture resets the session server: no requests, no jobs, start options, no faults."""
    assert emulator.requests == []
    assert emulator.jobs == []
    assert emulator.options == seedance_emulator_options
    assert emulator.options.faults == []
    assert emulator.api_key.startswith("test-key-")
    assert emulator.options.job_seconds == 0.3


def test_fixture_requires_its_key(
    emulator: EmulatorHandle, seedance_emulator_server: RunningEmulator
) -> None:
    """The session key is required; the fixture's handle is the session server's."""
    assert emulator is seedance_emulator_server
    assert (
        plain_http.post(emulator.url(T2V), json=SMALL, headers={KEY_HEADER: "test-key-wrong"}).status_code
        == 401
    )
    assert plain_http.post(emulator.url(T2V), json=SMALL, headers=emulator.headers).status_code == 202
