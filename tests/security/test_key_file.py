"""The key file through the real CLI (the rules themselves are unit-tested in tests/unit/test_auth.py): saved 600
in a 700 folder whatever the umask or the folder's old mode, a loose file warned about in one line, a symlinked
file refused before anything is sent."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from faults.harness import Run


def without_key(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != "PIXAZO_API_KEY"}


def test_auth_login_saves_600_in_700_even_with_umask_0_and_an_open_folder(
    cli_env: dict[str, str], isolated_env: Path, secret_key: str
) -> None:
    """`auth login --key-stdin` under umask 000, into an existing 755 ~/.pixazo: file 600, folder 700."""
    folder = isolated_env / ".pixazo"
    folder.mkdir(mode=0o755)
    old = os.umask(0)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "seedance", "auth", "login", "--key-stdin"],
            input=secret_key + "\n",
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((folder / "api-key").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / "api-key").read_text() == secret_key + "\n"
    assert secret_key not in done.stdout + done.stderr


def test_a_key_file_others_can_read_is_used_with_a_one_line_warning(
    seedance: Callable[..., Run], cli_env: dict[str, str], isolated_env: Path, secret_key: str
) -> None:
    """A 644 key file still works; stderr says how to fix it, without a traceback or the key."""
    path = isolated_env / ".pixazo" / "api-key"
    path.parent.mkdir(mode=0o700)
    path.write_text(secret_key + "\n")
    path.chmod(0o644)
    run = seedance("auth", "status", "--json", env=without_key(cli_env))
    assert run.code == 0, run.stderr
    assert run.json()["source"] == "file"
    assert run.stderr.splitlines() == [f"warning: {path} can be read by other users; run: chmod 600 {path}"]
    assert "Traceback" not in run.stderr
    assert secret_key not in run.stdout + run.stderr


def test_a_symlinked_key_file_is_refused_before_anything_is_sent(
    emulator: Any,
    seedance: Callable[..., Run],
    gateway_env: dict[str, str],
    isolated_env: Path,
    tmp_path: Path,
) -> None:
    """~/.pixazo/api-key pointing elsewhere: exit 2 naming the link, no request reaches the gateway, and the
    linked file's content is never shown."""
    elsewhere = tmp_path / "someone-elses-key"
    elsewhere.write_text(emulator.api_key + "\n")
    link = isolated_env / ".pixazo" / "api-key"
    link.parent.mkdir(mode=0o700)
    link.symlink_to(elsewhere)
    run = seedance("generate", "A cat", "--json", env=without_key(gateway_env))
    assert run.code == 2, run.stderr
    assert "symbolic link" in run.json()["error"]["message"]
    assert emulator.requests == []
    assert emulator.api_key not in run.stdout + run.stderr
