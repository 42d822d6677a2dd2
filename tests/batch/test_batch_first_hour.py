"""A batch as a newcomer meets it: counts that match the summary, a rerun hint with the options given, one
line for a batch-wide failure, nothing on disk before the run can start, one folder per input file."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect

from cli_process import run_seedance
from seedance.journal import Journal
from waiting import wait_for

from .conftest import Run, prompts, write_jsonl


def test_the_last_frame_counts_lines_skipped_by_the_cap_apart(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """On a terminal, --max-cost that allows one job of three: the last frame says 1 done, 2 skipped, 3/3
    ended, as the summary does; never 3 done."""
    emulator.configure(job_seconds=0.2, fps=4)
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(3))
    child = pexpect.spawn(sys.executable, ["-m", "seedance", "batch", str(path), "--max-cost", "1.5"],
                          env={**gateway_env, "COLUMNS": "200"}, encoding="utf-8", timeout=120,
                          dimensions=(40, 200))  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    seen = child.before or ""
    assert child.exitstatus == 0, seen[-2000:]
    frames = [line for line in seen.replace("\r", "\n").splitlines() if "ended" in line]
    assert "3/3" in frames[-1], frames[-1]
    assert "done 1" in frames[-1]
    assert "skipped 2" in frames[-1]
    assert not any("done 3" in frame for frame in frames)
    assert "1 downloaded, 2 skipped_cost_cap" in seen


def test_the_ctrl_c_hint_repeats_the_command_with_its_options(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """Interrupted, the hint to run it again keeps --max-cost (without it the rerun would ask for more)."""
    emulator.configure(job_seconds=30.0, fps=4)
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(2))
    args = [sys.executable, "-m", "seedance", "batch", str(path), "--max-cost", "10", "-c", "1"]
    proc = subprocess.Popen(args, env=gateway_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        journal = Journal(Path(gateway_env["SEEDANCE_HOME"]) / "jobs.db")
        wait_for(lambda: [j for j in journal.jobs() if j.request_id])  # a job is running: interrupt mid-run
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert f"run `seedance batch {path} --max-cost 10 -c 1` again" in err


def test_a_bad_key_is_said_once_and_nothing_is_made_without_a_key(
    emulator: Any, cli_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A key the gateway refuses stops the batch (exit 3) with its 401 said once, not once per line; with no
    key at all the batch stops before its folder is made."""
    emulator.configure(api_key="the-right-key")
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(4))
    env = {**cli_env, "SEEDANCE_BASE_URL": emulator.base_url, "PIXAZO_API_KEY": "a-wrong-key"}
    refused = run_seedance(["batch", str(path), "-c", "1"], env)
    assert refused.returncode == 3, refused.stderr
    assert refused.stderr.count("401") <= 2, refused.stderr  # the line that met it, and the final error
    nokey = {k: v for k, v in env.items() if k != "PIXAZO_API_KEY"}
    other = write_jsonl(tmp_path / "other.jsonl", prompts(1))
    missing = run_seedance(["batch", str(other)], nokey)
    assert missing.returncode == 3, missing.stderr
    assert not (tmp_path / "other-videos").exists()


def test_two_files_of_one_stem_are_two_batches(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """prompts.csv and prompts.txt: each its own default folder, batch and manifest; both run."""
    emulator.configure(job_seconds=0.2, fps=4)
    (tmp_path / "prompts.csv").write_text("prompt,duration,resolution\nA red cat,4,480p\n")
    (tmp_path / "prompts.txt").write_text("A blue fox\n")
    csv = seedance("batch", str(tmp_path / "prompts.csv"), "--json")
    txt = seedance("batch", str(tmp_path / "prompts.txt"), "--json")
    assert csv.code == 0, csv.stderr
    assert txt.code == 0, txt.stderr
    assert len(list((tmp_path / "prompts-csv-videos").glob("*.mp4"))) == 1
    assert len(list((tmp_path / "prompts-txt-videos").glob("*.mp4"))) == 1
    assert csv.json_lines()[-1]["batch_id"] != txt.json_lines()[-1]["batch_id"]
