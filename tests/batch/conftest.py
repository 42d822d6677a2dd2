"""Fixtures for batch tests: batch files on disk and the CLI against the emulator (in this process, as a
subprocess would see it; tests of signals and terminals start their own process)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cli_inprocess import run_seedance_here


@dataclass
class Run:
    """A finished CLI subprocess."""

    code: int
    stdout: str
    stderr: str

    def json_lines(self) -> list[dict[str, Any]]:
        """Every JSON line printed on stdout."""
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


@pytest.fixture
def gateway_env(emulator: Any, cli_env: dict[str, str]) -> dict[str, str]:
    """A subprocess environment pointed at the emulator, with its key."""
    return {**cli_env, "SEEDANCE_BASE_URL": emulator.base_url, "PIXAZO_API_KEY": emulator.api_key}


@pytest.fixture
def seedance(gateway_env: dict[str, str]) -> Callable[..., Run]:
    """Run `seedance ARGS...` against the emulator (in this process, as a subprocess would see it)."""

    def run(*args: str, timeout: float = 120) -> Run:
        done = run_seedance_here(list(args), gateway_env)
        return Run(done.returncode, done.stdout, done.stderr)

    return run


def write_jsonl(path: Path, rows: list[dict[str, Any] | str]) -> Path:
    """Write a JSONL batch file (strings are written as they are, to make bad lines)."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def prompts(n: int, **fields: Any) -> list[dict[str, Any]]:
    """N small, cheap jobs with distinct prompts (480p, 4 s)."""
    base = {"duration": 4, "resolution": "480p", **fields}
    return [{"prompt": f"job {i:03d} a cat walking", **base} for i in range(1, n + 1)]


def read_manifest(folder: Path) -> list[dict[str, Any]]:
    """The rows of a batch's manifest.jsonl."""
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()]


def submits_per_prompt(emulator: Any) -> dict[str, int]:
    """How many jobs the emulator created for each prompt."""
    counts: dict[str, int] = {}
    for record in emulator.submits:
        text = record.json["content"][0]["text"]
        counts[text] = counts.get(text, 0) + 1
    return counts


@pytest.fixture
def dry_run(cli_env: dict[str, str]) -> Callable[..., Run]:
    """Run `seedance batch FILE --dry-run --json [ARGS...]` (in this process), without a key or gateway."""

    def run(path: Path, *args: str) -> Run:
        done = run_seedance_here(["batch", str(path), "--dry-run", "--json", *args], cli_env)
        result = Run(done.returncode, done.stdout, done.stderr)
        assert "Traceback" not in result.stderr + result.stdout, result.stderr
        return result

    return run
