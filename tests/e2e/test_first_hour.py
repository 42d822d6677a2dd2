"""What a newcomer meets in the first hour: words that match what happened, and hints that lead somewhere."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect

from cli_inprocess import run_seedance_here as run_seedance

from .conftest import Run

SMALL = ["--duration", "4", "--resolution", "480p"]


def offline(cli_env: dict[str, str]) -> dict[str, str]:
    """The environment of a shell with no key and no gateway set."""
    return {k: v for k, v in cli_env.items() if k not in ("PIXAZO_API_KEY", "SEEDANCE_BASE_URL")}


def test_a_misspelt_command_gets_a_suggestion(cli_env: dict[str, str]) -> None:
    """`seedance generte`: exit 2, and the nearest command named."""
    done = run_seedance(["generte", "x"], cli_env)
    assert done.returncode == 2
    assert "Did you mean 'generate'?" in done.stderr


def test_polling_faster_than_once_a_second_is_for_a_gateway_on_this_machine(cli_env: dict[str, str]) -> None:
    """`--poll-interval 0.5` against the real gateway is refused before anything is sent (exit 2, with what to
    give instead); 0 is refused everywhere; on the emulator 0.5 is fine."""
    env = {**offline(cli_env), "PIXAZO_API_KEY": "k"}
    remote = run_seedance(["status", "some-job", "--poll-interval", "0.5"], env)
    assert remote.returncode == 2, remote.stderr
    assert "hint: give 1 or more" in remote.stderr
    zero = run_seedance(["status", "some-job", "--poll-interval", "0", "--emulator"], env)
    assert zero.returncode == 2
    assert "x>0" in zero.stderr


def test_an_emulator_job_asked_of_another_gateway_points_at_emulator(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`status ID` without --emulator for a job of the local emulator: exit 2, and the hint says --emulator
    (never the URL of an emulator that is gone)."""
    env = offline(cli_env)
    sent = run_seedance(["generate", "x", *SMALL, "--emulator", "--no-wait", "--json"], env, cwd=tmp_path)
    request_id = json.loads(sent.stdout)["request_id"]
    asked = run_seedance(["status", request_id, "--json"], {**env, "PIXAZO_API_KEY": "k"})
    assert asked.returncode == 2, asked.stderr
    error = json.loads(asked.stdout)["error"]
    assert "local emulator" in error["message"]
    assert "--emulator" in error["hint"]
    assert "127.0.0.1" not in error["message"] + error["hint"]
    status = run_seedance(["status", request_id, "--emulator", "--json"], env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["emulated"] is True


def test_jobs_piped_prints_whole_values_and_fits_a_terminal(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """A long prompt is whole when `seedance jobs` is piped; on a 60-column terminal no line is wider."""
    prompt = "A very long prompt about a cat " + "walking slowly along the beach " * 4 + "at dusk"
    assert seedance("generate", prompt, *SMALL, "--no-wait").code == 0
    piped = seedance("jobs")
    assert piped.code == 0
    assert prompt in piped.stdout
    terminal = {k: v for k, v in gateway_env.items() if k not in ("COLUMNS", "LINES")}  # the pty's own size
    child = pexpect.spawn(sys.executable, ["-m", "seedance", "jobs"], env=terminal, encoding="utf-8",
                          timeout=60, dimensions=(24, 60))  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before or "")  # colours are not columns
    lines = [line for line in plain.splitlines() if line.strip()]
    assert child.exitstatus == 0, lines
    assert lines
    assert max(len(line) for line in lines) <= 60, lines


def test_spend_says_a_submit_to_an_unreachable_gateway_was_not_sent(cli_env: dict[str, str]) -> None:
    """A gateway that cannot be reached (exit 7): `spend` does not call that submit refused."""
    env = {**offline(cli_env), "PIXAZO_API_KEY": "k", "SEEDANCE_BASE_URL": "http://127.0.0.1:9"}
    failed = run_seedance(["generate", "A cat", *SMALL, "--no-wait"], env)
    assert failed.returncode == 7, failed.stderr
    assert "could not reach the gateway" in failed.stderr
    spend = run_seedance(["spend"], env)
    assert spend.returncode == 0, spend.stderr
    assert "not sent: it could not be reached" in spend.stdout


def test_ctrl_c_while_a_finished_job_downloads_says_download_again(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """The job is done (and paid for) and its video is on its way: the interrupt says so, and how to download
    it again, not that the job may still finish."""
    emulator.configure(job_seconds=0.2, fps=4)
    emulator.add_fault("slow:delay=30,route=media")
    args = [sys.executable, "-m", "seedance", "generate", "A cat", *SMALL, "-o", "cat.mp4"]
    child = subprocess.Popen(args, env=gateway_env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    seen = ""
    deadline = time.monotonic() + 60
    while "COMPLETED" not in seen and time.monotonic() < deadline:
        seen += child.stderr.readline()
    child.send_signal(signal.SIGINT)
    _, rest = child.communicate(timeout=60)
    assert child.returncode == 130, seen + rest
    assert "download again: seedance download" in rest
    assert "may still finish" not in rest


def test_a_timed_out_emulator_job_is_waited_for_with_emulator(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`wait --timeout 1` on a job of the local emulator: exit 9, and the hint's commands carry --emulator."""
    env = {**offline(cli_env), "SEEDANCE_EMULATOR_OPTIONS": "job_seconds=20,fps=4"}
    sent = run_seedance(["generate", "x", *SMALL, "--emulator", "--no-wait", "--json"], env, cwd=tmp_path)
    request_id = json.loads(sent.stdout)["request_id"]
    waited = run_seedance(["wait", request_id, "--emulator", "--timeout", "1", "--json"], env, cwd=tmp_path)
    assert waited.returncode == 9, waited.stderr
    hint = json.loads(waited.stdout)["error"]["hint"]
    assert "--emulator" in hint, hint


def test_jobs_and_spend_take_emulator_too(
    emulator: Any, seedance: Callable[..., Run], cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`jobs --emulator` lists only the local emulator's jobs; `spend --emulator` counts them, sums nothing."""
    emulator.configure(job_seconds=0.2, fps=4)
    assert seedance("generate", "A paid cat", *SMALL, "--no-wait").code == 0
    env = offline(cli_env)
    assert (
        run_seedance(
            ["generate", "A free cat", *SMALL, "--emulator", "--no-wait"], env, cwd=tmp_path
        ).returncode
        == 0
    )
    listed = json.loads(run_seedance(["jobs", "--emulator", "--json"], env).stdout)["jobs"]
    assert [job["prompt"] for job in listed] == ["A free cat"]
    spent = json.loads(run_seedance(["spend", "--emulator", "--json"], env).stdout)["total"]
    assert spent["jobs"] == 1
    assert spent["local_jobs"] == 1
    assert spent["spent_usd"] + spent["pending_usd"] == 0


def test_a_gateway_job_asked_of_the_emulator_says_leave_out_emulator(
    emulator: Any, seedance: Callable[..., Run], cli_env: dict[str, str]
) -> None:
    """`status ID --emulator` for a job of another gateway: exit 2, the hint says to leave out --emulator."""
    sent = seedance("generate", "A paid cat", *SMALL, "--no-wait", "--json")
    asked = run_seedance(["status", sent.json()["request_id"], "--emulator", "--json"], offline(cli_env))
    assert asked.returncode == 2, asked.stderr
    assert json.loads(asked.stdout)["error"]["hint"].startswith("leave out --emulator")
