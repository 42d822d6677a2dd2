"""The journal's follower columns: who follows a job now and until when (the rules are in `seedance.leases`).

A take-over is a serial write: the row is read and judged inside it, so two machines never both take one job.
"""

from __future__ import annotations

from collections.abc import Callable

from seedance.job_record import JobRecord
from seedance.journal import Journal
from seedance.leases import LEASES, lease_until, me


def take_over(
    journal: Journal, local_id: str, *, is_followed: Callable[[JobRecord], bool]
) -> JobRecord | None:
    """Make this process the job's follower unless a live process follows it; the record taken, else None."""
    who = me()
    with journal.store.write(serial=True) as db:
        record = journal.get(local_id)
        if record is None or (record.follower != who.follower and is_followed(record)):
            return None
        db.execute(
            "UPDATE jobs SET follower = ?, lease_until = ? WHERE local_id = ?",
            (who.follower, lease_until(), local_id),
        )
    LEASES.keep(journal)
    return record


def renew(journal: Journal, follower: str, until: str) -> None:
    """The heartbeat: `follower` still follows its jobs until `until`."""
    with journal.store.write() as db:
        db.execute("UPDATE jobs SET lease_until = ? WHERE follower = ?", (until, follower))


def let_go(journal: Journal, local_ids: list[str], follower: str | None = None) -> None:
    """`follower` (this process) stops following these jobs (every one of its jobs when `local_ids` is
    empty): any process may take them over now."""
    who = follower or me().follower
    marks = ",".join("?" * len(local_ids))
    with journal.store.write() as db:
        db.execute(
            "UPDATE jobs SET follower = NULL, lease_until = NULL WHERE follower = ?"
            + (f" AND local_id IN ({marks})" if local_ids else ""),
            (who, *local_ids),
        )
