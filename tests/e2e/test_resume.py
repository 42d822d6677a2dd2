"""Issue 4's bar: a paid job survives SIGKILL, Ctrl-C and broken downloads, is never submitted twice, and a
submit with an unknown outcome is reported, not resent. Real processes, real signals, the emulator over HTTP."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seedance.download import sha256_of
from seedance.journal import Journal
from waiting import wait_for

from .conftest import Run

SMALL = ("--resolution", "480p", "--duration", "4")


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "seedance", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def submitted_job(journal_path: Path) -> Any:
    if not journal_path.exists():
        return None
    return next((r for r in Journal(journal_path).jobs() if r.request_id), None)


def created(emulator: Any) -> int:
    return sum(1 for r in emulator.requests if r.route == "submit" and r.job_created)


def test_sigkill_while_waiting_then_resume_finishes_the_job(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Killed with SIGKILL mid-wait; `seedance resume` polls the same job to the end and downloads it."""
    emulator.configure(job_seconds=2.0)
    target = tmp_path / "cat.mp4"
    journal_path = Path(gateway_env["SEEDANCE_HOME"]) / "jobs.db"
    proc = start(
        gateway_env, "generate", "A cat", "--resolution", "480p", "--duration", "4", "-o", str(target)
    )
    job = wait_for(lambda: submitted_job(journal_path))
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert not target.exists()
    run = seedance("resume", "--json")
    assert run.code == 0, run.stderr
    assert [r["request_id"] for r in run.json()["resumed"]] == [job.request_id]
    assert target.read_bytes()[4:8] == b"ftyp"
    assert created(emulator) == 1
    assert Journal(journal_path).get(job.local_id).state == "downloaded"  # type: ignore[union-attr]


def test_killed_during_download_resumes_from_the_bytes_on_disk(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """The download is cut and the process killed with a partial file; resume asks for the rest with Range
    and the final file's sha256 equals the emulator's."""
    emulator.configure(job_seconds=0.2, min_result_bytes=3_000_000)
    emulator.add_fault("truncate:after_bytes=1000000")
    target = tmp_path / "big.mp4"
    proc = start(
        gateway_env, "generate", "A cat", "--resolution", "480p", "--duration", "4", "-o", str(target)
    )
    part = wait_for(
        lambda: next((p for p in tmp_path.glob("big.mp4.*.part") if p.stat().st_size >= 1_000_000), None)
    )
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    on_disk = part.stat().st_size
    assert 0 < on_disk < 3_000_000
    emulator.configure(faults=[])
    run = seedance("resume", "--json")
    assert run.code == 0, run.stderr
    ranges = [r.range for r in emulator.requests if r.route == "media" and r.range]
    assert f"bytes={on_disk}-" in ranges
    job = run.json()["resumed"][0]
    assert sha256_of(target) == job["sha256"] == emulator.job(job["request_id"]).sha256
    assert not part.exists()
    assert created(emulator) == 1


def test_ctrl_c_while_waiting_exits_130_and_prints_the_resume_command(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run]
) -> None:
    """SIGINT mid-wait: exit 130, the job id and `seedance resume ID` printed, the job listed as unfinished."""
    emulator.configure(job_seconds=30.0)
    journal_path = Path(gateway_env["SEEDANCE_HOME"]) / "jobs.db"
    proc = start(gateway_env, "generate", "A cat", "--resolution", "480p", "--duration", "4")
    job = wait_for(lambda: submitted_job(journal_path) or proc.poll() is not None)
    assert proc.poll() is None, proc.communicate()  # a command that ended early says why
    wait_for(lambda: [r for r in emulator.requests if r.route == "status"])  # it is waiting: it polls
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert f"seedance resume {job.request_id}" in stderr
    listed = seedance("jobs", "--json").json()["jobs"]
    assert [(j["request_id"], j["state"]) for j in listed] == [
        (job.request_id, Journal(journal_path).get(job.local_id).state)
    ]  # type: ignore[union-attr]
    assert listed[0]["state"] in ("queued", "running")


def test_dropped_connection_on_submit_is_unknown_and_never_resent(
    emulator: Any, seedance: Callable[..., Run]
) -> None:
    """The gateway creates the job but the answer is lost: exit 7, marked unknown, one POST only, user told."""
    emulator.add_fault("drop_after_create:count=1")
    run = seedance("generate", "A cat", "--resolution", "480p", "--duration", "4", "--json")
    assert run.code == 7
    assert "may have been queued" in run.json()["error"]["message"]
    assert len([r for r in emulator.requests if r.route == "submit"]) == 1
    assert created(emulator) == 1
    jobs = seedance("jobs", "--json").json()["jobs"]
    assert [j["state"] for j in jobs] == ["unknown"]
    resumed = seedance("resume", "--json")
    assert resumed.code == 0
    assert resumed.json()["resumed"] == []
    assert resumed.json()["unknown_outcome"] == [jobs[0]["local_id"]]  # told, not silently left behind
    assert "1 submit(s) with unknown outcome" in resumed.stderr
    assert "check your dashboard" in resumed.stderr
    assert len([r for r in emulator.requests if r.route == "submit"]) == 1
    # Checked on the dashboard: forget it, and resume stops warning.
    assert (
        seedance("jobs", "forget", jobs[0]["local_id"], "--json").json()["forgotten"] == jobs[0]["local_id"]
    )
    again = seedance("resume", "--json")
    assert again.json()["unknown_outcome"] == []
    assert "unknown outcome" not in again.stderr
    assert seedance("jobs", "--json").json()["jobs"] == []


def test_a_job_that_can_still_be_finished_cannot_be_forgotten(
    emulator: Any, seedance: Callable[..., Run]
) -> None:
    """`jobs forget` refuses a queued job (exit 2, pointing at resume) and an id it does not know."""
    emulator.configure(job_seconds=30.0)
    submitted = seedance(
        "generate", "A fox", "--resolution", "480p", "--duration", "4", "--no-wait", "--json"
    )
    local_id = submitted.json()["local_id"]
    refused = seedance("jobs", "forget", local_id)
    assert refused.code == 2, refused.stderr
    assert "it can still be finished" in refused.stderr
    assert f"seedance resume {local_id}" in refused.stderr
    assert seedance("jobs", "forget", "nope").code == 2
    assert [j["state"] for j in seedance("jobs", "--json").json()["jobs"]] == ["queued"]


def test_expired_result_url_is_refreshed_once(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A result URL that expires before the download is refreshed through the status endpoint."""
    emulator.add_fault("expire:after_seconds=0,status=403,count=1")
    run = seedance(
        "generate",
        "A cat",
        "--resolution",
        "480p",
        "--duration",
        "4",
        "-o",
        str(tmp_path / "x.mp4"),
        "--json",
    )
    assert run.code == 0, run.stderr
    statuses = [r.status for r in emulator.requests if r.route == "media"]
    assert statuses[0] == 403
    assert statuses[-1] == 200


def test_ctrl_c_during_the_submit_marks_the_job_unknown_at_once(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run]
) -> None:
    """SIGINT while the POST is in flight: exit 130, and the row is `unknown` (listed), never left dangling."""
    emulator.add_fault("slow:delay=3,route=submit,count=1")
    journal_path = Path(gateway_env["SEEDANCE_HOME"]) / "jobs.db"
    proc = start(gateway_env, "generate", "A cat", "--resolution", "480p", "--duration", "4")
    wait_for(lambda: journal_path.exists() and Journal(journal_path).jobs())
    wait_for(lambda: any(r.fault == "slow" for r in emulator.requests))  # the emulator holds the POST
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "seedance jobs --status unknown" in stderr
    listed = seedance("jobs", "--status", "unknown", "--json").json()["jobs"]
    assert len(listed) == 1
    assert "interrupted while submitting" in listed[0]["error"]


def test_resume_leaves_jobs_of_another_gateway_alone(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run]
) -> None:
    """A job sent to one gateway is not polled (and not marked gone) on another: the journal knows its gateway."""
    emulator.configure(job_seconds=30.0)
    run = seedance("generate", "A fox", "--resolution", "480p", "--duration", "4", "--no-wait", "--json")
    assert run.code == 0, run.stderr
    elsewhere = {**gateway_env, "SEEDANCE_BASE_URL": "http://127.0.0.1:9"}
    resumed = seedance("resume", "--json", env=elsewhere)
    assert resumed.code == 2, resumed.stdout + resumed.stderr  # nothing could be resumed there: not "ok"
    assert resumed.json()["ok"] is False
    assert resumed.json()["skipped"] == 1
    assert "another gateway" in resumed.stdout + resumed.stderr
    assert [j["state"] for j in seedance("jobs", "--json").json()["jobs"]] == ["queued"]


def test_resume_of_an_id_not_in_the_journal_is_exit_2(seedance: Callable[..., Run]) -> None:
    """An id the journal does not know is a usage mistake (exit 2), not a gateway rejection."""
    run = seedance("resume", "nope-not-a-job")
    assert run.code == 2
    assert "no job 'nope-not-a-job' in the journal" in run.stderr


def test_a_job_submitted_with_no_wait_is_downloaded_by_resume_where_o_said(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """`generate --no-wait -o bird.mp4`, then `seedance resume`: the video lands at bird.mp4, one submit."""
    run = seedance("generate", "A bird", *SMALL, "--no-wait", "-o", "bird.mp4", "--json")
    assert run.code == 0, run.stderr
    resumed = seedance("resume", "--json")
    assert resumed.code == 0, resumed.stderr
    (job,) = resumed.json()["resumed"]
    assert job["file"] == str(tmp_path / "bird.mp4")
    assert job["estimated_cost_usd"] == 1.16  # the journal's estimate: 4 s of 2.0 at $0.29/s
    assert (tmp_path / "bird.mp4").read_bytes()[4:8] == b"ftyp"
    assert len(emulator.submits) == 1


def test_a_relative_o_is_kept_where_it_was_meant_when_resume_runs_elsewhere(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """`generate --no-wait -o rel.mp4` in one folder, `seedance resume` from another: the video lands in the
    first folder, where `-o rel.mp4` pointed when it was typed."""
    run = seedance("generate", "A bird", *SMALL, "--no-wait", "-o", "rel.mp4", "--json")
    assert run.code == 0, run.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "seedance", "resume", "--json"],
        env=gateway_env, cwd=elsewhere, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "rel.mp4").read_bytes()[4:8] == b"ftyp"
    assert not (elsewhere / "rel.mp4").exists()


def test_download_into_a_tilde_folder_as_a_script_passes_it(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run]
) -> None:
    """`-o "~/vids"` (quoted, so no shell expands it) and `-o "~/new/"` are folders under HOME: the video is
    saved inside each, named from the job id, with no part file left behind."""
    run = seedance("generate", "A bird", "--resolution", "480p", "--duration", "4", "--no-download", "--json")
    assert run.code == 0, run.stderr
    request_id = run.json()["request_id"]
    home = Path(gateway_env["HOME"])
    (home / "vids").mkdir(parents=True, exist_ok=True)
    for given, folder in (("~/vids", home / "vids"), ("~/new/", home / "new")):
        saved = seedance("download", request_id, "-o", given, "--json")
        assert saved.code == 0, saved.stderr
        assert Path(saved.json()["file"]).parent == folder
        assert Path(saved.json()["file"]).read_bytes()[4:8] == b"ftyp"
    assert list(home.glob("*.part")) == []
