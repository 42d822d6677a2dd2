"""A fresh clone: `make demo` makes a video and ends by saying how to run seedance; that command works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_process import run_command

ROOT = Path(__file__).resolve().parents[2]


def tracked_files() -> list[str]:
    """The repository's files as a clone has them (the working copy's content)."""
    done = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("not a git checkout: no clone to make")
    return [name for name in done.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


def test_make_demo_then_the_command_it_names_works(cli_env: dict[str, str], tmp_path: Path) -> None:
    """In a copy of the repository whose .venv is this one (already installed: make does not reinstall),
    `make demo` saves cat.mp4 and prints the command to run next; the README names the same command, and
    run as printed, from the clone, it works."""
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    clone = tmp_path / "clone"
    for name in tracked_files():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, clone / name)
    (clone / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    stamp = tmp_path / "installed"  # newer than pyproject.toml: make finds the install done
    stamp.touch()
    os.utime(clone / "pyproject.toml", (0, 0))
    env = {k: v for k, v in cli_env.items() if k not in ("PIXAZO_API_KEY", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # a fresh shell: seedance is not on the PATH
    demo = run_command(["make", "demo", f"STAMP={stamp}"], env, cwd=clone, timeout=300)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert (clone / "cat.mp4").read_bytes()[4:8] == b"ftyp"
    told = re.search(r"run it next as:\n\s+(\S.*)\n", demo.stdout)
    assert told, demo.stdout
    command = told.group(1).strip()
    assert f"`{command}`" in (ROOT / "README.md").read_text(encoding="utf-8")
    done = run_command(["bash", "-c", command], env, cwd=clone)
    assert done.returncode == 0, done.stderr
    assert "Usage: seedance" in done.stdout
