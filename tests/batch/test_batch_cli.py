"""`seedance batch` against the emulator (in-process; stdin as a real process): validation, a rate-limited run,
the cost cap."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av

from cli_process import run_seedance
from seedance.journal import Journal

from .conftest import Run, prompts, read_manifest, submits_per_prompt, write_jsonl


def test_a_bad_line_stops_the_batch_before_any_submit(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A bad line is reported with its number, the exit code is 2, and the gateway saw no submit."""
    rows: list[dict[str, Any] | str] = [*prompts(3)]
    rows.insert(2, {"prompt": "too long", "duration": 99})
    path = write_jsonl(tmp_path / "jobs.jsonl", rows)
    run = seedance("batch", str(path), "--yes")
    assert run.code == 2
    assert f"{path}:3: duration" in run.stderr
    assert "Traceback" not in run.stderr
    assert emulator.submits == []


def test_skip_invalid_runs_the_valid_lines(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """With --skip-invalid the good lines run, and the manifest lists the bad one as invalid."""
    rows: list[dict[str, Any] | str] = [*prompts(2), "{broken"]
    path = write_jsonl(tmp_path / "jobs.jsonl", rows)
    run = seedance("batch", str(path), "--skip-invalid", "--out", "out", "--json")
    assert run.code == 0, run.stderr
    assert len(emulator.submits) == 2
    statuses = {row["line"]: row["status"] for row in read_manifest(tmp_path / "out")}
    assert statuses == {1: "downloaded", 2: "downloaded", 3: "invalid"}
    assert run.json_lines()[-1]["type"] == "summary"


def test_a_rate_limited_batch_finishes_with_one_submit_per_job(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """Under a submit rate limit every job is submitted once, downloaded as a playable MP4 and listed.

    A real process: in-process, the batch and the emulator share one interpreter and its submits can be too
    slow to reach the limit at all."""
    # 5/s, no burst: the batch's pace starts at 4/s and doubles every 0.25 s until a 429, so it passes 5/s
    # however busy the machine (at 10/s with a burst of 2 a loaded machine's submits never reached it)
    emulator.configure(submit_rate_per_second=5, submit_burst=1, fps=4, audio=False)
    rows = prompts(20)
    path = write_jsonl(tmp_path / "jobs.jsonl", rows)
    args = ["batch", str(path), "--out", "out", "--concurrency", "8", "--json", "--yes"]
    done = run_seedance(args, gateway_env, cwd=tmp_path)
    run = Run(done.returncode, done.stdout, done.stderr)
    assert run.code == 0, run.stderr
    assert any(r.status == 429 for r in emulator.requests)  # the limit was really hit
    assert set(submits_per_prompt(emulator).values()) == {1}
    assert len(submits_per_prompt(emulator)) == 20
    manifest = read_manifest(tmp_path / "out")
    assert [row["line"] for row in manifest] == list(range(1, 21))
    created = {r.request_id for r in emulator.submits}
    for row, job in zip(manifest, rows, strict=True):
        assert row["status"] == "downloaded"
        assert row["prompt"] == job["prompt"]
        assert row["request_id"] in created
        assert row["estimated_cost_usd"] == 1.16
        with av.open(str(tmp_path / "out" / row["file"])) as container:
            assert container.streams.video[0].height == 480
    assert row["file"] == "0020-job-020-a-cat-walking.mp4"
    summary = run.json_lines()[-1]
    assert summary["counts"] == {"downloaded": 20}
    assert summary["rate_limited"] >= 1
    records = Journal(Path(run_home(tmp_path)) / "jobs.db").jobs(batch_id=summary["batch_id"])
    assert sorted(r.batch_line for r in records if r.state == "downloaded") == list(range(1, 21))


def run_home(tmp_path: Path) -> str:
    """The SEEDANCE_HOME the isolation fixture gives this test's subprocesses."""
    return str(tmp_path / "seedance-home")


def test_max_cost_stops_submitting_at_the_job_that_would_pass_it(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """With --max-cost 5 and $1.16 jobs, four are submitted ($4.64) and the rest are skipped_cost_cap."""
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(10))
    run = seedance("batch", str(path), "--out", "out", "--max-cost", "5", "--concurrency", "3")
    assert run.code == 0, run.stderr
    assert len(emulator.submits) == 4
    statuses = [row["status"] for row in read_manifest(tmp_path / "out")]
    assert statuses == ["downloaded"] * 4 + ["skipped_cost_cap"] * 6
    assert "$11.60 for 10 job(s)" in run.stderr


def test_a_costly_batch_without_a_terminal_needs_yes_or_a_cap(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Over $10 with no terminal and neither --yes nor --max-cost: exit 2, nothing sent."""
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(10, duration=15))
    run = seedance("batch", str(path), "--json")
    assert run.code == 2
    error = json.loads(run.stdout)["error"]
    assert "$43.50" in error["message"]
    assert "--yes" in error["hint"]
    assert emulator.requests == []


def test_a_dry_run_prices_the_file_and_sends_nothing(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """--dry-run checks and prices every line, and the gateway sees nothing."""
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(3) + prompts(1, model="2.0-fast"))
    run = seedance("batch", str(path), "--dry-run", "--json")
    assert run.code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["estimated_cost_usd"] == round(3 * 1.16 + 0.96, 4)
    assert emulator.requests == []


def test_a_batch_whose_reader_goes_away_finishes_its_jobs_quietly(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """`seedance batch F --json | head -c 10`: the reader is gone before the first line; the batch still
    finishes every job (paid for: they must land), with no traceback, and exits 0."""
    import os
    import subprocess
    import sys

    emulator.configure(job_seconds=0.2, fps=4, audio=False)
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(3))
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run([sys.executable, "-m", "seedance", "batch", str(path), "--yes", "--json"],
                              env=gateway_env, stdout=writer, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              text=True, timeout=120, check=False)  # fmt: skip
    finally:
        os.close(writer)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "never retrieved" not in done.stderr
    assert len(list((tmp_path / "jobs-videos").glob("*.mp4"))) == 3


def test_a_batch_can_come_from_standard_input_with_an_out_folder(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """`... | seedance batch - --out videos`: the lines run; without --out (no file to name a folder after,
    also for /dev/stdin) it is exit 2 before anything is sent."""
    import subprocess

    emulator.configure(job_seconds=0.2, fps=4, audio=False)
    lines = "".join(json.dumps(row) + "\n" for row in prompts(2))

    def batch(*args: str) -> subprocess.CompletedProcess[str]:
        return run_seedance(["batch", *args, "--yes", "--json"], gateway_env, cwd=tmp_path, input=lines)

    for args in (["-"], ["/dev/stdin"]):
        refused = batch(*args)
        assert refused.returncode == 2, refused.stderr
        assert "needs --out DIR" in refused.stdout
    done = batch("-", "--out", "videos")
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "videos").glob("*.mp4"))) == 2
    assert len(emulator.submits) == 2
