"""A batch killed halfway finishes when run again, and no job is ever submitted twice."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from waiting import wait_for

from .conftest import Run, prompts, read_manifest, submits_per_prompt, write_jsonl


def test_a_killed_batch_resumes_without_submitting_anything_twice(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """SIGKILL once some files exist, run again: every line ends up done, each prompt submitted at most once."""
    emulator.configure(job_seconds=0.6, fps=4, audio=False)
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(24))
    out = tmp_path / "out"
    args = [sys.executable, "-m", "seedance", "batch", str(path), "--out", str(out), "--yes", "-c", "6"]
    proc = subprocess.Popen(args, env=gateway_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    wait_for(lambda: len(list(out.glob("*.mp4"))) >= 6 or proc.poll() is not None, timeout=60)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    before = len(emulator.submits)
    assert 6 <= before < 24  # it really was killed halfway

    run = seedance("batch", str(path), "--out", str(out), "--yes", "--json")
    per_prompt = submits_per_prompt(emulator)
    assert max(per_prompt.values()) == 1
    rows = read_manifest(out)
    assert len(rows) == 24
    unknown = [row for row in rows if row["status"] == "unknown"]
    assert len(unknown) <= 6  # only a submit cut off mid-request can be unknown, and it is never resent
    for row in rows:
        if row["status"] != "unknown":
            assert row["status"] == "downloaded", row
            assert (out / row["file"]).stat().st_size > 0
    assert any(row["resumed"] for row in rows)
    assert run.code == (7 if unknown else 0), run.stderr


def test_a_trial_run_on_another_gateway_does_not_count_as_done(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A batch tried first on the in-process emulator is not 'already submitted' on the configured gateway."""
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(2))
    trial = seedance("batch", str(path), "--emulator", "--out", "trial", "--json")
    assert trial.code == 0, trial.stderr
    assert emulator.submits == []  # the trial went to its own emulator
    real = seedance("batch", str(path), "--out", "real", "--json")
    assert real.code == 0, real.stderr
    assert "already submitted" not in real.stderr
    assert sorted(submits_per_prompt(emulator).values()) == [1, 1]
    assert sorted(p.name for p in (tmp_path / "real").glob("*.mp4")) == sorted(
        p.name for p in (tmp_path / "trial").glob("*.mp4")
    )


def test_seedance_resume_finishes_a_killed_batchs_jobs_into_the_batch_folder(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """After SIGKILL mid-batch, plain `seedance resume` (not the batch) downloads every job whose request id
    the batch had recorded, each under its batch name in the batch's folder; a submit killed before its id
    arrived is reported as unknown; nothing is submitted again."""
    emulator.configure(job_seconds=30.0, fps=4, audio=False)  # still running when killed
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(8))
    out = tmp_path / "out"
    args = [sys.executable, "-m", "seedance", "batch", str(path), "--out", str(out), "--yes", "-c", "8"]
    proc = subprocess.Popen(args, env=gateway_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    wait_for(lambda: len(emulator.submits) >= 8 or proc.poll() is not None, timeout=60)
    proc.send_signal(signal.SIGKILL)  # some answers may not have reached the batch: those are unknown
    proc.wait(timeout=10)
    assert len(emulator.submits) == 8
    before = len(list(out.glob("*.mp4")))
    assert before < 8  # killed while jobs were still running
    emulator.advance(30.0)  # their time is up: resume finds them finished

    run = seedance("resume", "--json", timeout=120)
    assert run.code == 0, run.stderr
    answer = run.json_lines()[-1]
    resumed, unknown = answer["resumed"], answer["unknown_outcome"]
    assert len(emulator.submits) == 8
    assert all(job["ok"] for job in resumed)
    files = sorted(p.name for p in out.glob("*.mp4"))
    assert len(files) + len(unknown) == 8  # every paid job is on disk or reported, none twice
    assert {Path(job["file"]).name for job in resumed} <= set(files)
    assert all(Path(job["file"]).parent == out for job in resumed)
    assert all(name[:4].isdigit() and name[4] == "-" for name in files), files  # the batch's own names
    if unknown:
        assert f"{len(unknown)} submit(s) with unknown outcome" in run.stderr


def test_resume_marks_the_lines_it_finishes_in_the_batch_manifest(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A batch that timed out leaves its lines `timeout` in manifest.jsonl; `seedance resume` finishes the
    jobs and those lines then say downloaded, with their files."""
    emulator.configure(job_seconds=30.0, fps=4, audio=False)
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(2))
    out = tmp_path / "out"
    timed_out = seedance("batch", str(path), "--out", str(out), "--yes", "--timeout", "1")
    assert timed_out.code == 9, timed_out.stderr
    assert {row["status"] for row in read_manifest(out)} == {"timeout"}
    emulator.advance(30.0)
    assert seedance("resume", "--json", timeout=120).code == 0
    rows = read_manifest(out)
    assert [row["status"] for row in rows] == ["downloaded", "downloaded"]
    assert all(row["ok"] for row in rows)
    assert sorted(row["file"] for row in rows) == sorted(p.name for p in out.glob("*.mp4"))
