"""Live progress on a terminal: the elapsed seconds tick while a job runs; plain lines without a terminal."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pexpect

from cli_process import run_seedance

SMALL = ["--duration", "4", "--resolution", "480p"]


def test_an_8_s_job_on_a_terminal_shows_the_seconds_ticking(cli_env: dict[str, str], tmp_path: Path) -> None:
    """On a pseudo-terminal, an 8 s emulator job's line shows at least 7 different elapsed values while it
    runs (the seconds move every second, not only when the status changes), then the download's bytes."""
    env = {k: v for k, v in cli_env.items() if k not in ("COLUMNS", "LINES")}  # the pty's own size
    env["SEEDANCE_EMULATOR_OPTIONS"] = cli_env["SEEDANCE_EMULATOR_OPTIONS"].replace(
        "job_seconds=0.3", "job_seconds=8"
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "seedance", "generate", "A slow cat", *SMALL, "--emulator", "-o", "cat.mp4"],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=90,
        dimensions=(40, 200),
    )
    child.expect(pexpect.EOF)
    child.close()
    seen = child.before or ""
    assert child.exitstatus == 0, seen[-2000:]
    running = re.findall(r"(?:QUEUED|PROCESSING) \((\d+) s\)", seen)
    assert len(set(running)) >= 7, sorted(set(running))
    assert re.search(r"downloading [\d.]+ \w?B of [\d.]+ \w?B \(\d+%\)", seen), seen[-2000:]
    assert (tmp_path / "cat.mp4").read_bytes()[4:8] == b"ftyp"


def test_without_a_terminal_progress_is_plain_lines(cli_env: dict[str, str], tmp_path: Path) -> None:
    """Piped, the status changes are plain lines (no control characters); with --json, stderr says nothing
    about progress."""
    plain = run_seedance(["generate", "A cat", *SMALL, "--emulator", "-o", "a.mp4"], cli_env, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "\x1b" not in plain.stderr
    assert "\r" not in plain.stderr
    assert re.search(r"COMPLETED \(\d+ s\)", plain.stderr), plain.stderr
    quiet = run_seedance(["generate", "A cat", *SMALL, "--emulator", "-o", "b.mp4", "--json"], cli_env,
                         cwd=tmp_path)  # fmt: skip
    assert quiet.returncode == 0, quiet.stderr
    assert "PROCESSING" not in quiet.stderr
    assert "downloading" not in quiet.stderr
