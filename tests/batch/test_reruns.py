"""Reruns and runs that cannot go on: an edited file sends only its new lines, two runs never overlap, a
cap that is no number, an output folder that cannot hold files, a key refused, a 429 that never ends."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from seedance.journal import Journal
from waiting import wait_for

from .conftest import Run, prompts, read_manifest, submits_per_prompt, write_jsonl

FAST = {"fps": 4, "audio": False}


def test_an_edited_file_sends_only_its_new_and_changed_lines(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Run 3 lines; then add one, change one, reorder the rest and rerun into the same folder: two submits
    (the added and the changed line), never one of the lines already paid for."""
    emulator.configure(job_seconds=0.2, **FAST)
    rows = prompts(3)
    path = write_jsonl(tmp_path / "jobs.jsonl", rows)
    out = tmp_path / "videos"
    assert seedance("batch", str(path), "--out", str(out), "--yes", "--json").code == 0
    assert len(emulator.submits) == 3

    changed = {**rows[1], "prompt": "job 002 a dog instead"}
    added = {**rows[0], "prompt": "job 004 an owl"}
    (tmp_path / "moved").mkdir()  # edited, renamed and moved: the output folder is what makes it the batch
    edited = write_jsonl(tmp_path / "moved" / "jobs-v2.jsonl", [added, rows[2], changed, rows[0]])
    run = seedance("batch", str(edited), "--out", str(out), "--yes", "--json")
    assert run.code == 0, run.stderr
    assert len(emulator.submits) == 5
    assert max(submits_per_prompt(emulator).values()) == 1
    manifest = {row["prompt"]: row for row in read_manifest(out)}
    assert [manifest[row["prompt"]]["resumed"] for row in (rows[0], rows[2], added, changed)] == [
        True,
        True,
        False,
        False,
    ]
    assert all(row["status"] == "downloaded" for row in manifest.values())


def test_identical_lines_are_separate_jobs_across_reruns(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Two identical lines make two videos; a rerun resends neither."""
    emulator.configure(job_seconds=0.2, **FAST)
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(1) * 2)
    for _ in range(2):
        assert seedance("batch", str(path), "--yes").code == 0
    assert len(emulator.submits) == 2
    assert len(list((tmp_path / "jobs-videos").glob("*.mp4"))) == 2


def test_a_second_run_into_the_same_folder_is_refused_while_the_first_runs(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Two runs at once would both send every line: the second exits 2 naming the first, sending nothing."""
    emulator.configure(job_seconds=0.5, **FAST)
    emulator.add_fault("slow:route=status,delay=4,count=4")  # the first run stays inside its lock a while
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(4))
    args = [sys.executable, "-m", "seedance", "batch", str(path), "--yes"]
    first = subprocess.Popen(args, env=gateway_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        wait_for(lambda: len(emulator.submits) >= 4)
        assert len(emulator.submits) == 4
        second = seedance("batch", str(path), "--yes")
        _, first_err = first.communicate(timeout=60)
    finally:
        first.kill()
    assert second.code == 2, second.stderr
    assert f"another `seedance batch` run (process {first.pid})" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, first_err
    assert len(emulator.submits) == 4
    assert seedance("batch", str(path), "--yes").code == 0  # the lock went with the first run
    assert len(emulator.submits) == 4


def test_a_run_killed_mid_submit_never_blocks_the_next(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """SIGKILL while a submit hangs: the rerun reports that line unknown (never resent, never 'still being
    submitted by process N'), and finishes the others."""
    emulator.configure(job_seconds=0.2, **FAST)
    emulator.add_fault("slow:route=submit,delay=5,count=1")
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(2))
    args = [sys.executable, "-m", "seedance", "batch", str(path), "--yes", "-c", "1"]
    proc = subprocess.Popen(args, env=gateway_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    wait_for(lambda: [r for r in emulator.requests if r.route == "submit"])
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    run = seedance("batch", str(path), "--yes", "--json")
    assert run.code == 7, run.stderr  # the unknown line
    statuses = [row["status"] for row in read_manifest(tmp_path / "jobs-videos")]
    assert statuses == ["unknown", "downloaded"]
    assert max(submits_per_prompt(emulator).values()) == 1


def test_a_cap_that_is_not_a_number_is_refused(
    seedance: Callable[..., Run], emulator: Any, tmp_path: Path
) -> None:
    """--max-cost nan or inf would compare false with every total: exit 2, nothing sent."""
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(1))
    for value in ("nan", "inf"):
        run = seedance("batch", str(path), "--max-cost", value)
        assert run.code == 2, run.stderr
        assert "is not an amount of dollars" in run.stderr
    assert emulator.requests == []


def test_an_output_folder_that_cannot_hold_files_is_refused_before_anything_is_sent(
    seedance: Callable[..., Run], emulator: Any, tmp_path: Path
) -> None:
    """--out under a file: exit 2 with the reason, and the gateway sees nothing (nothing paid)."""
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(1))
    (tmp_path / "afile").write_text("x")
    run = seedance("batch", str(path), "--out", str(tmp_path / "afile" / "sub"), "--yes")
    assert run.code == 2, run.stderr
    assert "cannot write the videos into" in run.stderr
    assert "Traceback" not in run.stderr
    assert emulator.requests == []


def test_the_manifest_never_overwrites_the_batch_file(seedance: Callable[..., Run], tmp_path: Path) -> None:
    """A batch file named manifest.jsonl run with --out its own folder: exit 2, the file unchanged."""
    path = write_jsonl(tmp_path / "manifest.jsonl", prompts(1))
    before = path.read_bytes()
    run = seedance("batch", str(path), "--out", str(tmp_path), "--yes")
    assert run.code == 2, run.stderr
    assert path.read_bytes() == before


def test_a_refused_key_or_no_credits_stops_the_batch_with_its_own_exit_code(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """401 is exit 3 and 402 exit 4 (not a generic 7), with the error and its hint; each line not sent."""
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(2))
    for env, code in (({**gateway_env, "PIXAZO_API_KEY": "wrong-key-000"}, 3), (gateway_env, 4)):
        if code == 4:
            emulator.add_fault("http:status=402,route=submit")
        done = subprocess.run([sys.executable, "-m", "seedance", "batch", str(path), "--yes", "--json"], env=env,
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)  # fmt: skip
        assert done.returncode == code, done.stderr
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        assert summary["type"] == "summary"
        assert summary["error"]["exit_code"] == code
        assert summary["counts"] == {"not_submitted": 2}
    assert emulator.submits == []


def test_a_429_that_never_ends_stops_after_the_patience_with_exit_5(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Every submit answered 429: after --patience seconds the batch stops (exit 5), lines left unsent."""
    emulator.add_fault("http:status=429,retry_after=1,route=submit")
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(2))
    started = time.monotonic()
    run = seedance("batch", str(path), "--yes", "--patience", "2", "--json", timeout=90)
    assert run.code == 5, run.stderr
    assert time.monotonic() - started < 60
    summary = run.json_lines()[-1]
    assert "429" in summary["error"]["message"]
    assert summary["counts"] == {"not_submitted": 2}
    assert emulator.submits == []


def test_the_same_gateway_spelled_differently_is_the_same_gateway(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A rerun with the gateway URL in capitals and with a trailing slash resends nothing."""
    emulator.configure(job_seconds=0.2, **FAST)
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(1))
    assert seedance("batch", str(path), "--yes").code == 0
    shouted = emulator.base_url.replace("http://", "HTTP://").upper().replace("HTTP://", "HTTP://") + "/"
    run = seedance("batch", str(path), "--yes", "--base-url", shouted, "--json")
    assert run.code == 0, run.stderr
    assert len(emulator.submits) == 1


def test_an_interrupted_runs_manifest_keeps_the_request_ids_of_sent_lines(
    emulator: Any, gateway_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Ctrl-C with two jobs running and four lines unsent: exit 130; the manifest lists the two as pending
    with their request ids and the four as not submitted; the rerun sends only the four."""
    emulator.configure(job_seconds=30.0, **FAST)
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(6))
    args = [sys.executable, "-m", "seedance", "batch", str(path), "--yes", "-c", "2"]
    proc = subprocess.Popen(args, env=gateway_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        journal = Journal(Path(gateway_env["SEEDANCE_HOME"]) / "jobs.db")
        wait_for(lambda: len([j for j in journal.jobs() if j.request_id]) >= 2)  # both answers are in
        # ... and the run has taken them in: it polls both (the journal is written a moment before the run
        # marks the line pending; a Ctrl-C in that moment found one line still `unknown`, in 1 run of 3)
        wait_for(lambda: len({r.request_id for r in emulator.requests if r.route == "status"}) >= 2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    rows = read_manifest(tmp_path / "jobs-videos")
    sent = {record.json["content"][0]["text"]: record for record in emulator.submits}
    assert [row["status"] for row in rows] == ["pending"] * 2 + ["not_submitted"] * 4
    assert all(row["request_id"] for row in rows[:2])
    assert [row["prompt"] for row in rows[:2]] == sorted(sent)
    assert not any(row["request_id"] for row in rows[2:])


def test_a_job_of_unknown_price_is_counted_as_such_not_as_free(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A 2.0 Mini line (no published price): the summary says one job of unknown price, beside $0.00 known."""
    emulator.configure(job_seconds=0.2, **FAST)
    frames = {"first_frame": "https://example.com/a.png", "last_frame": "https://example.com/b.png"}
    path = write_jsonl(
        tmp_path / "jobs.jsonl", prompts(1, model="2.0-mini", resolution="480p", duration=4, **frames)
    )
    run = seedance("batch", str(path), "--yes", "--json")
    assert run.code == 0, run.stderr
    summary = run.json_lines()[-1]
    assert (summary["estimated_cost_usd"], summary["unknown_price_jobs"]) == (0.0, 1)


def test_a_changed_line_never_overwrites_the_video_of_the_line_it_replaced(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Line 1 was a 4 s cat; it becomes an 8 s cat and the 4 s one moves to line 2. The 8 s job is new and
    gets its own file (`0001-...-2.mp4`); the paid 4 s video stays as it was, and the manifest says so."""
    emulator.configure(job_seconds=0.2, **FAST)
    first = {"prompt": "A cat", "duration": 4, "resolution": "480p"}
    path = write_jsonl(tmp_path / "jobs.jsonl", [first])
    out = tmp_path / "jobs-videos"
    assert seedance("batch", str(path), "--yes").code == 0
    paid = (out / "0001-a-cat.mp4").read_bytes()
    write_jsonl(path, [{**first, "duration": 8}, first])
    run = seedance("batch", str(path), "--yes", "--json")
    assert run.code == 0, run.stderr
    assert len(emulator.submits) == 2
    assert (out / "0001-a-cat.mp4").read_bytes() == paid
    rows = read_manifest(out)
    assert [row["file"] for row in rows] == ["0001-a-cat-2.mp4", "0001-a-cat.mp4"]
    assert [row["resumed"] for row in rows] == [False, True]


def test_a_batch_folder_moved_with_its_images_resends_nothing(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Lines with local images match by the images' content, not their path: after `mv A B`, a rerun into
    the same output folder sends nothing again."""
    emulator.configure(job_seconds=0.2, **FAST)
    folder = tmp_path / "A"
    folder.mkdir()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(folder / "cat.png")
    line = {"prompt": "A cat", "first_frame": "cat.png", "duration": 4, "resolution": "480p"}
    write_jsonl(folder / "jobs.jsonl", [line])
    out = tmp_path / "videos"
    assert seedance("batch", str(folder / "jobs.jsonl"), "--out", str(out), "--yes").code == 0
    folder.rename(tmp_path / "B")
    run = seedance("batch", str(tmp_path / "B" / "jobs.jsonl"), "--out", str(out), "--yes", "--json")
    assert run.code == 0, run.stderr
    assert len(emulator.submits) == 1
    assert read_manifest(out)[0]["resumed"] is True


def test_a_lock_file_that_cannot_be_opened_is_one_line(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A folder where the lock file goes: exit 2 naming it, nothing sent."""
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(1))
    (tmp_path / "jobs-videos" / ".seedance-batch.lock").mkdir(parents=True)
    run = seedance("batch", str(path), "--yes")
    assert run.code == 2, run.stderr
    assert "cannot open the batch's lock file" in run.stderr
    assert "Traceback" not in run.stderr
    assert emulator.requests == []


def test_a_rerun_sends_failed_lines_again_only_when_asked(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Two lines, the first job fails: a plain rerun resends nothing (exit 8, a hint names --retry-failed);
    --retry-failed sends that line once more, into the name its failed job had, and a third run sends nothing."""
    emulator.configure(job_seconds=0.2, **FAST)
    emulator.add_fault("fail:count=1,message=content policy violation")
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(2))
    out = tmp_path / "videos"
    first = seedance("batch", str(path), "--out", str(out), "--yes")
    assert first.code == 8, first.stderr
    assert "--retry-failed" in first.stderr
    failed = [row for row in read_manifest(out) if row["status"] == "failed"]
    assert len(failed) == 1
    assert "content policy violation" in failed[0]["error"]

    assert seedance("batch", str(path), "--out", str(out), "--yes").code == 8
    assert len(emulator.submits) == 2

    dry = seedance("batch", str(path), "--out", str(out), "--retry-failed", "--dry-run", "--json")
    plan = dry.json_lines()[-1]
    assert (plan["to_submit"], plan["retried"]) == (1, 1)
    retry = seedance("batch", str(path), "--out", str(out), "--yes", "--retry-failed")
    assert retry.code == 0, retry.stderr
    assert len(emulator.submits) == 3
    manifest = {row["line"]: row for row in read_manifest(out)}
    assert all(row["status"] == "downloaded" for row in manifest.values())
    assert not manifest[failed[0]["line"]]["file"].endswith("-2.mp4")  # the name the failed job had
    assert sorted(p.name for p in out.glob("*.mp4")) == sorted(row["file"] for row in manifest.values())

    assert seedance("batch", str(path), "--out", str(out), "--yes", "--retry-failed").code == 0
    assert len(emulator.submits) == 3


def test_submits_cut_off_by_ctrl_c_are_reported_as_possibly_queued(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """Ctrl-C while three submits wait for the gateway's answer: they are `unknown` in the manifest (with
    their estimate), never `not_submitted`; with --json, stdout still ends with a summary line (exit 130)."""
    emulator.configure(job_seconds=0.5, **FAST)
    emulator.add_fault("slow:route=submit,delay=4,count=3")
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(5))
    args = [sys.executable, "-m", "seedance", "batch", str(path), "--yes", "-c", "3", "--json"]
    proc = subprocess.Popen(args, env=gateway_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        journal = Journal(Path(gateway_env["SEEDANCE_HOME"]) / "jobs.db")
        wait_for(lambda: len(journal.jobs(state="submitting")) >= 3)
        # the three POSTs are on their way: the emulator holds each
        wait_for(
            lambda: len([r for r in emulator.requests if r.route == "submit" and r.fault == "slow"]) >= 3
        )
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    rows = {row["line"]: row for row in read_manifest(tmp_path / "jobs-videos")}
    assert [rows[n]["status"] for n in (1, 2, 3)] == ["unknown"] * 3, rows
    assert all(rows[n]["estimated_cost_usd"] for n in (1, 2, 3))
    assert [rows[n]["status"] for n in (4, 5)] == ["not_submitted"] * 2
    summary = json.loads(out.splitlines()[-1])
    assert summary["type"] == "summary"
    assert summary["error"]["type"] == "Interrupted"
    assert summary["counts"] == {"unknown": 3, "not_submitted": 2}


def test_a_folder_spelled_another_way_is_the_same_batch_and_no_video_is_overwritten(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Line 1 downloaded; the line is changed and its new job left running (timeout); a rerun names the
    folder as `sub/../videos` (or through a symlink): the running job lands in its own new name, the first
    job's video is untouched, and the batch is the same one (nothing resent)."""
    emulator.configure(job_seconds=0.2, **FAST)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "videos")
    path = write_jsonl(tmp_path / "b.jsonl", [{"prompt": "A cat", "duration": 5, "resolution": "480p"}])
    assert seedance("batch", str(path), "--out", str(tmp_path / "videos"), "--yes").code == 0
    first = tmp_path / "videos" / "0001-a-cat.mp4"
    original = first.read_bytes()
    emulator.configure(job_seconds=30.0)
    write_jsonl(path, [{"prompt": "A cat", "duration": 4, "resolution": "480p"}])
    timed_out = seedance("batch", str(path), "--out", str(tmp_path / "videos"), "--yes", "--timeout", "1")
    assert timed_out.code == 9, timed_out.stderr
    emulator.advance(30.0)  # the job's time is up
    for spelling in (tmp_path / "sub" / ".." / "videos", tmp_path / "link"):
        rerun = seedance("batch", str(path), "--out", str(spelling), "--yes", "--json")
        assert rerun.code == 0, rerun.stderr
    assert first.read_bytes() == original
    assert sorted(p.name for p in (tmp_path / "videos").glob("*.mp4")) == [
        "0001-a-cat-2.mp4",
        "0001-a-cat.mp4",
    ]
    assert len(emulator.submits) == 2


def test_a_renamed_batch_file_does_not_pay_again_without_being_told(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """p.jsonl run, then renamed p-v2.jsonl (its default folder is new): refused, exit 2, nothing sent, the
    hint naming the first folder; `--out` that folder sends nothing; `--again` pays for them on purpose."""
    emulator.configure(job_seconds=0.2, **FAST)
    rows = prompts(2)
    first = write_jsonl(tmp_path / "p.jsonl", rows)
    assert seedance("batch", str(first), "--yes").code == 0
    renamed = first.rename(tmp_path / "p-v2.jsonl")
    dry = seedance("batch", str(renamed), "--dry-run")
    assert dry.code == 0
    assert "already generated by another batch" in dry.stderr
    refused = seedance("batch", str(renamed), "--yes", "--json")
    assert refused.code == 2, refused.stderr
    error = refused.json_lines()[-1]["error"]
    assert "2 line(s) were already generated by another batch" in error["message"]
    assert f"--out {tmp_path / 'p-videos'}" in error["hint"]
    assert len(emulator.submits) == 2
    continued = seedance("batch", str(renamed), "--out", str(tmp_path / "p-videos"), "--yes", "--json")
    assert continued.code == 0, continued.stderr
    summary = continued.json_lines()[-1]
    assert summary["estimated_cost_this_run_usd"] == 0  # nothing new was paid for, and it says so
    assert summary["estimated_cost_usd"] > 0
    assert len(emulator.submits) == 2
    assert seedance("batch", str(renamed), "--yes", "--again").code == 0
    assert len(emulator.submits) == 4


def test_a_batch_folder_moved_with_its_file_is_still_the_same_batch(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """The whole project (file and videos folder) moved elsewhere: the rerun sends nothing and writes no
    second copy; the manifest shows every line downloaded, in the moved folder."""
    emulator.configure(job_seconds=0.2, **FAST)
    project = tmp_path / "a"
    project.mkdir()
    path = write_jsonl(project / "p.jsonl", prompts(2))
    assert seedance("batch", str(path), "--yes").code == 0
    moved = project.rename(tmp_path / "b")
    rerun = seedance("batch", str(moved / "p.jsonl"), "--yes")
    assert rerun.code == 0, rerun.stderr
    assert len(emulator.submits) == 2
    assert sorted(p.name for p in (moved / "p-videos").glob("*.mp4")) == sorted(
        row["file"] for row in read_manifest(moved / "p-videos")
    )
    assert all(row["status"] == "downloaded" for row in read_manifest(moved / "p-videos"))


def test_a_line_whose_prompt_holds_the_key_is_not_paid_again_on_a_rerun(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """The journal shows such a prompt redacted, but matches the line by the body as sent: one submit."""
    emulator.configure(job_seconds=0.2, **FAST)
    path = write_jsonl(tmp_path / "k.jsonl", [{"prompt": f"a sign reading {emulator.api_key}", **prompts(1)[0]}
                                              | {"prompt": f"a sign reading {emulator.api_key}"}])  # fmt: skip
    for _ in range(2):
        assert seedance("batch", str(path), "--yes").code == 0
    assert len(emulator.submits) == 1


def test_a_copied_batch_folder_is_a_batch_of_its_own(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A copy of the project (file, videos and marker) beside the original is not the original batch: its
    run is told the lines were generated by the original batch (not resumed as if they were its own)."""
    import shutil

    emulator.configure(job_seconds=0.2, **FAST)
    (tmp_path / "a").mkdir()
    write_jsonl(tmp_path / "a" / "p.jsonl", prompts(1))
    assert seedance("batch", str(tmp_path / "a" / "p.jsonl"), "--yes").code == 0
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    copy = seedance("batch", str(tmp_path / "b" / "p.jsonl"), "--yes", "--json")
    assert copy.code == 2, copy.stderr
    assert str(tmp_path / "a" / "p-videos") in copy.json_lines()[-1]["error"]["hint"]
    assert len(emulator.submits) == 1


def test_an_unknown_submit_is_resent_only_when_the_user_says_they_checked(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A submit dropped on its way is unknown: reruns never resend it (the summary names --resend-unknown);
    `--resend-unknown` sends it once, and later reruns send nothing."""
    emulator.configure(job_seconds=0.2, **FAST)
    emulator.add_fault("drop:route=submit,count=1")
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(2))
    out = tmp_path / "videos"
    first = seedance("batch", str(path), "--out", str(out), "--yes", "-c", "1")
    assert first.code != 0
    assert "--resend-unknown" in first.stderr
    assert seedance("batch", str(path), "--out", str(out), "--yes").code != 0
    assert len(emulator.submits) == 1  # the dropped one never reached a job; nothing resent
    again = seedance("batch", str(path), "--out", str(out), "--yes", "--resend-unknown")
    assert again.code == 0, again.stderr
    assert len(emulator.submits) == 2
    assert {row["status"] for row in read_manifest(out)} == {"downloaded"}
    assert seedance("batch", str(path), "--out", str(out), "--yes", "--resend-unknown").code == 0
    assert len(emulator.submits) == 2
