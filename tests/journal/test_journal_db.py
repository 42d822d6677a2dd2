"""The journal database on its own: migrations, concurrent writers, orphaned submits, pruning."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from seedance import jobs
from seedance.errors import InputError, OutputClaimed
from seedance.jobs.outputs import refuse_existing
from seedance.journal import Journal
from seedance.journal_schema import MIGRATIONS, POSTGRES_MIGRATIONS
from seedance.models import JobStatus, State

WRITER = """
import sys
from seedance.journal import Journal
journal = Journal(sys.argv[1])
for n in range(int(sys.argv[3])):
    local = journal.record_submission(operation="2.0/text-to-video", model="2.0", prompt=f"{sys.argv[2]} {n}",
                                      body={"content": []}, settings={})
    journal.mark_submitted(local, request_id=f"{sys.argv[2]}-{n}", polling_url=None, attempts=1, warnings=[])
"""


def record(journal: Journal, prompt: str = "a cat") -> str:
    return journal.record_submission(
        operation="2.0/text-to-video",
        model="2.0",
        prompt=prompt,
        body={"content": [{"type": "text", "text": prompt}]},
        settings={"duration": 5},
    )


def test_schema_is_migrated_once_and_versioned(tmp_path: Path) -> None:
    """A new journal has every migration, by name, once; opening it again changes nothing."""
    path = tmp_path / "jobs.db"
    Journal(path)
    Journal(path)
    with sqlite3.connect(path) as db:
        names = [row[0] for row in db.execute("SELECT name FROM migrations ORDER BY rowid")]
        assert names == [name for name, _ in MIGRATIONS]
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_shared_journal_is_migrated_once_by_many_openers(postgres_url: str) -> None:
    """Three processes opening a new journal on a server at once: each migration applied once, by name."""
    import psycopg

    openers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from seedance.journal import Journal; Journal(sys.argv[1])",
                postgres_url,
            ]
        )
        for _ in range(3)
    ]
    assert [opener.wait(timeout=60) for opener in openers] == [0, 0, 0]
    with psycopg.connect(postgres_url) as db:
        names = [row[0] for row in db.execute("SELECT name FROM migrations ORDER BY name")]
    assert names == sorted(name for name, _ in POSTGRES_MIGRATIONS)
    assert [name for name, _ in POSTGRES_MIGRATIONS] == [name for name, _ in MIGRATIONS]


def test_a_journal_of_the_first_schema_with_rows_is_upgraded(tmp_path: Path) -> None:
    """A journal written by the first release (its tables, rows in them, counted as user_version 1 before
    migrations had names) opens: every later migration runs once, its rows keep their values and gain the
    new columns' defaults, and the jobs still read, resume and list."""
    path = tmp_path / "jobs.db"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0][1])
        db.execute(
            "INSERT INTO jobs (local_id, created_at, updated_at, operation, model, prompt, request_json,"
            " settings_json, state, request_id, output_path, want_download, gateway) VALUES"
            " ('old1', '2026-06-01T10:00:00.000+00:00', '2026-06-01T10:00:00.000+00:00', '2.0/text-to-video',"
            " '2.0', 'a cat', '{}', '{\"duration\": 5}', 'queued', 'seedance-2-0_old', '/v/cat.mp4', 1,"
            " 'https://gateway.pixazo.ai')"
        )
        db.execute("PRAGMA user_version = 1")
    journal = Journal(path)
    [row] = journal.jobs()
    assert (row.local_id, row.request_id, row.state, row.prompt) == (
        "old1",
        "seedance-2-0_old",
        "queued",
        "a cat",
    )
    assert row.ephemeral_gateway is False
    assert row.settings == {"duration": 5}
    assert [r.local_id for r in jobs.unfinished(journal)] == ["old1"]
    with sqlite3.connect(path) as db:
        assert [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY rowid")] == [
            n for n, _ in MIGRATIONS
        ]
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'jobs_output'").fetchone()


def test_two_processes_writing_at_once_lose_no_rows(journal_location: str) -> None:
    """Two writer processes, 150 jobs each, all at once: 300 rows, every request id present once."""
    path = journal_location
    Journal(path)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "150"]) for name in ("a", "b")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    rows = Journal(path).jobs()
    assert len(rows) == 300
    assert {r.request_id for r in rows} == {f"{name}-{n}" for name in "ab" for n in range(150)}
    assert all(r.state == "queued" for r in rows)


def test_status_changes_are_recorded_once_each(journal_location: str) -> None:
    """Repeated identical statuses add no history lines; the final one sets charged and the URL."""
    journal = Journal(journal_location)
    local = record(journal)
    journal.mark_submitted(local, request_id="r1", polling_url=None, attempts=1, warnings=[])
    for word, state in [
        ("QUEUED", State.QUEUED),
        ("PROCESSING", State.RUNNING),
        ("PROCESSING", State.RUNNING),
    ]:
        journal.record_status(local, JobStatus(request_id="r1", state=state, raw_status=word))
    journal.record_status(
        local,
        JobStatus(
            request_id="r1",
            state=State.SUCCEEDED,
            raw_status="COMPLETED",
            video_url="https://c.test/o.mp4",
            charged=True,
        ),
    )
    states = [h["state"] for h in journal.history(local)]
    assert states == ["submitting", "queued", "running", "succeeded"]
    row = journal.get("r1")
    assert row is not None
    assert (row.video_url, row.charged, row.is_unfinished) == ("https://c.test/o.mp4", True, True)
    journal.mark_downloaded(local, path="/tmp/x.mp4", size=10, sha256="ab")
    assert not journal.get(local).is_unfinished  # type: ignore[union-attr]


def test_a_submit_whose_process_died_becomes_unknown(journal_location: str) -> None:
    """A `submitting` row left by a dead process is marked unknown, never resubmitted or resumed."""
    local = dead_submit(journal_location, "single")
    journal = Journal(journal_location)
    assert journal.get(local).state == "submitting"  # type: ignore[union-attr]  # reads never write
    assert journal.jobs()[0].state == "submitting"
    assert jobs.unfinished(journal) == []  # the service settles it first
    row = journal.get(local)
    assert row is not None
    assert row.state == "unknown"
    assert "may or may not have been queued" in (row.error or "")


def followed_from_elsewhere(journal: Journal, local_id: str, lease: str | None) -> None:
    """Make a row look followed by a process on another machine, whose lease ends at `lease`."""
    with journal.store.write() as db:
        db.execute(
            "UPDATE jobs SET follower = 'another-machine:4242', lease_until = ? WHERE local_id = ?",
            (lease, local_id),
        )


def test_a_submit_followed_from_another_machine_is_judged_by_its_lease(journal_location: str) -> None:
    """A pid from another machine says nothing here: a live lease keeps the submit (its process may still
    get the answer); an expired or given-back lease makes it unknown (never resent)."""
    journal = Journal(journal_location)
    live, expired, given_back = record(journal, "live"), record(journal, "expired"), record(journal, "back")
    followed_from_elsewhere(journal, live, "2999-01-01T00:00:00.000+00:00")
    followed_from_elsewhere(journal, expired, "2001-01-01T00:00:00.000+00:00")
    followed_from_elsewhere(journal, given_back, None)
    jobs.settle_orphans(journal)
    states = {r.local_id: r.state for r in journal.jobs()}
    assert states == {live: "submitting", expired: "unknown", given_back: "unknown"}


def test_prune_keeps_unfinished_jobs(journal_location: str) -> None:
    """Pruning removes old finished jobs only."""
    journal = Journal(journal_location)
    done, running = record(journal, "done"), record(journal, "running")
    journal.mark_rejected(done, "400")
    journal.mark_submitted(running, request_id="r2", polling_url=None, attempts=1, warnings=[])
    assert journal.prune("2999-01-01") == 1
    assert [r.local_id for r in journal.jobs()] == [running]


def test_prune_keeps_submits_of_unknown_outcome(journal_location: str) -> None:
    """An `unknown` submit may have been paid for: the user still has to check it, so prune keeps it."""
    journal = Journal(journal_location)
    unsure = record(journal, "unsure")
    journal.mark_unknown(unsure, "connection lost after sending")
    assert journal.prune("2999-01-01") == 0
    assert [r.state for r in journal.jobs()] == ["unknown"]


def test_a_damaged_journal_is_a_one_line_input_error(tmp_path: Path) -> None:
    """A jobs.db that is not a database, or a folder that cannot exist, says what to do instead of crashing."""
    import pytest

    from seedance.errors import InputError

    broken = tmp_path / "jobs.db"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="cannot open the job journal") as caught:
        Journal(broken)
    assert "SEEDANCE_HOME" in caught.value.remedy
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError):
        Journal(tmp_path / "file" / "jobs.db")


def test_lookup_by_unique_prefix(journal_location: str) -> None:
    """Jobs are found by local id, request id, or a unique prefix of either."""
    journal = Journal(journal_location)
    local = record(journal)
    journal.mark_submitted(
        local, request_id="seedance-2-0_0193abcd", polling_url=None, attempts=1, warnings=[]
    )
    assert journal.get(local[:6]) is not None
    assert journal.get("seedance-2-0_0193") is not None
    assert journal.get("zzzz") is None


DEAD_SUBMIT = """
import sys
from seedance.journal import Journal
journal = Journal(sys.argv[1])
batch = {"batch_id": "b1", "batch_line": 3} if sys.argv[2] == "batch" else {}
print(journal.record_submission(operation="2.0/text-to-video", model="2.0", prompt="a", body={}, settings={}, **batch))
"""


def dead_submit(path: Path | str, kind: str) -> str:
    """A `submitting` row written by a process that has since exited (the submit's outcome is unknown)."""
    done = subprocess.run(
        [sys.executable, "-c", DEAD_SUBMIT, str(path), kind], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_forget_takes_whole_ids_only_and_keeps_batch_lines(journal_location: str) -> None:
    """forget deletes, so: a prefix or a LIKE wildcard never matches; a batch line is kept (the batch would
    send it again); a dead process's submit is settled to unknown first, so it can be forgotten."""
    path = journal_location
    single, line = dead_submit(path, "single"), dead_submit(path, "batch")
    journal = Journal(path)
    assert journal.get("%%%%") is None  # a wildcard is not a prefix
    assert journal.get(single[:6]) is not None  # a prefix still finds a job for reading
    with pytest.raises(InputError, match="no job"):
        jobs.forget(single[:6], journal)
    with pytest.raises(InputError, match="line 3 of a batch"):
        jobs.forget(line, journal)
    jobs.forget(single, journal)
    assert [r.local_id for r in journal.jobs()] == [line]


def test_a_file_saved_since_the_name_was_chosen_is_refused_when_it_may_not_be_replaced(
    tmp_path: Path, journal_location: str
) -> None:
    """Three `generate` of the same second: one job may save its stamped name between another's check and
    its submit. The service's last checks run inside the row's own write transaction (`before_insert`): the
    name is refused there (OutputClaimed, nothing written: the CLI then takes the next name)."""
    journal = Journal(journal_location)
    target = tmp_path / "seedance-20261201-101500-a-fox.mp4"
    target.write_bytes(b"a video another job just saved")
    fields = {"operation": "2.0/text-to-video", "model": "2.0", "prompt": "a fox", "body": {}, "settings": {}}
    with pytest.raises(OutputClaimed, match="already exists; nothing was sent"):
        journal.record_submission(
            **fields,
            output_path=str(target),
            before_insert=lambda: refuse_existing(target, overwrite=False),
        )
    assert journal.jobs() == []
    assert journal.record_submission(**fields, output_path=str(target))
    assert len(journal.jobs()) == 1
