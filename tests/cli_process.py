"""The one way tests run a command as a real subprocess (the CLI, or a shell line) and read what it printed.

Standard input is closed unless the test hands the command some (`input=`): a command that would wait for a
terminal must fail, not hang the suite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

SEEDANCE = [sys.executable, "-m", "seedance"]
"""The installed CLI, run from this interpreter (the console script's own module)."""


def run_command(
    args: list[str],
    env: dict[str, str],
    *,
    cwd: Path | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run `args` to the end (or `timeout`), capturing stdout and stderr as text; never raises on exit codes."""
    return subprocess.run(
        args,
        env=env,
        cwd=cwd,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_seedance(args: list[str], env: dict[str, str], **options: Any) -> subprocess.CompletedProcess[str]:
    """Run `seedance ARGS` as a real subprocess (options as for run_command)."""
    return run_command([*SEEDANCE, *args], env, **options)
