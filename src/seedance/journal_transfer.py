"""Move a journal's jobs to a file and into another journal (an SQLite file, or a team's PostgreSQL server).

The file is JSON Lines: a header `{"format": "seedance-journal", "version": 1, ...}`, then one job a line,
`{"job": {column: value, ...}, "history": [{"at", "state", "detail"}, ...]}`, oldest job first, every column
as stored (nothing rounded or renamed), so SQLite -> file -> PostgreSQL -> file -> SQLite gives the same rows.
The journal never holds the API key; the header names the journal without its password.

Import adds the jobs the journal lacks, by `local_id`, and never rewrites one it has: the journal that has a
job is the one following it (a process there may be polling it now), so running an import twice adds
nothing the second time. A job whose request id the journal already has under another id (the same paid
job, journaled twice) is left out too. A job that something may still happen to (submitting, queued,
running, or succeeded and not downloaded) arrives with no follower, lease or pid: the new journal's
processes judge it afresh (a `submitting` row nobody follows becomes `unknown`, never sent again: it may have
been paid). The whole file is checked before anything is written, then written in one transaction.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seedance.bounded import MIB, read_file, read_stream
from seedance.errors import LONE_SURROGATE, InputError, redact_data, shown
from seedance.job_record import JobRecord
from seedance.journal import Journal
from seedance.states import JobState

FORMAT = "seedance-journal"
"""The header's `format`: what marks a file as a journal export."""
VERSION = 1
"""The header's `version`: an import refuses a file written by a newer format."""
IMPORT_LIMIT = 256 * MIB
"""The largest file an import reads (all of it is checked before anything is written)."""
LINE_LIMIT = 16 * MIB

JOB_COLUMNS: tuple[str, ...] = tuple(JobRecord.model_fields)
"""The columns of `jobs` (a test holds them equal to the schema's)."""
_INTEGERS = frozenset(
    {
        "charged",
        "submit_attempts",
        "want_download",
        "bytes_downloaded",
        "batch_line",
        "pid",
        "ephemeral_gateway",
    }
)
_REALS = frozenset({"estimated_cost_usd", "elapsed_s"})
_REQUIRED = frozenset(
    {"local_id", "created_at", "updated_at", "operation", "model", "request_json", "settings_json", "state"}
)
_DEFAULTS: dict[str, Any] = {
    "submit_attempts": 0,
    "warnings_json": "[]",
    "want_download": 1,
    "ephemeral_gateway": 0,
}
_CLEARED_WHEN_OPEN = ("follower", "lease_until", "pid")
"""Who followed an open job in the old journal: meaningless in the new one (a pid there may be anyone's)."""
HISTORY_KEYS = ("at", "state", "detail")


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    file: Path
    jobs: int
    history: int
    """History lines (state changes) written, over all jobs."""


@dataclass(frozen=True)
class Imported:
    """What an import did: the jobs added, and those the journal already had (left exactly as they were)."""

    file: Path
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """Jobs already in the journal (same local id): never rewritten."""
    same_request: list[str] = field(default_factory=list)
    """Jobs whose request id the journal has under another local id: left out (one paid job, one row)."""


@dataclass(frozen=True)
class _Entry:
    job: dict[str, Any]
    history: list[dict[str, Any]]


# -- export --------------------------------------------------------------------------------------------------


def export_journal(journal: Journal, file: Path | str) -> Exported:
    """Write every job of `journal` and its history to `file` (JSON Lines), whole or not at all.

    A file already there is replaced only if it is a journal export; anything else is refused (InputError).
    The file is made readable by its owner only: prompts are the user's own.
    """
    path = Path(file).expanduser()
    _check_replaceable(path)
    text, jobs, history = export_text(journal)
    _write_whole(path, text)
    return Exported(path, jobs, history)


def export_text(journal: Journal) -> tuple[str, int, int]:
    """The export of `journal` as text (header and one line per job), with its counts of jobs and history."""
    with journal.store.read() as db:
        rows = db.execute("SELECT * FROM jobs ORDER BY created_at, rowid").fetchall()
        events = db.execute("SELECT local_id, at, state, detail FROM history ORDER BY rowid").fetchall()
    history: dict[str, list[dict[str, Any]]] = {}
    for event in events:  # read after the jobs: a job added meanwhile is not in `rows`, its lines are ignored
        history.setdefault(event["local_id"], []).append({key: event[key] for key in HISTORY_KEYS})
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "from": journal.where,
        "engine": journal.store.engine,
        "jobs": len(rows),
    }
    lines = [json.dumps(header, ensure_ascii=False)]
    written = 0
    for row in rows:
        job = {key: row[key] for key in dict(row) if key != "rowid"}  # PostgreSQL's explicit rowid: not data
        events_of = history.get(job["local_id"], [])
        written += len(events_of)
        lines.append(json.dumps(redact_data({"job": job, "history": events_of}), ensure_ascii=False))
    return "\n".join(lines) + "\n", len(rows), written


def _check_replaceable(path: Path) -> None:
    """Refuse to write over a file that is not a journal export (a batch file, a database, anything else)."""
    if not path.exists():
        return
    if path.is_dir():
        raise InputError(f"{shown(path)} is a folder; give a file name for the export")
    try:
        with path.open("rb") as fh:
            head = fh.readline(4096)
        is_export = json.loads(head).get("format") == FORMAT
    except (OSError, ValueError, AttributeError, RecursionError):
        is_export = False
    if not is_export:
        raise InputError(
            f"{shown(path)} exists and is not a journal export; nothing was written",
            hint="choose another file name (an earlier export is replaced in place)",
        )


def _write_whole(path: Path, text: str) -> None:
    """Write `path` by rename (a reader never sees half a file), created owner-only from the start."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(
            f"cannot write the export {shown(path)}: {exc.strerror or exc}", hint="choose another file"
        ) from None


# -- import --------------------------------------------------------------------------------------------------


def import_journal(journal: Journal, file: Path | str) -> Imported:
    """Add the jobs of an export file (`-`: standard input) that `journal` lacks (by local id); return what
    was added and kept.

    Nothing is written unless the whole file is a valid export; then all of it goes in one transaction.
    """
    entries = list(_entries(file))
    done = Imported(Path(file).expanduser())
    # Serial: deciding "not there yet" and adding the row is one step for everyone (as a submit's checks are).
    with journal.store.write(serial=True) as db:
        # Only serial writes add jobs: read once, the ids stay true until this transaction ends.
        present = db.execute("SELECT local_id, request_id FROM jobs").fetchall()
        local_ids = {row["local_id"] for row in present}
        request_ids = {row["request_id"] for row in present if row["request_id"] is not None}
        for entry in entries:
            job = entry.job
            local_id = job["local_id"]
            if local_id in local_ids:
                done.kept.append(local_id)
                continue
            if job["request_id"] is not None and job["request_id"] in request_ids:
                done.same_request.append(local_id)
                continue
            local_ids.add(local_id)
            if job["request_id"] is not None:
                request_ids.add(job["request_id"])
            if JobState(job["state"]).is_resumable:
                job = {**job, **dict.fromkeys(_CLEARED_WHEN_OPEN)}
            columns = list(job)
            db.execute(
                f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [job[column] for column in columns],
            )
            for event in entry.history:
                db.execute(
                    "INSERT INTO history (local_id, at, state, detail) VALUES (?,?,?,?)",
                    (local_id, event["at"], event["state"], event["detail"]),
                )
            done.added.append(local_id)
    return done


def _entries(file: Path | str) -> Iterator[_Entry]:
    if str(file) == "-":
        where = "standard input"
        data = read_stream(
            sys.stdin.buffer, IMPORT_LIMIT, "the journal export on " + where, line_limit=LINE_LIMIT
        )
    else:
        path = Path(file).expanduser()
        where = shown(path)
        data = read_file(path, IMPORT_LIMIT, "the journal export", line_limit=LINE_LIMIT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where} is not UTF-8 text (byte {exc.start})", hint=_EXPORT_HINT) from None
    lines = text.split("\n")  # not splitlines(): U+2028 and friends may stand inside a JSON string
    if not lines or not lines[0].strip():
        raise InputError(f"{where} is empty; it is not a journal export", hint=_EXPORT_HINT)
    _check_header(_json_line(lines[0], where, 1), where)
    seen: set[str] = set()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        entry = _entry(_json_line(line, where, number), f"{where} line {number}")
        if entry.job["local_id"] in seen:
            raise InputError(f"{where} line {number}: job {entry.job['local_id']} is in the file twice")
        seen.add(entry.job["local_id"])
        yield entry


_EXPORT_HINT = "give a file written by `seedance journal export`"


def _json_line(line: str, where: str, number: int) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} line {number} is not JSON ({exc.msg})", hint=_EXPORT_HINT) from None
    except RecursionError:  # `[[[[...` nested past Python's stack
        raise InputError(f"{where} line {number} is nested too deeply", hint=_EXPORT_HINT) from None
    if not isinstance(data, dict):
        raise InputError(f"{where} line {number} is not a JSON object", hint=_EXPORT_HINT)
    return data


def _check_header(header: dict[str, Any], where: str) -> None:
    if header.get("format") != FORMAT:
        raise InputError(
            f"{where} is not a journal export (its first line has no format {FORMAT!r})", hint=_EXPORT_HINT
        )
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError(f"{where}: the export's version {shown(version)} is not a version number")
    if version > VERSION:
        raise InputError(
            f"{where} was written by a newer seedance (export version {version}; this one reads {VERSION})",
            hint="upgrade seedance (pip install -U seedance), then import again",
        )


def _entry(data: dict[str, Any], where: str) -> _Entry:
    job, history = data.get("job"), data.get("history", [])
    if not isinstance(job, dict):
        raise InputError(f"{where}: no `job` object", hint=_EXPORT_HINT)
    unknown = sorted(set(job) - set(JOB_COLUMNS))
    if unknown:
        raise InputError(
            f"{where}: unknown column(s) {shown(', '.join(unknown))}",
            hint="the file may come from a newer seedance: upgrade, then import again",
        )
    checked = {column: job.get(column, _DEFAULTS.get(column)) for column in JOB_COLUMNS}
    for column, value in checked.items():
        _check_value(column, value, where)
        if column in _REALS and value is not None:
            checked[column] = float(value)  # REAL / DOUBLE PRECISION whatever the file spelt
    try:
        JobState(str(checked["state"]))
    except ValueError:
        raise InputError(f"{where}: {shown(checked['state'])} is not a job state") from None
    if not isinstance(history, list) or not all(_is_event(event) for event in history):
        raise InputError(
            f"{where}: `history` must be a list of {{at, state, detail}} objects", hint=_EXPORT_HINT
        )
    events = [{key: event.get(key) for key in HISTORY_KEYS} for event in history]
    return _Entry(checked, events)


def _is_event(event: Any) -> bool:
    if not isinstance(event, dict):
        return False
    values = [event.get(key) for key in HISTORY_KEYS]
    return all(
        (isinstance(v, str) and not LONE_SURROGATE.search(v) and "\x00" not in v)
        or (v is None and k == "detail")
        for k, v in zip(HISTORY_KEYS, values, strict=True)
    )


def _check_value(column: str, value: Any, where: str) -> None:
    if value is None:
        if column in _REQUIRED or column in _DEFAULTS:
            raise InputError(f"{where}: the job has no {column}", hint=_EXPORT_HINT)
        return
    if column in _INTEGERS:
        bound = 2**63 if column == "bytes_downloaded" else 2**31  # PostgreSQL's BIGINT and INTEGER
        ok = isinstance(value, int) and not isinstance(value, bool) and -bound <= value < bound
    elif column in _REALS:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    else:
        ok = (
            isinstance(value, str)
            and not LONE_SURROGATE.search(value)  # not text: no database can store it
            and "\x00" not in value  # PostgreSQL's text cannot hold it
            and (column != "local_id" or bool(value.strip()))
        )
    if not ok:
        kind = "a whole number" if column in _INTEGERS else "a number" if column in _REALS else "text"
        raise InputError(
            f"{where}: {column} must be {kind}, not {shown(json.dumps(value))}", hint=_EXPORT_HINT
        )
