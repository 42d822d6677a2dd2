"""One poller for every running job of a batch: a single loop that checks whichever jobs are due.

A loop per job would multiply timers and connections with the batch size; one loop keeps a due time per
job, sleeps until the earliest (or until a job is added), and checks the due ones together, at most
`max_parallel` at a time. Each job's next check comes from the polling schedule of jobs like it (learnt from
the journal, refreshed as the batch's own jobs finish). Status checks are free, so errors only delay them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from seedance import errors, verdicts
from seedance.models import Job, JobStatus, State
from seedance.polling import PollSchedule

MAX_CHECK_ERRORS = 8
"""Consecutive failed status checks after which a job is left for `seedance resume`."""


@dataclass
class Tracked:
    """A job being watched."""

    line: int
    job: Job
    key: tuple[str, str | None, int | None]
    """(operation, resolution, duration): jobs with the same key share a learnt schedule."""
    started: float
    next_at: float
    polls: int = 0
    errors: int = 0
    looks_without_url: int = 0
    last_state: State | None = field(default=None)


Check = Callable[[Job], Awaitable[JobStatus]]
Ended = Callable[[Tracked, JobStatus | None, errors.SeedanceError | None], None]
"""Called once per job: with its final status, or with the error that stopped watching it."""


class SharedPoller:
    """Watches many jobs with one loop; reports each job's end through `on_end`."""

    def __init__(
        self,
        check: Check,
        schedule_for: Callable[[tuple[str, str | None, int | None]], PollSchedule],
        on_end: Ended,
        *,
        timeout: float,
        max_parallel: int = 16,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check = check
        self._schedule_for = schedule_for
        self._on_end = on_end
        self._timeout = timeout
        self._max_parallel = max_parallel
        self._clock = clock
        self._jobs: dict[str, Tracked] = {}
        self._wake = asyncio.Event()
        self._closed = False
        self.checks = 0
        """Status checks made (for the summary and the benchmark)."""

    def __len__(self) -> int:
        return len(self._jobs)

    def add(self, line: int, job: Job, key: tuple[str, str | None, int | None], since_submit: float) -> None:
        """Start watching a job submitted `since_submit` seconds ago."""
        now = self._clock()
        first = self._schedule_for(key).first_delay(since_submit)
        self._jobs[job.request_id] = Tracked(line, job, key, now - since_submit, now + first)
        self._wake.set()

    def close(self) -> None:
        """No more jobs will be added: `run` returns once the watched ones have ended."""
        self._closed = True
        self._wake.set()

    async def run(self) -> None:
        """The loop: sleep until a job is due, check the due ones, repeat until closed and empty."""
        while self._jobs or not self._closed:
            now = self._clock()
            due = sorted((t for t in self._jobs.values() if t.next_at <= now), key=lambda t: t.next_at)
            if not due:
                soonest = min((t.next_at for t in self._jobs.values()), default=now + 3600.0)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=max(soonest - now, 0.001))
                continue
            batch = due[: self._max_parallel]
            outcomes = await asyncio.gather(*(self._check(t.job) for t in batch), return_exceptions=True)
            for tracked, outcome in zip(batch, outcomes, strict=True):
                self._handle(tracked, outcome)

    def _handle(self, tracked: Tracked, outcome: JobStatus | BaseException) -> None:
        self.checks += 1
        now = self._clock()
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, errors.SeedanceError):
                raise outcome
            gone = isinstance(outcome, errors.InvalidRequestError | errors.AuthError)
            tracked.errors += 1
            if gone or tracked.errors >= MAX_CHECK_ERRORS:
                self._end(tracked, None, outcome)
            else:
                tracked.next_at = now + min(2.0**tracked.errors, 30.0)
            return
        tracked.errors = 0
        tracked.polls += 1
        elapsed = now - tracked.started
        verdict = verdicts.judge(
            outcome,
            request_id=tracked.job.request_id,
            looks_without_url=tracked.looks_without_url,
            elapsed=elapsed,
            timeout=self._timeout,
        )
        if verdict.over:
            self._end(tracked, verdict.status, verdict.error)
            return
        tracked.looks_without_url = verdict.looks_without_url
        delay = self._schedule_for(tracked.key)(elapsed, tracked.polls)
        tracked.next_at = now + max(0.0, min(delay, self._timeout - elapsed))

    def _end(self, tracked: Tracked, status: JobStatus | None, error: errors.SeedanceError | None) -> None:
        self._jobs.pop(tracked.job.request_id, None)
        self._on_end(tracked, status, error)
