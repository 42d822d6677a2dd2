"""Every fault the emulator can inject, end to end through the real CLI: for each, the exit code, the message,
what the journal says, how many jobs the gateway made (never more than one per intended job), and that no
partial file is left at the target path."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from seedance.download import DownloadTarget, sha256_of
from waiting import wait_for

from .harness import ARGS, Run, created, journal_records, posts


@dataclass(frozen=True)
class Scenario:
    """A fault (or faults) and everything the run must show for it."""

    faults: tuple[str, ...]
    code: int
    message: str
    """A fragment of the error message (or of a warning, for runs that succeed)."""
    state: str
    """The job's journal state after the run."""
    made: int
    """Jobs the emulator created."""
    sent: int
    """Submit requests the emulator received."""
    hint: str = ""
    """A fragment the hint must contain."""
    extra: tuple[str, ...] = ()
    configure: dict[str, Any] = field(default_factory=dict)


SCENARIOS = {
    "429-storm-on-submit": Scenario(
        ("http:status=429,retry_after=0,route=submit",), 5, "rate limited (429)", "rejected", 0, 2
    ),
    "429-storm-on-status": Scenario(
        ("http:status=429,retry_after=0,route=status",),
        5,
        "stayed rate limited",
        "queued",
        1,
        1,
        "seedance wait",
    ),
    # The JSON 5xx burst on submit is tests/e2e/test_error_table.py::test_5xx_twice_is_exit_7_...; this is the
    # proxy's HTML page variant, which must still end in one readable line.
    "5xx-html-burst-on-submit": Scenario(
        ("http:status=502,route=submit,html=true",), 7, "an HTML error page", "unknown", 0, 2, "seedance jobs"
    ),
    "dropped-submit": Scenario(("drop:route=submit,count=1",), 7, "may have been queued", "unknown", 0, 1),
    "half-answered-submit": Scenario(
        ("drop:route=submit,count=1,partial=true",), 7, "may have been queued", "unknown", 0, 1
    ),
    "dropped-after-create": Scenario(
        ("drop_after_create:count=1",), 7, "may have been queued", "unknown", 1, 1, "seedance jobs"
    ),
    "dropped-status": Scenario(("drop:route=status,count=1",), 0, "", "downloaded", 1, 1),
    "dropped-download": Scenario(("drop:route=media,count=1",), 0, "", "downloaded", 1, 1),
    "slow-status": Scenario(("slow:route=status,delay=0.5,count=1",), 0, "", "downloaded", 1, 1),
    "stuck-job": Scenario(
        ("stuck:count=1",), 9, "gave up waiting", "running", 1, 1, "seedance wait", ("--timeout", "1")
    ),
    "failed-job": Scenario(
        ("fail:count=1,message=content policy violation",), 8, "content policy violation", "failed", 1, 1
    ),
    "error-job": Scenario(
        ("fail:count=1,job_status=ERROR,message=boom",), 8, "ended ERROR: boom", "failed", 1, 1
    ),
    "expired-download": Scenario(
        ("expire:after_seconds=0,status=404",), 10, "answered 404", "succeeded", 1, 1, "has expired"
    ),
}


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_fault_outcome(
    scenario: Scenario,
    emulator: Any,
    seedance: Callable[..., Run],
    gateway_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """The run ends with the scenario's exit code, message, journal state and job count, and no partial file."""
    for fault in scenario.faults:
        emulator.add_fault(fault)
    target = tmp_path / "out" / "cat.mp4"
    run = seedance(*ARGS, "-o", str(target), *scenario.extra)
    assert run.code == scenario.code, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert emulator.api_key not in run.stdout + run.stderr
    data = run.json()
    if scenario.code:
        assert data["ok"] is False
        assert scenario.message in data["error"]["message"]
        assert scenario.hint in data["error"]["hint"]
        assert data["error"]["exit_code"] == scenario.code
        assert not target.exists()
    else:
        assert target.read_bytes()[4:8] == b"ftyp"
        assert data["sha256"] == emulator.job(data["request_id"]).sha256
    assert [r.state for r in journal_records(gateway_env)] == [scenario.state]
    assert created(emulator) == scenario.made
    assert posts(emulator) == scenario.sent


def test_a_truncated_download_keeps_only_the_part_file_and_resume_completes_it(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """After exit 10 the bytes wait in `.part` beside the target (never at it); `resume` finishes from them."""
    emulator.add_fault("truncate:after_bytes=2000")
    target = tmp_path / "cat.mp4"
    failed = seedance(*ARGS, "-o", str(target))
    assert failed.code == 10, failed.stderr
    error = failed.json()["error"]
    assert "could not download the video" in error["message"]
    assert f"seedance download {failed.json()['request_id']}" in error["hint"]
    assert [r.state for r in journal_records(gateway_env)] == ["succeeded"]
    part = DownloadTarget(target, request_id=failed.json()["request_id"]).part_path
    assert not target.exists()
    assert part.stat().st_size == 4 * 2000  # four attempts, each resumed with Range and cut again
    emulator.clear_faults()
    run = seedance("resume", "--json")
    assert run.code == 0, run.stderr
    assert not part.exists()
    assert run.json()["resumed"][0]["sha256"] == emulator.job(run.json()["resumed"][0]["request_id"]).sha256
    assert [r.state for r in journal_records(gateway_env)] == ["downloaded"]
    assert created(emulator) == 1


def test_a_webhook_that_never_comes_does_not_stall_the_job(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """The gateway is asked for a webhook and never sends it: polling still finishes and saves the video."""
    emulator.add_fault("no_webhook:count=1")
    target = tmp_path / "cat.mp4"
    run = seedance(*ARGS, "-o", str(target), "--webhook-url", emulator.webhook_url)
    assert run.code == 0, run.stderr
    submit = next(r for r in emulator.requests if r.route == "submit")
    assert submit.headers.get("x-webhook-url") == emulator.webhook_url
    assert emulator.webhooks == []
    assert target.read_bytes()[4:8] == b"ftyp"
    assert [r.state for r in journal_records(gateway_env)] == ["downloaded"]
    assert created(emulator) == 1


def test_a_full_disk_during_the_download_is_exit_10_and_the_job_can_be_fetched_later(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """The part file lands on /dev/full (a real ENOSPC): one typed error, the job kept, `download` finishes."""
    target = tmp_path / "cat.mp4"
    submitted = seedance(*ARGS, "-o", str(target), "--no-wait")
    request_id = submitted.json()["request_id"]
    part = DownloadTarget(target, request_id=request_id).part_path
    part.symlink_to("/dev/full")
    failed = seedance("wait", request_id, "-o", str(target), "--json")
    assert failed.code == 10, failed.stderr
    assert "Traceback" not in failed.stderr
    error = failed.json()["error"]
    assert error["type"] == "DownloadError"
    assert "No space left on device" in error["message"]
    assert f"seedance download {request_id}" in error["hint"]
    assert "free some disk space" in error["hint"]
    assert [r.state for r in journal_records(gateway_env)] == ["succeeded"]
    assert not target.exists()
    part.unlink()
    run = seedance("download", request_id, "-o", str(target), "--json")
    assert run.code == 0, run.stderr
    assert run.json()["sha256"] == emulator.job(request_id).sha256
    assert run.json()["estimated_cost_usd"] == 1.16  # from the journal: 4 s of 2.0
    assert created(emulator) == 1


def test_a_part_file_left_by_another_job_is_never_spliced_into_a_new_one(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """`-o cat.mp4` cut mid-download leaves job A's bytes. While A still has to save cat.mp4, job B to the
    same `-o` is refused (nothing sent); once A is saved elsewhere, B to cat.mp4 ends whole, with B's own
    sha256 (not A's head followed by B's tail)."""
    emulator.add_fault("truncate:after_bytes=2000")
    target = tmp_path / "cat.mp4"
    first = seedance(*ARGS, "-o", str(target))
    assert first.code == 10, first.stderr
    assert len(list(tmp_path.glob("cat.mp4.*.part"))) == 1
    emulator.clear_faults()
    b_args = (
        "generate",
        "A different cat",
        "--resolution",
        "480p",
        "--duration",
        "4",
        "--json",
        "-o",
        str(target),
    )
    refused = seedance(*b_args)
    assert refused.code == 2, refused.stderr
    assert "will save its video; nothing was sent" in refused.json()["error"]["message"]
    assert created(emulator) == 1
    elsewhere = seedance("download", first.json()["request_id"], "-o", str(tmp_path / "a.mp4"))
    assert elsewhere.code == 0, elsewhere.stderr
    second = seedance(*b_args)
    assert second.code == 0, second.stderr
    assert sha256_of(target) == second.json()["sha256"] == emulator.job(second.json()["request_id"]).sha256
    assert len(list(tmp_path.glob("cat.mp4.*.part"))) == 1  # A's bytes wait for `seedance download A`


def test_a_journal_lost_while_the_submit_is_on_its_way_never_loses_the_paid_job(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """The journal's file is replaced by a folder after the row is written and before the gateway answers:
    the job still runs to its video, and the one JSON answer carries the request id and a warning saying to
    keep it (no traceback, exit 0)."""
    import json
    import sqlite3
    import subprocess
    import sys

    from .harness import journal_path

    emulator.configure(job_seconds=0.3, fps=4)
    emulator.add_fault("slow:route=submit,delay=5,count=1")  # the window to take the journal away
    db = journal_path(gateway_env)
    target = tmp_path / "kept.mp4"
    child = subprocess.Popen(
        [sys.executable, "-m", "seedance", *ARGS, "-o", str(target)],
        env=gateway_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )

    def submitting() -> bool:  # the row is written before the POST: wait for it
        if db.exists():
            with contextlib.suppress(sqlite3.OperationalError), sqlite3.connect(db) as conn:  # tables: soon
                return bool(
                    conn.execute("SELECT count(*) FROM jobs WHERE state = 'submitting'").fetchone()[0]
                )
        return False

    wait_for(submitting)
    for path in db.parent.glob("jobs.db*"):
        path.rename(path.with_name(path.name + ".moved"))
    db.mkdir()  # nothing can open the journal any more
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stderr
    assert "Traceback" not in stderr
    answer = json.loads(stdout)
    assert answer["ok"] is True
    assert created(emulator) == 1
    assert target.read_bytes()[4:8] == b"ftyp"
    request_id = answer["request_id"]
    assert any(request_id in w and "journal could not record" in w for w in answer["warnings"]), answer
    assert f"seedance wait {request_id}" in stderr  # said as soon as it is known, not only at the end
