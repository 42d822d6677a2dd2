"""The job journal: a record of every paid submission, written before the request is sent.

A row is created (state `submitting`) before the POST, updated with the request id the moment it is known,
then with every status change, the result URL and the downloaded file. A crash at any point leaves a row
that `seedance resume` can finish; a submit whose outcome is unknown is marked so and never resent.
Its rows live in a store (`journal_store`): an SQLite file on one machine, or a PostgreSQL server that a team's
machines share. Each row says who submitted it (user, host) and which process follows it now (`follower`,
with a lease its heartbeat renews on a shared store). Never the key.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seedance.config import journal_location
from seedance.errors import InputError, JournalError, redact
from seedance.job_record import JobRecord, record_from_row
from seedance.journal_store import Connection, Store, is_server_url, open_store, shown_location
from seedance.leases import LEASES, lease_until, me
from seedance.models import JobStatus
from seedance.states import JobState

__all__ = ["JobRecord", "Journal"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal:
    """A handle on the journal; cheap to create, safe to share between processes and (on PostgreSQL) machines.

    `location`: a file path or a postgresql:// URL; None: $SEEDANCE_JOURNAL, the `journal` setting, else
    jobs.db in the user's seedance folder (`config.journal_location`).
    """

    def __init__(self, location: Path | str | None = None) -> None:
        where = journal_location() if location is None else location
        self.path = Path(where) if not is_server_url(where) else None
        """The journal's file; None for a journal on a server."""
        try:
            self.store: Store = open_store(where, _now())
        except (OSError, sqlite3.DatabaseError, JournalError) as exc:
            reason = exc.reason if isinstance(exc, JournalError) else exc
            on_server = self.path is None
            raise InputError(
                f"cannot open the job journal {shown_location(where)}: {reason}",
                hint="check SEEDANCE_JOURNAL: the PostgreSQL server must be reachable and accept the user"
                if on_server
                else "set SEEDANCE_HOME to a writable folder, or move a damaged jobs.db aside",
            ) from None
        self.where = self.store.where
        """The journal's place in words (a file, or a server URL without its password)."""

    @property
    def shared(self) -> bool:
        """Whether other machines write to this journal (a server): processes there are judged by lease."""
        return self.store.shared

    def _connect(self) -> AbstractContextManager[Connection]:
        return self.store.read()

    def _write(self, *, serial: bool = False) -> AbstractContextManager[Connection]:
        return self.store.write(serial=serial)

    # -- writing -------------------------------------------------------------------------------------------

    def record_submission(
        self,
        *,
        operation: str,
        model: str,
        prompt: str | None,
        body: dict[str, Any],
        settings: dict[str, Any],
        estimated_cost_usd: float | None = None,
        output_path: str | None = None,
        want_download: bool = True,
        batch_id: str | None = None,
        batch_line: int | None = None,
        gateway: str | None = None,
        ephemeral_gateway: bool = False,
        before_insert: Callable[[], None] | None = None,
    ) -> str:
        """Write the row for a submission about to be sent; return its local id.

        `before_insert` runs inside the write transaction, before the row: the service's last checks (the
        output file is nobody else's, no identical job is open) see every committed row and no other writer
        can add one until this row is in, so two processes can never both pass them. An exception from it
        writes nothing.
        """
        local_id = uuid.uuid4().hex[:12]
        now = _now()
        who = me()
        with self._write(serial=True) as db:
            if before_insert is not None:
                before_insert()
            db.execute(
                "INSERT INTO jobs (local_id, created_at, updated_at, operation, model, prompt, request_json,"
                " settings_json, state, estimated_cost_usd, output_path, want_download, batch_id, batch_line, pid,"
                " gateway, ephemeral_gateway, user_name, host, follower, lease_until)"
                " VALUES (?,?,?,?,?,?,?,?,'submitting',?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    local_id,
                    now,
                    now,
                    operation,
                    model,
                    redact(prompt) if prompt is not None else None,
                    json.dumps(body),  # as sent (the key is never in a body): reruns match lines by it
                    json.dumps(settings),
                    estimated_cost_usd,
                    output_path,
                    int(want_download),
                    batch_id,
                    batch_line,
                    who.pid,
                    gateway,
                    int(ephemeral_gateway),
                    who.user,
                    who.host,
                    who.follower,
                    lease_until(),
                ),
            )
            self._history(db, local_id, "submitting", None)
        LEASES.keep(self)
        return local_id

    def jobs_saving_to(self, output_path: str, *, other_than: str | None = None) -> list[JobRecord]:
        """Jobs, newest first, that want their video saved at `output_path` (compared case-insensitively:
        macOS and Windows disks ignore case) and are in a state that may own it; `other_than` is left out."""
        owning = [state.value for state in JobState if state.owns_output]
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM jobs WHERE {self.store.nocase('output_path')} AND want_download = 1"
                f" AND local_id != ? AND state IN ({','.join('?' * len(owning))}) ORDER BY created_at DESC",
                (output_path, other_than or "", *owning),
            ).fetchall()
        return [record_from_row(row) for row in rows]

    def _history(self, db: Connection, local_id: str, state: str, detail: str | None) -> None:
        db.execute(
            "INSERT INTO history (local_id, at, state, detail) VALUES (?,?,?,?)",
            (local_id, _now(), state, detail),
        )

    def _update(self, local_id: str, state: str | None, detail: str | None = None, **fields: Any) -> None:
        # Whatever the gateway said (an error text echoing the key) is kept with every secret redacted.
        fields = {name: redact(value) if isinstance(value, str) else value for name, value in fields.items()}
        detail = redact(detail) if detail is not None else None
        if state is not None:
            fields["state"] = state
        fields["updated_at"] = _now()
        columns = ", ".join(f"{name} = ?" for name in fields)
        with self._write() as db:
            db.execute(f"UPDATE jobs SET {columns} WHERE local_id = ?", (*fields.values(), local_id))
            if state is not None:
                self._history(db, local_id, state, detail)

    def mark_submitted(
        self, local_id: str, *, request_id: str, polling_url: str | None, attempts: int, warnings: list[str]
    ) -> None:
        """Record the request id the moment the gateway gives it."""
        self._update(
            local_id,
            "queued",
            request_id,
            request_id=request_id,
            polling_url=polling_url,
            submit_attempts=attempts,
            warnings_json=json.dumps(warnings),
            submitted_at=_now(),
        )

    def mark_unknown(self, local_id: str, error: str) -> None:
        """The submit may or may not have been queued: never resend it, show it to the user."""
        self._update(local_id, "unknown", error, error=error)

    def mark_rejected(self, local_id: str, error: str) -> None:
        """The gateway refused the submit: nothing was queued, nothing charged."""
        self._update(local_id, "rejected", error, error=error, charged=0, finished_at=_now())

    def record_status(self, local_id: str, status: JobStatus) -> None:
        """Record a status read from the gateway (only changes add a history line)."""
        current = self.get(local_id)
        state = status.state.value
        if current is not None and current.state == JobState.DOWNLOADED:
            state = "downloaded"
        fields: dict[str, Any] = {"raw_status": status.raw_status}
        if status.video_url:
            fields.update(video_url=status.video_url, video_url_at=status.fetched_at.isoformat())
        if status.state.is_final:
            fields.update(error=status.error, charged=None if status.charged is None else int(status.charged))
            if current is not None and current.finished_at is None:
                fields["finished_at"] = _now()
                if status.run_seconds is not None:  # the gateway's own clock: no polling lag in it
                    fields["elapsed_s"] = round(status.run_seconds, 3)
                elif current.submitted_at:
                    started = datetime.fromisoformat(current.submitted_at)
                    fields["elapsed_s"] = round((datetime.now(UTC) - started).total_seconds(), 3)
        changed = current is None or current.state != state
        self._update(local_id, state if changed else None, status.error or status.raw_status, **fields)

    def mark_downloaded(self, local_id: str, *, path: str, size: int, sha256: str) -> None:
        """Record the finished file."""
        self._update(
            local_id,
            "downloaded",
            path,
            output_path=path,
            bytes_downloaded=size,
            sha256=sha256,
            downloaded_at=_now(),
        )

    def set_output(self, local_id: str, *, output_path: str | None, want_download: bool) -> None:
        """Change where (and whether) a job's video should be saved."""
        self._update(local_id, None, output_path=output_path, want_download=int(want_download))

    def mark_gone(self, local_id: str, error: str) -> None:
        """The gateway no longer knows the job (e.g. 404 on resume): stop trying, keep the row."""
        self._update(local_id, "failed", error, error=error, finished_at=_now())

    # -- reading -------------------------------------------------------------------------------------------

    def get(self, key: str) -> JobRecord | None:
        """Find a job by local id, request id, or a unique prefix of either."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE local_id = ? OR request_id = ?", (key, key)).fetchone()
            if row is None:
                rows = _prefix_rows(db, key, limit=2)
                row = rows[0] if len(rows) == 1 else None
        return record_from_row(row) if row is not None else None

    def ambiguous(self, key: str) -> list[str]:
        """The local ids of the jobs a prefix matches, when it matches more than one (else [])."""
        with self._connect() as db:
            if db.execute("SELECT 1 FROM jobs WHERE local_id = ? OR request_id = ?", (key, key)).fetchone():
                return []
            rows = _prefix_rows(db, key, limit=6)
        return [row["local_id"] for row in rows] if len(rows) > 1 else []

    def jobs(
        self,
        *,
        state: str | None = None,
        batch_id: str | None = None,
        limit: int | None = None,
        since: str | None = None,
        made_only: bool = False,
        user: str | None = None,
        host: str | None = None,
    ) -> list[JobRecord]:
        """Jobs, newest first, optionally filtered (`user`, `host`: who submitted them); `made_only` leaves
        out submits the gateway refused (`rejected`: no job was made)."""
        where, args = [], []
        for column, value in (("user_name", user), ("host", host)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if state:
            where.append("state = ?")
            args.append(state)
        if made_only:
            where.append("state != 'rejected'")
        if batch_id:
            where.append("batch_id = ?")
            args.append(batch_id)
        if since:
            where.append("created_at >= ?")
            args.append(since)
        sql = "SELECT * FROM jobs" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY created_at DESC, rowid DESC" + (f" LIMIT {int(limit)}" if limit else "")
        with self._connect() as db:
            return [record_from_row(row) for row in db.execute(sql, args).fetchall()]

    def created_since(self, since: str, *, operation: str) -> list[JobRecord]:
        """Jobs of one operation created at `since` (ISO) or later, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE created_at >= ? AND operation = ? ORDER BY created_at DESC, rowid DESC",
                (since, operation),
            ).fetchall()
        return [record_from_row(row) for row in rows]

    def history(self, local_id: str) -> list[dict[str, Any]]:
        """The job's state changes, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT at, state, detail FROM history WHERE local_id = ? ORDER BY rowid", (local_id,)
            ).fetchall()
        return [dict(row) for row in rows]

    def durations(
        self, operation: str, *, resolution: str | None, duration: int | None, limit: int = 20
    ) -> list[float]:
        """Recent run times (submit to end) of succeeded jobs like this one, for the polling schedule."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT elapsed_s, settings_json FROM jobs WHERE operation = ? AND elapsed_s IS NOT NULL"
                " AND state IN ('succeeded', 'downloaded') ORDER BY created_at DESC LIMIT 200",
                (operation,),
            ).fetchall()
        found = []
        for row in rows:
            settings = json.loads(row["settings_json"])
            if settings.get("resolution") == resolution and settings.get("duration") == duration:
                found.append(float(row["elapsed_s"]))
        return found[:limit]

    def prune(self, before: str) -> int:
        """Delete the jobs created before an ISO date that have ended for good (`JobState.is_prunable`);
        return how many."""
        ended = [state.value for state in JobState if state.is_prunable]
        with self._write() as db:
            cur = db.execute(
                f"DELETE FROM jobs WHERE created_at < ? AND state IN ({','.join('?' * len(ended))})",
                (before, *ended),
            )
            return cur.rowcount

    def delete(self, local_id: str, *, state: str) -> bool:
        """Delete one job and its history if it is still in `state` (the state its deleter decided on)."""
        with self._write() as db:
            cur = db.execute("DELETE FROM jobs WHERE local_id = ? AND state = ?", (local_id, state))
            if cur.rowcount:
                db.execute("DELETE FROM history WHERE local_id = ?", (local_id,))
            return bool(cur.rowcount)


def _prefix_rows(db: Connection, key: str, *, limit: int) -> list[Any]:
    """Jobs whose local or request id starts with `key` (4 characters at least), newest first."""
    if len(key) < 4:
        return []
    prefix = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return db.execute(
        "SELECT * FROM jobs WHERE local_id LIKE ? ESCAPE '\\' OR request_id LIKE ? ESCAPE '\\'"
        f" ORDER BY created_at DESC LIMIT {int(limit)}",
        (prefix, prefix),
    ).fetchall()
