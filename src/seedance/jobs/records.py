"""What the journal's rows mean for the user: which jobs resume picks up, which may be forgotten or pruned,
and the settling of submits whose process died. (The journal only stores rows; these are the rules.)

Each function takes the journal to use; None means the user's own (`Journal()`), so the front ends never
open the store themselves.
"""

from __future__ import annotations

from typing import Any

from seedance.errors import InputError
from seedance.jobs.outputs import is_abandoned
from seedance.journal import JobRecord, Journal
from seedance.leases import is_followed
from seedance.states import JobState

ORPHANED = (
    "the process submitting this job stopped before the gateway answered; it may or may not have been queued"
)


def user_journal() -> Journal:
    """The user's own journal (in the user state folder): what the front ends hand to the service."""
    return Journal()


def settle_orphans(journal: Journal | None = None) -> None:
    """A `submitting` row whose process is gone (on another machine: whose lease ran out) never learnt its
    outcome: it becomes `unknown` (never resent).

    Called by whoever is about to show or act on the journal's jobs, before reading them; reads never write.
    """
    journal = journal or Journal()
    for record in journal.jobs(state=JobState.SUBMITTING):
        if not is_followed(record):
            journal.mark_unknown(record.local_id, ORPHANED)


def unfinished(journal: Journal | None = None) -> list[JobRecord]:
    """Jobs that resume should pick up, oldest first. Jobs on an `--emulator` that is gone (they can never
    finish, and cost nothing) are left out."""
    journal = journal or Journal()
    settle_orphans(journal)
    return [r for r in reversed(journal.jobs()) if r.is_unfinished and r.request_id and not is_abandoned(r)]


def listed(
    journal: Journal | None = None,
    *,
    state: str | None = None,
    batch_id: str | None = None,
    limit: int | None = None,
    since: str | None = None,
    made_only: bool = False,
    user: str | None = None,
    host: str | None = None,
) -> list[JobRecord]:
    """The jobs, newest first, filtered as the journal's `jobs()`, with dead submits settled first (they show
    as unknown, not as still submitting)."""
    journal = journal or Journal()
    settle_orphans(journal)
    return journal.jobs(
        state=state, batch_id=batch_id, limit=limit, since=since, made_only=made_only, user=user, host=host
    )


def find(key: str, journal: Journal | None = None) -> JobRecord | None:
    """The job with this local or request id (or a unique prefix of either), if the journal has it."""
    return (journal or Journal()).get(key)


def history(local_id: str, journal: Journal | None = None) -> list[dict[str, Any]]:
    """A job's state changes, oldest first."""
    return (journal or Journal()).history(local_id)


def prune(before: str, journal: Journal | None = None) -> int:
    """Delete jobs created before an ISO date that ended for good (`JobState.is_prunable`): never one with
    work left, nor a submit of unknown outcome the user still has to check. Return how many."""
    return (journal or Journal()).prune(before)


def forget(key: str, journal: Journal | None = None) -> JobRecord:
    """Delete one ended job (e.g. an unknown submit the user checked on the dashboard) and its history.

    Refused (InputError): a job resume can still act on, except on an emulator that stopped with the command
    that started it (it can never finish); a batch's line (the batch counts it as sent). Whole ids only.
    """
    journal = journal or Journal()
    settle_orphans(journal)  # a submit whose process died is unknown now, not "submitting"
    record = journal.get(key)
    if record is None or key not in (record.local_id, record.request_id):
        raise InputError(
            f"no job {key!r} in the journal", hint="`seedance jobs` lists the jobs with their whole ids"
        )
    if JobState(record.state).is_resumable and not is_abandoned(record):
        raise InputError(
            f"job {record.local_id} is {record.state}: it can still be finished, so it is kept",
            hint=f"`seedance resume {record.local_id}` finishes it",
        )
    if record.batch_id:
        retry = (
            "; `seedance batch FILE --retry-failed` sends a failed line again"
            if record.state == JobState.FAILED
            else ""
        )
        raise InputError(
            f"job {record.local_id} is line {record.batch_line} of a batch: the batch counts it as sent, so"
            " it is kept (forgetting it would let the batch send that line again)",
            hint=f"remove the line from the batch file if it should not run{retry}; `seedance spend` keeps counting it",
        )
    journal.delete(record.local_id, state=record.state)
    return record
