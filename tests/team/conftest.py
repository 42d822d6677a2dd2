"""Fixtures for the team tests: a gateway that the client treats as paid (the session's emulator reached by
its URL and key, not `--emulator`), and racing processes that share one journal."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from waiting import wait_for

RACER = Path(__file__).with_name("racer.py")


@pytest.fixture
def gateway_env(emulator: Any, cli_env: dict[str, str]) -> dict[str, str]:
    """A subprocess environment pointed at the emulator, with its key: a paid gateway as far as the client
    knows (repeats are refused, the budget counts its jobs)."""
    return {**cli_env, "SEEDANCE_BASE_URL": emulator.base_url, "PIXAZO_API_KEY": emulator.api_key}


Start = Callable[[list[list[str]], str], list[subprocess.CompletedProcess[str]]]


@pytest.fixture
def race(gateway_env: dict[str, str], tmp_path: Path) -> Iterator[Start]:
    """Run racers (`racer.py` argument lists) at the same instant, each with its own user folder and working
    folder, all on the journal at `location`; return each one's outcome, in order."""
    started: list[subprocess.Popen[str]] = []

    def start(racers: list[list[str]], location: str) -> list[subprocess.CompletedProcess[str]]:
        go = tmp_path / "go"
        ready = []
        for number, args in enumerate(racers):
            home, work = tmp_path / f"home-{number}", tmp_path / f"work-{number}"
            work.mkdir()
            env = {**gateway_env, "SEEDANCE_HOME": str(home), "SEEDANCE_JOURNAL": location}
            ready.append(tmp_path / f"ready-{number}")
            started.append(
                subprocess.Popen(
                    [sys.executable, str(RACER), str(ready[-1]), str(go), *args],
                    env=env,
                    cwd=work,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        wait_for(lambda: all(path.exists() for path in ready), timeout=60)
        go.touch()
        done = []
        for process in started:
            out, err = process.communicate(timeout=120)
            done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
        return done

    yield start
    for process in started:  # a test that failed half-way leaves no racer behind
        if process.poll() is None:
            process.kill()
            process.wait()
