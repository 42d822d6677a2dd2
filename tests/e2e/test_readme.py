"""The README's Python examples run as written: the library example against the emulator (through the
environment a user would set), the pytest example through the installed pytest plugin."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from cli_process import run_command

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    """Every ```python block of the README, in order."""
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_command(args, env, cwd=cwd, timeout=180)


def test_the_library_example_runs_as_written(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """Sync generate, submit/status/wait/download and the async client: three videos, three submits."""
    emulator.configure(fps=4, job_seconds=0.3)
    (example,) = [block for block in python_blocks() if "seedance.Client()" in block]
    (tmp_path / "example.py").write_text(example, encoding="utf-8")
    done = run([sys.executable, "example.py"], gateway_env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for name in ("cat.mp4", "fox.mp4", "cat-async.mp4"):
        assert (tmp_path / name).read_bytes()[4:8] == b"ftyp", name
    assert len(emulator.submits) == 3


def test_the_pytest_example_passes_as_written(gateway_env: dict[str, str], tmp_path: Path) -> None:
    """Copied into a test file of its own and run by pytest in a subprocess: it passes."""
    (example,) = [block for block in python_blocks() if "def test_" in block]
    (tmp_path / "test_example.py").write_text(example, encoding="utf-8")
    done = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
        gateway_env,
        tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


OFFLINE_AS_IS = {
    "seedance models",
    "seedance jobs",
    "seedance spend --by day",
    "seedance gallery",
    "seedance resume",
}
"""README commands that need neither a key nor a job id (besides every one with --emulator or --dry-run)."""


def offline_commands() -> list[str]:
    """The README's shell lines a fresh machine can run as written, offline, in the order the README gives."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    commands = []
    for block in blocks:
        for line in block.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()  # the comment, not a '#' inside quotes
            blocking = command.startswith(("seedance mcp", "seedance emulator")) or "--serve" in command
            if command.startswith("printf ") or (
                command.startswith("seedance ")
                and not blocking
                and ("--emulator" in command or "--dry-run" in command or command in OFFLINE_AS_IS)
            ):
                commands.append(command)
    return commands


def test_the_readmes_offline_commands_run_as_written(cli_env: dict[str, str], tmp_path: Path) -> None:
    """Every README command that needs no key, no job id and no network runs as written and exits 0:
    generating, batching and the gallery through the emulator, dry runs, the journal views."""
    commands = offline_commands()
    assert len(commands) >= 11, commands  # the README lost commands this test should run: look at the filter
    env = {**cli_env, "PATH": f"{Path(sys.executable).parent}:{cli_env.get('PATH', '')}"}
    env.pop("PIXAZO_API_KEY", None)
    for command in commands:
        done = run(["bash", "-c", command], env, tmp_path)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        assert "Traceback" not in done.stderr, command
    assert (tmp_path / "cat.mp4").read_bytes()[4:8] == b"ftyp"
    assert len(list((tmp_path / "videos").glob("*.mp4"))) == 2
    assert "fox.mp4" in (tmp_path / "gallery.html").read_text(encoding="utf-8")
