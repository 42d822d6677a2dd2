"""Finish what the journal says is unfinished: wait for each job and download it, one bad job not stopping the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from seedance import jobs
from seedance.client import Client
from seedance.errors import InputError, InvalidRequestError, SeedanceError
from seedance.journal import JobRecord, Journal
from seedance.leases import following
from seedance.models import JobStatus, Result
from seedance.protocol import is_usable_id
from seedance.states import JobState


@dataclass
class Resumed:
    """What happened to one job: its result, or the error that stopped it, or why it was skipped."""

    record: JobRecord
    result: Result | None = None
    error: SeedanceError | None = None
    skipped: str | None = None


def pick(key: str | None, journal: Journal | None = None) -> list[JobRecord]:
    """The jobs to resume: the one named (journal id or request id), or every unfinished one."""
    journal = journal or Journal()
    if key is None:
        return jobs.unfinished(journal)
    jobs.settle_orphans(journal)  # a submit whose process died shows as unknown, not as still submitting
    record = journal.get(key)
    if record is None:
        raise InputError(
            f"no job {key!r} in the journal",
            hint="`seedance jobs` lists the jobs; a job from elsewhere: `seedance wait REQUEST_ID`",
        )
    return [record]


def unknown_outcome(journal: Journal | None = None) -> list[JobRecord]:
    """Submits whose outcome is unknown and whose request id never arrived: resume cannot fetch them."""
    return [r for r in jobs.listed(journal, state=JobState.UNKNOWN) if not r.request_id]


def resume_jobs(
    client: Client,
    records: list[JobRecord],
    *,
    timeout: float = 600.0,
    on_update: Callable[[JobRecord, JobStatus], None] | None = None,
    on_progress: Callable[[JobRecord, int, int | None], None] | None = None,
) -> Iterator[Resumed]:
    """Wait for and download each job in turn; yield what happened to each (`on_update` gets each status
    read, `on_progress` the bytes of each download)."""
    assert client.journal is not None
    for record in records:
        if not record.request_id:
            yield Resumed(record, skipped=f"state {record.state}: no request id (check your dashboard)")
            continue
        if not is_usable_id(record.request_id):  # kept by an older version: it can never be polled
            yield Resumed(
                record, skipped="its request id cannot be polled (check your dashboard, then forget it)"
            )
            continue
        if not record.sent_to(client.base_url):
            yield Resumed(record, skipped=f"sent to another gateway: {record.gateway_hint}")
            continue
        if not client.take_over(record):
            yield Resumed(record, skipped=f"{following(record)} follows it; it will finish it")
            continue

        def update(status: JobStatus, rec: JobRecord = record) -> None:
            if on_update is not None:
                on_update(rec, status)

        def progress(written: int, total: int | None, rec: JobRecord = record) -> None:
            if on_progress is not None:
                on_progress(rec, written, total)

        try:
            result = client.finish(
                record.local_id,
                record.output_path,
                timeout=timeout,
                on_update=update,
                download=record.want_download,
                on_progress=progress,
            )
        except InvalidRequestError as exc:
            if exc.status_code == 404:
                client.journal.mark_gone(record.local_id, exc.message)
            yield Resumed(record, error=exc)
        except SeedanceError as exc:
            yield Resumed(record, error=exc)
        else:
            yield Resumed(record, result=result)
