"""Test isolation: every test gets its own HOME, SEEDANCE_HOME and no inherited key or gateway settings.

The emulator fixtures (`emulator`, ...) come from the `seedance.testing` pytest plugin, the same one users get.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from postgres import journal_location, postgres_server, postgres_url, stop_session_server  # noqa: F401 - fixtures

if TYPE_CHECKING:
    from cli_forkserver import ForkServer
    from seedance.emulator import EmulatorOptions

ENV_VARS = (
    "PIXAZO_API_KEY",
    "SEEDANCE_BASE_URL",
    "SEEDANCE_HOME",
    "SEEDANCE_POLL_INTERVAL",
    "SEEDANCE_EMULATOR",
    "SEEDANCE_JOURNAL",
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME and SEEDANCE_HOME per test; no key, gateway or poll settings from the outer shell."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / "seedance-home"))
    monkeypatch.chdir(tmp_path)
    return home


def pytest_configure(config: pytest.Config) -> None:
    """A suite started where Ctrl-C is ignored (a background job of a script, `nohup`) would hand that to
    every child, and the Ctrl-C tests would see their signal ignored: Python's own handler is put back (in
    the controller and in each xdist worker, before any child starts)."""
    import signal

    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (not an xdist worker) stops the PostgreSQL server its workers shared, if one started."""
    if not hasattr(session.config, "workerinput"):
        factory = session.config._tmp_path_factory  # type: ignore[attr-defined]
        stop_session_server(factory.getbasetemp())


@pytest.fixture(autouse=True)
def fresh_secret_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys registered for redaction by one test (hypothesis draws any text) must not redact the next test's."""
    from seedance import errors

    monkeypatch.setattr(errors, "_secrets", set())


@pytest.fixture(scope="session")
def flag_emulator_videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One video cache for the whole session, shared by its xdist workers, the session's emulator and every
    `--emulator` command (each distinct video is encoded once; the cache writes a file whole, by rename)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if "PYTEST_XDIST_WORKER" in os.environ else base) / "emulator-videos"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def seedance_emulator_options(flag_emulator_videos: Path) -> EmulatorOptions:
    """The plugin's options (a random key, 0.3 s jobs), with the session's shared video cache and 4 frames a
    second (still real MP4s, a sixth of the frames to encode; the tests of the videos themselves ask for 24)."""
    from seedance.emulator import EmulatorOptions
    from seedance.testing import TEST_JOB_SECONDS

    return EmulatorOptions(
        api_key=f"test-key-{secrets.token_hex(8)}",
        job_seconds=TEST_JOB_SECONDS,
        cache_dir=flag_emulator_videos,
        fps=4,
    )


@pytest.fixture
def cli_env(isolated_env: Path, flag_emulator_videos: Path) -> dict[str, str]:
    """The environment for a `seedance` subprocess: the isolated one, with a fast fixed poll interval, and
    fast `--emulator` jobs sharing one video cache."""
    env = dict(os.environ)
    env["SEEDANCE_POLL_INTERVAL"] = "0.05"
    env["SEEDANCE_EMULATOR_OPTIONS"] = f"job_seconds=0.3,fps=4,cache_dir={flag_emulator_videos}"
    env.pop("PYTHONWARNINGS", None)
    return env


@pytest.fixture
def seedance_cmd() -> list[str]:
    """The command that runs the CLI in a real subprocess (the installed console script's module)."""
    return [sys.executable, "-m", "seedance"]


@pytest.fixture(scope="session")
def seedance_on_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkServer]:
    """`seedance` for shell scripts (`.path(env)`): each a real process, forked from one that imported the
    CLI once (tests/cli_forkserver.py), so a docs' block of 19 commands does not start Python 19 times."""
    from cli_forkserver import ForkServer

    server = ForkServer(
        tmp_path_factory.mktemp("cli"), {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    )
    yield server
    server.close()


@pytest.fixture(autouse=True)
def signals_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test (a CLI run in-process) leaves Ctrl-C's handler and the blocked signals as it found them: the
    next test's subprocesses inherit them, and a Ctrl-C test then fails far from its cause."""
    import signal

    def state() -> tuple[object, list[int]]:
        return signal.getsignal(signal.SIGINT), sorted(signal.pthread_sigmask(signal.SIG_BLOCK, []))

    before = state()
    yield
    assert state() == before, f"{request.node.nodeid} changed SIGINT's handling"
