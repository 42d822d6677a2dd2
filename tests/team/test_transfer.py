"""`seedance journal export` / `import`: a journal moved to a file and into another journal, on SQLite and
PostgreSQL: every column and every history line kept, an import run twice adds nothing, a job the journal has
is never rewritten, open jobs arrive with nobody following them, a bad file writes nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from cli_inprocess import run_seedance_here
from seedance import jobs
from seedance.errors import InputError
from seedance.journal import Journal
from seedance.journal_transfer import JOB_COLUMNS, export_journal, import_journal
from seedance.models import JobStatus, State


def submit(journal: Journal, prompt: str, **extra: Any) -> str:
    """A job's row as the client writes it before sending (state `submitting`)."""
    return journal.record_submission(
        operation="2.0/text-to-video",
        model="2.0",
        prompt=prompt,
        body={"content": [{"type": "text", "text": prompt}]},
        settings={"duration": 5, "resolution": "720p"},
        estimated_cost_usd=0.1 + 0.2,  # not a round number: a float that a lossy copy would change
        output_path=f"/videos/{prompt}.mp4",
        gateway="https://gateway.example",
        **extra,
    )


def fill(journal: Journal) -> dict[str, str]:
    """One job in each ended state, with odd values (unicode, U+2028, quotes, big numbers) and history."""
    ids = {}
    ids["downloaded"] = submit(journal, "a cat on a piano ☃\u2028 \"quoted\" 'and' \\ back")
    journal.mark_submitted(
        ids["downloaded"], request_id="req-1", polling_url="https://p/1", attempts=2, warnings=["w"]
    )
    journal.record_status(
        ids["downloaded"],
        JobStatus(request_id="req-1", state=State.SUCCEEDED, raw_status="COMPLETED", video_url="https://v/1",
                  run_seconds=12.345678),
    )  # fmt: skip
    journal.mark_downloaded(ids["downloaded"], path="/videos/cat.mp4", size=2**40 + 3, sha256="ab" * 32)
    ids["failed"] = submit(journal, "a failed dog", batch_id="batch-7", batch_line=3)
    journal.mark_submitted(ids["failed"], request_id="req-2", polling_url=None, attempts=1, warnings=[])
    journal.record_status(
        ids["failed"], JobStatus(request_id="req-2", state=State.FAILED, raw_status="FAILED", error="policy")
    )
    ids["rejected"] = submit(journal, "refused")
    journal.mark_rejected(ids["rejected"], "429 too many requests")
    ids["unknown"] = submit(journal, "lost answer")
    journal.mark_unknown(ids["unknown"], "connection reset")
    return ids


def rows(journal: Journal) -> list[dict[str, Any]]:
    """Every jobs row (rowid aside), oldest first, and every history line of each."""
    with journal.store.read() as db:
        found = [
            {k: v for k, v in dict(row).items() if k != "rowid"}
            for row in db.execute("SELECT * FROM jobs ORDER BY created_at, rowid").fetchall()
        ]
        for job in found:
            job["history"] = [
                dict(event)
                for event in db.execute(
                    "SELECT at, state, detail FROM history WHERE local_id = ? ORDER BY rowid",
                    (job["local_id"],),
                ).fetchall()
            ]
    return found


def test_the_export_columns_are_the_schema_columns(journal_location: str) -> None:
    """What an export writes and an import accepts is every column of `jobs`, no more, no less."""
    journal = Journal(journal_location)
    with journal.store.read() as db:
        if journal.store.engine == "sqlite":
            columns = [row["name"] for row in db.execute("PRAGMA table_info(jobs)").fetchall()]
        else:
            found = db.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'jobs' AND table_schema = current_schema()"
            ).fetchall()
            columns = [row["column_name"] for row in found if row["column_name"] != "rowid"]
    assert sorted(JOB_COLUMNS) == sorted(columns)


def test_a_journal_goes_through_a_file_into_another_whole(journal_location: str, tmp_path: Path) -> None:
    """Every job, with every column and its whole history, arrives in an empty journal as it was."""
    source = Journal(tmp_path / "source.db")
    fill(source)
    exported = export_journal(source, tmp_path / "jobs.jsonl")
    assert exported.jobs == 4
    assert exported.history == sum(len(job["history"]) for job in rows(source))
    target = Journal(journal_location)
    done = import_journal(target, tmp_path / "jobs.jsonl")
    assert (len(done.added), done.kept) == (4, [])
    assert rows(target) == rows(source)


def test_a_round_trip_sqlite_postgres_sqlite_gives_identical_rows(postgres_url: str, tmp_path: Path) -> None:
    """SQLite -> file -> PostgreSQL -> file -> SQLite: the rows at the end are the rows at the start, value
    for value (floats, 64-bit sizes, text of any kind, history order)."""
    first = Journal(tmp_path / "first.db")
    fill(first)
    export_journal(first, tmp_path / "a.jsonl")
    server = Journal(postgres_url)
    import_journal(server, tmp_path / "a.jsonl")
    export_journal(server, tmp_path / "b.jsonl")
    last = Journal(tmp_path / "last.db")
    import_journal(last, tmp_path / "b.jsonl")
    assert rows(last) == rows(server) == rows(first)
    assert len(rows(first)) == 4
    with sqlite3.connect(tmp_path / "first.db") as a, sqlite3.connect(tmp_path / "last.db") as b:
        query = "SELECT * FROM jobs ORDER BY created_at"  # the stored types too (REAL stays REAL)
        typed = "SELECT typeof(estimated_cost_usd), typeof(bytes_downloaded), typeof(elapsed_s) FROM jobs"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        assert a.execute(typed).fetchall() == b.execute(typed).fetchall()


def test_an_import_run_twice_adds_nothing_the_second_time(journal_location: str, tmp_path: Path) -> None:
    """The second import finds every job there already (by local id): it counts them kept, adds none."""
    source = Journal(tmp_path / "source.db")
    fill(source)
    export_journal(source, tmp_path / "jobs.jsonl")
    target = Journal(journal_location)
    import_journal(target, tmp_path / "jobs.jsonl")
    before = rows(target)
    again = import_journal(target, tmp_path / "jobs.jsonl")
    assert (again.added, len(again.kept)) == ([], 4)
    assert rows(target) == before


def test_a_job_the_journal_has_is_never_rewritten(journal_location: str, tmp_path: Path) -> None:
    """A job present in both keeps the target's copy, even when the file's copy changed later; jobs the
    target lacks are added beside it."""
    target = Journal(journal_location)
    local_id = submit(target, "shared job")
    target.mark_submitted(local_id, request_id="req-shared", polling_url=None, attempts=1, warnings=[])
    export_journal(target, tmp_path / "jobs.jsonl")
    elsewhere = Journal(tmp_path / "elsewhere.db")
    import_journal(elsewhere, tmp_path / "jobs.jsonl")
    elsewhere.mark_gone(local_id, "changed on the other machine")  # newer there
    other = submit(elsewhere, "only elsewhere")
    export_journal(elsewhere, tmp_path / "back.jsonl")
    mine = [row for row in rows(target) if row["local_id"] == local_id]
    done = import_journal(target, tmp_path / "back.jsonl")
    assert done.added == [other]
    assert done.kept == [local_id]
    assert [row for row in rows(target) if row["local_id"] == local_id] == mine
    assert target.get(local_id).state == "queued"  # type: ignore[union-attr]


def test_a_job_whose_request_id_is_there_under_another_id_is_left_out(tmp_path: Path) -> None:
    """One paid job, one row: a file's job whose request id the journal has (under another local id) is not
    added, and the import says which."""
    source = Journal(tmp_path / "source.db")
    theirs = submit(source, "same request")
    source.mark_submitted(theirs, request_id="req-twice", polling_url=None, attempts=1, warnings=[])
    export_journal(source, tmp_path / "jobs.jsonl")
    target = Journal(tmp_path / "target.db")
    mine = submit(target, "same request")
    target.mark_submitted(mine, request_id="req-twice", polling_url=None, attempts=1, warnings=[])
    done = import_journal(target, tmp_path / "jobs.jsonl")
    assert (done.added, done.same_request) == ([], [theirs])
    assert [row["local_id"] for row in rows(target)] == [mine]


def test_open_jobs_arrive_with_nobody_following_them(journal_location: str, tmp_path: Path) -> None:
    """A queued job comes without its old follower, lease or pid (resume anywhere may take it); a submit
    still `submitting` comes unfollowed too, so the new journal settles it as unknown: never sent again."""
    source = Journal(tmp_path / "source.db")  # this process follows both, pid alive
    queued = submit(source, "queued one")
    source.mark_submitted(queued, request_id="req-q", polling_url=None, attempts=1, warnings=[])
    sending = submit(source, "still sending")
    assert source.get(queued).follower is not None  # type: ignore[union-attr]
    export_journal(source, tmp_path / "jobs.jsonl")
    target = Journal(journal_location)
    import_journal(target, tmp_path / "jobs.jsonl")
    for local_id in (queued, sending):
        record = target.get(local_id)
        assert record is not None
        assert (record.follower, record.lease_until, record.pid) == (None, None, None)
        assert record.user_name == source.get(local_id).user_name  # type: ignore[union-attr]
    assert jobs.listed(target, state="unknown")[0].local_id == sending
    assert [r.local_id for r in jobs.unfinished(target)] == [queued]


def line(job: dict[str, Any], history: list[Any] | None = None) -> str:
    return json.dumps({"job": job, "history": history or []})


HEADER = json.dumps({"format": "seedance-journal", "version": 1})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda job: {**job, "state": "paid-maybe"}, "is not a job state"),
        (lambda job: {**job, "charged": True}, "charged must be a whole number"),
        (lambda job: {**job, "estimated_cost_usd": "1.45"}, "estimated_cost_usd must be a number"),
        (lambda job: {**job, "pid": 2**40}, "pid must be a whole number"),
        (lambda job: {**job, "prompt": "nul \x00 inside"}, "prompt must be text"),
        (lambda job: {**job, "api_key": "sk-1"}, "unknown column(s) api_key"),
        (lambda job: {k: v for k, v in job.items() if k != "model"}, "the job has no model"),
    ],
)
def test_a_bad_line_writes_nothing_and_names_itself(change: Any, expected: str, tmp_path: Path) -> None:
    """Any line that is not a job as an export writes it refuses the whole file, before anything is written,
    with the line's number."""
    source = Journal(tmp_path / "source.db")
    fill(source)
    export_journal(source, tmp_path / "jobs.jsonl")
    lines = (tmp_path / "jobs.jsonl").read_text(encoding="utf-8").split("\n")[:-1]  # U+2028 is in a line
    data = json.loads(lines[3])
    lines[3] = line(change(data["job"]), data["history"])
    (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = Journal(tmp_path / "target.db")
    with pytest.raises(InputError) as caught:
        import_journal(target, tmp_path / "bad.jsonl")
    assert "line 4" in caught.value.message
    assert expected in caught.value.message
    assert rows(target) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ('{"local_id": "x"}\n', "is not a journal export"),
        ('{"format": "seedance-journal", "version": 9}\n', "written by a newer seedance"),
        (HEADER + "\nnot json\n", "line 2 is not JSON"),
        (HEADER + "\n" + "[" * 100_000 + "\n", "line 2 is nested too deeply"),
        (HEADER + '\n{"job": {"local_id": "a"}, "history": "x"}\n', "line 2"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(text: str, expected: str, tmp_path: Path) -> None:
    """Empty, headerless, from a newer version, not JSON, nested past the stack: one clear error, no rows."""
    (tmp_path / "bad.jsonl").write_text(text, encoding="utf-8")
    target = Journal(tmp_path / "target.db")
    with pytest.raises(InputError) as caught:
        import_journal(target, tmp_path / "bad.jsonl")
    assert expected in caught.value.message
    assert rows(target) == []


def test_an_export_never_writes_over_a_file_that_is_not_one(tmp_path: Path) -> None:
    """A batch file in the way is left alone (an error says so); an earlier export is replaced."""
    source = Journal(tmp_path / "source.db")
    fill(source)
    (tmp_path / "prompts.jsonl").write_text('{"prompt": "mine"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="is not a journal export; nothing was written"):
        export_journal(source, tmp_path / "prompts.jsonl")
    assert (tmp_path / "prompts.jsonl").read_text(encoding="utf-8") == '{"prompt": "mine"}\n'
    export_journal(source, tmp_path / "jobs.jsonl")
    submit(source, "one more")
    assert export_journal(source, tmp_path / "jobs.jsonl").jobs == 5


def cli_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", **extra}


def test_the_cli_moves_a_journal_into_a_server_and_says_the_counts(postgres_url: str, tmp_path: Path) -> None:
    """`seedance journal export FILE` reads the journal every command uses; `SEEDANCE_JOURNAL=URL seedance
    journal import FILE` writes the server's: added, then kept on a second run. The file is the user's only,
    and neither the file nor any output holds the server's password."""
    fill(Journal())  # the user's own journal (SEEDANCE_HOME)
    done = run_seedance_here(["journal", "export", "jobs.jsonl", "--json"], cli_env(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["jobs"] == 4
    assert stat.S_IMODE((tmp_path / "jobs.jsonl").stat().st_mode) == 0o600
    url = postgres_url.replace("postgres@", "postgres:hunter2-secret@")  # trust auth: any password logs in
    first = run_seedance_here(
        ["journal", "import", "jobs.jsonl"], cli_env(SEEDANCE_JOURNAL=url), cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert "added 4 job(s), kept 0 already there" in first.stdout
    second = run_seedance_here(
        ["journal", "import", "jobs.jsonl", "--json"], cli_env(SEEDANCE_JOURNAL=url), cwd=tmp_path
    )
    assert (json.loads(second.stdout)["added"], json.loads(second.stdout)["kept"]) == (0, 4)
    back = run_seedance_here(["journal", "export", "back.jsonl"], cli_env(SEEDANCE_JOURNAL=url), cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    header = json.loads((tmp_path / "back.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert header["engine"] == "postgresql"
    assert "***" in header["from"]
    for text in (
        first.stdout + first.stderr,
        second.stdout,
        back.stdout,
        (tmp_path / "back.jsonl").read_text(),
    ):
        assert "hunter2-secret" not in text
    assert rows(Journal(postgres_url)) == rows(Journal())


def test_the_cli_pipes_an_export_into_an_import(tmp_path: Path) -> None:
    """`export -` writes the lines on stdout (the count on stderr); `import -` reads them from stdin."""
    fill(Journal())
    out = run_seedance_here(["journal", "export", "-"], cli_env(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "exported 4 job(s)" in out.stderr
    target = str(tmp_path / "team.db")
    done = run_seedance_here(
        ["journal", "import", "-", "--json"], cli_env(SEEDANCE_JOURNAL=target), cwd=tmp_path, input=out.stdout
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 4
    assert rows(Journal(target)) == rows(Journal())


def test_the_cli_refuses_a_bad_file_in_one_line_with_exit_2(tmp_path: Path) -> None:
    """A device, a folder, a file of another kind: one error line and a hint, exit 2, no traceback."""
    (tmp_path / "prompts.jsonl").write_text('{"prompt": "a cat"}\n', encoding="utf-8")
    for source in ("/dev/zero", str(tmp_path), "prompts.jsonl", "missing.jsonl"):
        done = run_seedance_here(["journal", "import", source], cli_env(), cwd=tmp_path)
        assert done.returncode == 2, (source, done.stderr)
        assert done.stderr.startswith("error: "), done.stderr
        assert "Traceback" not in done.stderr
    assert Journal().jobs() == []


def test_an_export_of_real_jobs_never_holds_the_key(emulator: Any, tmp_path: Path) -> None:
    """Jobs sent through the gateway with a key (a prompt echoing it, too): the export holds neither."""
    env = cli_env(SEEDANCE_BASE_URL=emulator.base_url, PIXAZO_API_KEY=emulator.api_key)
    for prompt in ("a quiet harbour", f"the key is {emulator.api_key}"):
        sent = run_seedance_here(["generate", prompt, "--no-wait", "--json"], env, cwd=tmp_path)
        assert sent.returncode == 0, sent.stderr
    done = run_seedance_here(["journal", "export", "jobs.jsonl"], env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "jobs.jsonl").read_text(encoding="utf-8")
    assert text.count('"job"') == 2
    assert emulator.api_key not in text
