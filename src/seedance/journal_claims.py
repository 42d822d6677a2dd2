"""The journal's queries for a batch run by many workers at once: claims on lines, their outcomes, the spend.

A claim is a row of `claims` for (batch id, line number): the worker (`host:pid`) that submits and follows the
line, until when its lease holds, and the line's outcome once that worker ended it (`outcome_json`). The line
number is the key: workers that share a batch run the same file (one `--out` folder is one batch), and a
job row names its line by number too, so "has this line a job?" is one indexed lookup. (A rerun with an edited
file is matched to earlier jobs by what each line asks, in `batch.prior`, before any line is claimed.)

Claiming is a serial write: on PostgreSQL the rows of the candidate lines are read `FOR UPDATE SKIP LOCKED`
(a row another transaction holds, a heartbeat renewing its lease, is a live worker's: skipped, never waited
for); on SQLite the same SQL runs inside `BEGIN IMMEDIATE`, which is exclusive already. These functions hold
no policy: who is gone (`holder_gone`) and which earlier jobs do not count (`ignored`) come from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from seedance.job_record import JobRecord, record_from_row
from seedance.journal import Journal
from seedance.journal_store import Connection

RELEASED = ""
"""A claim's lease once its worker let it go (a clean exit): before every time, so expired at once."""


@dataclass(frozen=True)
class Claim:
    """One line's claim as stored."""

    line: int
    worker: str
    lease_until: str
    outcome_json: str | None


@dataclass
class Claimed:
    """What one `claim_first` call found."""

    line: int | None = None
    """The line claimed for the caller (None: no candidate was free)."""
    held: list[int] = field(default_factory=list)
    """Candidates before it that another worker holds (or ran, and its job row is there)."""


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _locking(journal: Journal) -> str:
    return " FOR UPDATE SKIP LOCKED" if journal.store.engine == "postgresql" else ""


def _claims(
    db: Connection, journal: Journal, batch_id: str, lines: Sequence[int], lock: bool
) -> dict[int, Claim]:
    rows = db.execute(
        f"SELECT line, worker, lease_until, outcome_json FROM claims WHERE batch_id = ? AND line IN"
        f" ({_marks(len(lines))})" + (_locking(journal) if lock else ""),
        (batch_id, *lines),
    ).fetchall()
    return {
        int(r["line"]): Claim(int(r["line"]), r["worker"], r["lease_until"], r["outcome_json"]) for r in rows
    }


def _jobs(db: Connection, batch_id: str, lines: Sequence[int]) -> dict[int, list[JobRecord]]:
    rows = db.execute(
        f"SELECT * FROM jobs WHERE batch_id = ? AND batch_line IN ({_marks(len(lines))})"
        " ORDER BY created_at DESC, rowid DESC",
        (batch_id, *lines),
    ).fetchall()
    found: dict[int, list[JobRecord]] = {}
    for row in rows:
        record = record_from_row(row)
        found.setdefault(int(record.batch_line or 0), []).append(record)
    return found


def claim_first(
    journal: Journal,
    batch_id: str,
    candidates: Sequence[int],
    worker: str,
    *,
    until: str,
    holder_gone: Callable[[Claim], bool],
    counts: Callable[[int, JobRecord], bool],
) -> Claimed:
    """Claim the first candidate line (in the order given) that is free, in one serial write.

    Free: no claim; a claim of `worker` itself; or a claim whose holder is gone (`holder_gone`: its lease
    ended, or its process is dead) and whose line has no job row that `counts` (the caller leaves out
    refused submits, jobs on another gateway or of another request, earlier attempts it sends again). A gone worker's line
    that has a job is never sent again: it is followed (queued) or reported (`submitting` becomes `unknown`).
    A claim taken anew drops the outcome an earlier run stored.
    """
    result = Claimed()
    if not candidates:
        return result
    with journal.store.write(serial=True) as db:
        claims = _claims(db, journal, batch_id, candidates, lock=True)
        jobs = _jobs(db, batch_id, candidates)
        for line in candidates:
            claim = claims.get(line)
            mine = claim is not None and claim.worker == worker
            if not mine and claim is not None and not holder_gone(claim):
                result.held.append(line)
                continue
            made = [r for r in jobs.get(line, []) if counts(line, r)]
            if made:  # sent (or maybe sent) already, whoever holds it: never twice
                result.held.append(line)
                continue
            if claim is None:  # no row seen: none, or one skipped as locked (a live worker renewing it)
                cur = db.execute(
                    "INSERT INTO claims (batch_id, line, worker, lease_until) VALUES (?,?,?,?)"
                    " ON CONFLICT (batch_id, line) DO NOTHING",
                    (batch_id, line, worker, until),
                )
                if not cur.rowcount:
                    result.held.append(line)
                    continue
            else:  # its row is locked by this transaction: nobody renews or claims it meanwhile
                db.execute(
                    "UPDATE claims SET worker = ?, lease_until = ?, outcome_json = NULL"
                    " WHERE batch_id = ? AND line = ?",
                    (worker, until, batch_id, line),
                )
            result.line = line
            return result
    return result


def adopt(journal: Journal, batch_id: str, line: int, worker: str, *, until: str) -> None:
    """Make `worker` the line's holder (it took over the line's job, or settles it), its outcome to come."""
    with journal.store.write(serial=True) as db:
        db.execute(
            "INSERT INTO claims (batch_id, line, worker, lease_until, outcome_json) VALUES (?,?,?,?,NULL)"
            " ON CONFLICT (batch_id, line) DO UPDATE SET worker = excluded.worker,"
            " lease_until = excluded.lease_until, outcome_json = NULL",
            (batch_id, line, worker, until),
        )


def holder(journal: Journal, batch_id: str, line: int) -> str | None:
    """The worker that holds the line now (read inside the submit's transaction, it is final)."""
    with journal.store.read() as db:
        row = db.execute(
            "SELECT worker FROM claims WHERE batch_id = ? AND line = ?", (batch_id, line)
        ).fetchone()
    return None if row is None else str(row["worker"])


def set_outcome(journal: Journal, batch_id: str, line: int, worker: str, outcome_json: str) -> None:
    """Store the line's outcome, if `worker` still holds it: every worker then knows the line has ended."""
    with journal.store.write() as db:
        db.execute(
            "UPDATE claims SET outcome_json = ? WHERE batch_id = ? AND line = ? AND worker = ?",
            (outcome_json, batch_id, line, worker),
        )


def watched(
    journal: Journal, batch_id: str, lines: Sequence[int]
) -> tuple[dict[int, Claim], dict[int, list[JobRecord]]]:
    """The claims and the job rows (newest first) of some lines: what a worker waiting for them reads."""
    if not lines:
        return {}, {}
    with journal.store.read() as db:
        return _claims(db, journal, batch_id, lines, lock=False), _jobs(db, batch_id, lines)


def renew(journal: Journal, worker: str, until: str) -> None:
    """The worker's heartbeat: its claims hold until `until`."""
    with journal.store.write() as db:
        db.execute(
            "UPDATE claims SET lease_until = ? WHERE worker = ? AND lease_until != ?",
            (until, worker, RELEASED),
        )


def release(journal: Journal, worker: str) -> None:
    """The worker stops (a clean exit): its claims are free at once (lines with a job stay with their job)."""
    with journal.store.write() as db:
        db.execute("UPDATE claims SET lease_until = ? WHERE worker = ?", (RELEASED, worker))


def batch_spend(journal: Journal, batch_id: str, gateway: str) -> tuple[float, int]:
    """The summed estimates of the batch's jobs on `gateway` that may cost (every row but refused submits),
    and how many of them have no known price. Read inside the submit's transaction, it is final."""
    with journal.store.read() as db:
        row: Any = db.execute(
            "SELECT COALESCE(SUM(estimated_cost_usd), 0) AS known,"
            " COALESCE(SUM(CASE WHEN estimated_cost_usd IS NULL THEN 1 ELSE 0 END), 0) AS unpriced"
            " FROM jobs WHERE batch_id = ? AND state != 'rejected' AND (gateway IS NULL OR gateway = ?)",
            (batch_id, gateway),
        ).fetchone()
    return float(row["known"]), int(row["unpriced"])
