"""Several `seedance batch` processes (each its own user folder) on one PostgreSQL journal share one batch:
each line is paid for once, by one worker, and a worker killed midway leaves its lines to the others."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from batch.conftest import prompts, read_manifest, submits_per_prompt, write_jsonl
from cli_process import SEEDANCE
from waiting import wait_for

LINES = 60


def _lines(n: int) -> list[dict[str, Any]]:
    """N jobs with distinct prompts that share their first six words: the video's caption, so the emulator
    encodes one video for all of them (these tests count files and submits, never compare videos)."""
    return [{**line, "prompt": f"a cat walking on the beach, {line['prompt']}"} for line in prompts(n)]


def _worker(env: dict[str, str], home: Path, path: Path, out: Path, *args: str) -> subprocess.Popen[str]:
    """One worker: its own SEEDANCE_HOME, the shared journal and emulator from `env`."""
    return subprocess.Popen(
        [*SEEDANCE, "batch", str(path), "--out", str(out), "--json", "--yes", "--concurrency", "12", *args],
        env={**env, "SEEDANCE_HOME": str(home)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _summary(proc: subprocess.Popen[str]) -> tuple[int, dict[str, Any], str]:
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert any(r.get("type") == "summary" for r in rows), (out, err)
    return proc.returncode, next(r for r in rows if r.get("type") == "summary"), err


@pytest.fixture
def shared(emulator: Any, cli_env: dict[str, str], postgres_url: str) -> dict[str, str]:
    """A subprocess environment on the emulator with its key, the journal on the test's PostgreSQL schema."""
    return {
        **cli_env,
        "SEEDANCE_BASE_URL": emulator.base_url,
        "PIXAZO_API_KEY": emulator.api_key,
        "SEEDANCE_JOURNAL": postgres_url,
        # Each status check writes to the journal through the process's one server connection: every 0.25 s
        # is plenty for 0.3 s jobs, and leaves that connection to the submits and claims.
        "SEEDANCE_POLL_INTERVAL": "0.25",
    }


def _batch_rows(url: str) -> list[Any]:
    from seedance.journal import Journal

    return Journal(url).jobs()


def test_three_workers_share_a_batch_each_line_paid_once(
    shared: dict[str, str], emulator: Any, postgres_url: str, tmp_path: Path
) -> None:
    """Three workers on one 60-line file: 60 paid submits, 60 files, every worker submitted some lines."""
    path = write_jsonl(tmp_path / "jobs.jsonl", _lines(LINES))
    out = tmp_path / "videos"
    # Four jobs in flight each: one worker alone would take seconds, so the last one to start gets lines too.
    procs = [_worker(shared, tmp_path / f"home{i}", path, out, "--concurrency", "4") for i in range(3)]
    results = [_summary(p) for p in procs]
    assert [code for code, _, _ in results] == [0, 0, 0], [err for _, _, err in results]
    assert len(emulator.submits) == LINES
    assert len(list(out.glob("*.mp4"))) == LINES
    done_here = [summary["submitted_here"] for _, summary, _ in results]
    assert sum(done_here) == LINES
    assert min(done_here) > 0, done_here
    rows = _batch_rows(postgres_url)
    assert Counter(r.state for r in rows) == {"downloaded": LINES}
    assert len({r.pid for r in rows}) == 3  # the journal names the three submitters
    manifest = read_manifest(out)
    assert [row["line"] for row in manifest] == list(range(1, LINES + 1))
    assert all(row["status"] == "downloaded" for row in manifest)


def test_a_worker_killed_midway_leaves_its_lines_to_the_others(
    shared: dict[str, str], emulator: Any, postgres_url: str, tmp_path: Path
) -> None:
    """SIGKILL one of three workers midway: the others finish its lines, each line paid once; a submit it
    had on its way is listed unknown (whether or not it reached the gateway) and never sent again."""
    emulator.configure(job_seconds=1.0)  # its jobs still run when it dies: someone must take them over
    path = write_jsonl(tmp_path / "jobs.jsonl", _lines(LINES))
    out = tmp_path / "videos"
    victim = _worker(shared, tmp_path / "home0", path, out)
    wait_for(lambda: len(emulator.submits) >= 5, timeout=60)
    others = [_worker(shared, tmp_path / f"home{i}", path, out) for i in (1, 2)]
    wait_for(lambda: len(emulator.submits) >= 25, timeout=60)
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=30)
    results = [_summary(p) for p in others]
    manifest = {row["line"]: row for row in read_manifest(out)}
    assert sorted(manifest) == list(range(1, LINES + 1))
    unknown = [n for n, row in manifest.items() if row["status"] == "unknown"]
    assert all(row["status"] == "downloaded" for n, row in manifest.items() if n not in unknown), manifest
    rows = _batch_rows(postgres_url)
    assert {r.batch_line for r in rows if r.state == "unknown"} == set(unknown)
    assert all(r.pid == victim.pid for r in rows if r.state == "unknown")  # only what it had on its way
    paid = submits_per_prompt(emulator)
    assert set(paid.values()) == {1}  # no line paid twice
    assert {manifest[n]["prompt"] for n in manifest if n not in unknown} <= set(paid)
    assert 0 <= len(paid) - (LINES - len(unknown)) <= len(unknown)  # + the unknown ones that reached it
    assert len(list(out.glob("*.mp4"))) == LINES - len(unknown)
    assert [code for code, _, _ in results] == ([7, 7] if unknown else [0, 0])
    states = Counter(r.state for r in rows)
    assert states == {"downloaded": LINES - len(unknown), **({"unknown": len(unknown)} if unknown else {})}
    done_here = [summary["submitted_here"] for _, summary, _ in results]
    assert min(done_here) > 0
    assert sum(done_here) < LINES  # the victim sent the rest


def test_the_cost_cap_holds_for_all_workers_together(
    shared: dict[str, str], emulator: Any, postgres_url: str, tmp_path: Path
) -> None:
    """--max-cost counts every worker's submits: three workers together stop at the cap, not three times it."""
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(20))  # $1.16 each (480p, 4 s)
    out = tmp_path / "videos"
    procs = [_worker(shared, tmp_path / f"home{i}", path, out, "--max-cost", "10") for i in range(3)]
    results = [_summary(p) for p in procs]
    assert len(emulator.submits) == 8  # $9.28; a ninth line would pass $10
    assert sum(summary["submitted_here"] for _, summary, _ in results) == 8
    manifest = read_manifest(out)
    assert Counter(row["status"] for row in manifest) == {"downloaded": 8, "skipped_cost_cap": 12}
