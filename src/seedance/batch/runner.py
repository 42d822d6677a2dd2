"""The batch runner: submit lines at the gateway's pace, watch them with one poller, download as they finish.

At most `concurrency` jobs are in flight (submitting, running or downloading). Submits go in line order
through the pacer, and so does the client's own single resend after a 429 (an HTTP hook makes it wait for a
turn). A 429 costs only that line: it waits out its own Retry-After, then goes back in the queue (a 429
means nothing was queued), while the other lines keep their pace. A submit whose outcome is unknown is
reported and never resent. `--max-cost` reserves each line's estimate before its submit goes, so the sum
of submitted estimates never passes the cap.
Every submit goes through the journal with the batch id and line number, which is what makes a rerun resume.
Many runs of one batch (machines sharing a journal) split its lines: each line is claimed just before its
turn and the claim checked again with the cap in the submit's transaction (`claims`); a run that has no line
left waits for the others' lines and takes over those of a worker that died (`crew`).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seedance import config, errors
from seedance.batch.claims import CapCheck, CapReached, ClaimLost, LineClaims, keep_claims
from seedance.batch.cost import CostPlan
from seedance.batch.crew import claim_head, watch_others
from seedance.batch.input import BatchFile, BatchLine
from seedance.batch.manifest import LineOutcome
from seedance.batch.paced_client import make_client as make_client  # where the front ends find it
from seedance.batch.pacing import DEFAULT_PAUSE, SubmitPacer
from seedance.batch.poller import SharedPoller, Tracked
from seedance.batch.prior import Prior, file_label, line_fingerprint
from seedance.client import AsyncClient
from seedance.journal import JobRecord, Journal
from seedance.models import Job, JobStatus, Result
from seedance.polling import PollSchedule, schedule_from_history

Key = tuple[str, str | None, int | None]
FATAL = (errors.AuthError, errors.CreditsError, errors.BudgetExceeded)
"""Submit errors that stop the whole batch: every other line would get the same answer (the team budget:
the lines left are not sent, and a rerun sends them once the budget allows)."""


@dataclass(frozen=True)
class RunOptions:
    """How a batch runs."""

    out_dir: Path
    concurrency: int = 8
    max_cost: float | None = None
    timeout: float = 600.0
    """Seconds to wait for one job before leaving it for a later run."""
    downloads: int = 4
    """Downloads at once (they run alongside polling and submitting)."""
    patience: float = 600.0
    """Seconds of nothing but 429 answers to submits after which the batch stops submitting (exit 5)."""


class BatchRunner:
    """Runs the lines a `Prior` left to do; reports each line's end through `on_outcome`."""

    def __init__(
        self,
        client: AsyncClient,
        batch: BatchFile,
        costs: CostPlan,
        prior: Prior,
        options: RunOptions,
        pacer: SubmitPacer,
        on_outcome: Callable[[LineOutcome], None] | None = None,
        claims: LineClaims | None = None,
    ) -> None:
        assert client.journal is not None, "a batch always runs with the journal"
        self.client, self.batch, self.costs, self.prior, self.options = client, batch, costs, prior, options
        self.pacer = pacer
        self.journal: Journal = client.journal
        self.on_outcome = on_outcome
        self.outcomes: dict[int, LineOutcome] = {}
        self.lines = {line.number: line for line in batch.lines}
        self.pending: list[int] = sorted(line.number for line in prior.to_submit)
        self.committed = prior.committed_usd
        self.fatal: errors.SeedanceError | None = None
        self._limited_since: float | None = None
        self.sent: dict[int, str] = {}
        """Request ids of the lines with a job (resumed or submitted by this run), by line number."""
        self.submitted_here: set[int] = set()  # (and was answered a request id)
        self.submitting: set[int] = set()
        """Lines whose submit is on its way: if the run stops now, their outcome is unknown."""
        self.cut_off: set[int] = set()
        """Lines whose submit was cancelled on its way (Ctrl-C): possibly queued, to report as unknown."""
        self.in_flight = 0
        self.warnings: list[str] = []
        self._submitting = 0
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._schedules: dict[Key, PollSchedule] = {}
        self._resumed = {line.number for line, _ in prior.to_resume}
        gateway = config.journal_gateway(client.base_url)
        asks = {line.number: line_fingerprint(line) for line in prior.to_submit}
        self.claims = claims or LineClaims(
            self.journal, batch.batch_id, ignored=frozenset(prior.superseded), gateway=gateway, asks=asks
        )
        self.others: set[int] = set()
        """Lines another worker of the batch holds: waited for at the end (`crew.watch_others`)."""
        self.from_others: set[int] = set()
        """Lines another worker submitted (their outcome is theirs, or this run took their job over)."""
        dearest = max((c.cap_usd for c in costs.costs.values()), default=0.0)
        self.cap = None if options.max_cost is None else CapCheck(options.max_cost, gateway, dearest)
        self._capped = False  # every worker's submits together reached the cap: no more lines go
        self.watch_ids: dict[int, str] = dict(prior.in_flight)
        """Lines another live process has in hand, with the job prior matched them to (at any line number)."""
        self.others.update(prior.in_flight)  # another run's submit on its way: its end comes later
        for outcome in prior.done:
            if outcome.line not in prior.in_flight:
                self._finish(outcome)

    # -- the run -------------------------------------------------------------------------------------------

    async def run(self) -> list[LineOutcome]:
        """Resume the unfinished lines, submit the rest, and wait until every job in flight has ended."""
        self._slots = asyncio.Semaphore(self.options.concurrency)
        self._download_slots = asyncio.Semaphore(self.options.downloads)
        self.poller = SharedPoller(
            self.client.status, self._schedule_for, self._ended, timeout=self.options.timeout
        )
        poll_task = asyncio.create_task(self.poller.run())
        heartbeat = asyncio.create_task(keep_claims(self.claims))
        try:
            await self._guard(self._resume(), poll_task)
            while True:
                await self._guard(self._feed(), poll_task)
                if not self.others or self.fatal is not None:
                    break
                await self._guard(watch_others(self, max(self.client.poll_interval or 2.0, 0.25)), poll_task)
            await self._guard(self._drain(), poll_task)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(errors.SeedanceError):
                self.claims.release()
            self.poller.close()
            if not poll_task.done():
                poll_task.cancel()
            for task in list(self._tasks):
                task.cancel()
        for number in [*self.pending, *sorted(self.others)]:
            reason = self.fatal.message if self.fatal else "the batch stopped before this line"
            self._finish(self._outcome(number, "not_submitted", error=reason))
        return [self.outcomes[n] for n in sorted(self.outcomes)]

    async def _guard(self, work: Coroutine[Any, Any, None], poll_task: asyncio.Task[None]) -> None:
        """Run `work`, but fail at once if the poller dies (else in-flight slots would never come back)."""
        task = asyncio.create_task(work)
        await asyncio.wait({task, poll_task}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            task.cancel()
            poll_task.result()  # raises the poller's error
            raise RuntimeError("the poller stopped early")
        task.result()

    async def _resume(self) -> None:
        for line, record in self.prior.to_resume:
            if not await asyncio.to_thread(self.client.take_over, record):
                # another live process follows it (a worker of this batch): wait for its end
                self.others.add(line.number)
                self.watch_ids[line.number] = record.local_id
                continue
            await asyncio.to_thread(self.claims.adopt, line.number)
            await self.follow(line.number, record)

    async def follow(self, number: int, record: JobRecord) -> None:
        """Poll and download a job sent earlier (or by a worker that died) into this run's folder."""
        line = self.lines[number]
        if record.request_id:
            self.sent[number] = record.request_id
        await self._take_slot()
        target = self.options.out_dir / line.name
        if record.output_path != str(target) or not record.want_download:
            self.journal.set_output(record.local_id, output_path=str(target), want_download=True)
        job = record.to_job()
        since = max((datetime.now(UTC) - job.submitted_at).total_seconds(), 0.0)
        self.poller.add(number, job, _key(line), since)

    def push(self, number: int) -> None:
        """A line this worker claimed from a gone one: submit it."""
        heapq.heappush(self.pending, number)

    async def _feed(self) -> None:
        """Submit pending lines in order, at the pacer's pace, within the slots and the cost cap."""
        while True:
            while self.pending and self.fatal is None:
                await self._take_slot()
                if not await claim_head(self):
                    self._give_slot()
                    break
                await self.pacer.wait_turn(left=len(self.pending))  # the account probes only with work left
                if self.fatal is not None or not self.pending:
                    self._give_slot()
                    break
                # No await from here to the pop: the head cannot change under us (429s push lines back).
                number = self.pending[0]
                cost = self.costs.costs[number].cap_usd
                cap = self.options.max_cost
                if cap is not None and (self._capped or self.committed + cost > cap + 1e-9):
                    self._give_slot()
                    if self._submitting:  # a reservation may come back (429): decide once they settle
                        await self._settled()
                        continue
                    self._skip_for_cap()
                    return
                heapq.heappop(self.pending)
                self.committed += cost
                self._submitting += 1
                self._spawn(self._submit(self.lines[number], cost))
            if not self._submitting:
                return
            await self._settled()

    async def _drain(self) -> None:
        for _ in range(self.options.concurrency):
            await self._slots.acquire()

    async def _settled(self) -> None:
        self._changed.clear()
        await self._changed.wait()

    def _skip_for_cap(self) -> None:
        cap = self.options.max_cost
        for number in self.pending:
            error = f"--max-cost {cap}: ${self.committed:.2f} already committed; this line would pass the cap"
            self._finish(self._outcome(number, "skipped_cost_cap", error=error))
        self.pending.clear()

    def _rate_limited(self, exc: errors.RateLimitError) -> None:
        """Another 429: after `patience` seconds of nothing else, stop submitting (the rest stay unsent)."""
        now = time.monotonic()
        if self._limited_since is None:
            self._limited_since = now
        elif now - self._limited_since >= self.options.patience and self.fatal is None:
            self.fatal = errors.RateLimitError(
                f"the gateway answered every submit with 429 for {now - self._limited_since:.0f} s; the batch "
                f"stopped submitting ({exc.message})",
                status_code=429,
                hint="wait (or ask Pixazo about this key's rate limit), then run the batch again: nothing is "
                "sent twice",
            )

    # -- one job -------------------------------------------------------------------------------------------

    async def _submit(self, line: BatchLine, cost: float) -> None:
        held = True
        self.submitting.add(line.number)
        self.pacer.hold()  # the feed took this line's turn: its first request goes at once
        try:
            job = await self.client.submit(
                line.request,
                output_path=str(self.options.out_dir / line.name),
                want_download=True,
                batch_id=self.batch.batch_id,
                batch_line=line.number,
                checks=self.claims.submit_check(line.number, cost, self.cap),
            )
        except ClaimLost:  # its lease ran out and another worker holds it: nothing was sent
            self.committed -= cost
            self.others.add(line.number)
        except CapReached as exc:  # every worker's submits together reached the cap
            self.committed -= cost
            heapq.heappush(self.pending, line.number)
            self._capped = True
            self.warnings.append(exc.message)
        except errors.RateLimitError as exc:
            self.committed -= cost  # nothing was queued: the line goes back to the queue after its own wait
            self.submitting.discard(line.number)
            self._rate_limited(exc)
            await asyncio.sleep(exc.retry_after or DEFAULT_PAUSE)  # only this line (and its slot) waits
            heapq.heappush(self.pending, line.number)
        except (errors.SubmitUnknownError, errors.ServerError) as exc:
            self._finish(self._outcome(line.number, "unknown", error=exc.message))
        except (*FATAL, errors.TransportError) as exc:
            self.committed -= cost
            self.fatal = self.fatal or exc
            heapq.heappush(self.pending, line.number)
        except errors.SeedanceError as exc:  # the gateway (or a media check) refused it: nothing queued
            self.committed -= cost
            self._finish(self._outcome(line.number, "rejected", error=exc.message))
        except Exception as exc:  # we cannot tell whether it left: treat it as possibly queued, never resend
            self._finish(self._outcome(line.number, "unknown", error=f"{type(exc).__name__}: {exc}"))
        except BaseException:  # cancelled (Ctrl-C) while the submit was on its way: it may have been queued
            self.cut_off.add(line.number)
            raise
        else:
            held = False
            self.sent[line.number] = job.request_id
            self.submitted_here.add(line.number)
            self._limited_since = None
            self.warnings.extend(f"line {line.number}: {w}" for w in job.warnings)
            self.poller.add(line.number, job, _key(line), 0.0)
        finally:
            self.submitting.discard(line.number)
            self._submitting -= 1
            if held:
                self._give_slot()
            self._changed.set()

    def _ended(self, tracked: Tracked, status: JobStatus | None, error: errors.SeedanceError | None) -> None:
        """The poller is done with a job: download it, or record why not."""
        number, job = tracked.line, tracked.job
        self._schedules.pop(tracked.key, None)  # its run time is in the journal now: relearn
        if status is not None:  # `verdicts.judge`: a finished status always has its video URL
            self._spawn(self._download(number, job, status))
            return
        if isinstance(error, errors.GenerationFailed):
            self._finish(self._outcome(number, "failed", job.request_id, error=error.message))
        elif isinstance(error, errors.PollTimeout):
            self._finish(self._outcome(number, "timeout", job.request_id, error=error.message))
        elif isinstance(error, errors.InvalidRequestError) and error.status_code == 404:
            if job.local_id:
                self.journal.mark_gone(job.local_id, error.message)
            self._finish(self._outcome(number, "failed", job.request_id, error=error.message))
        else:
            message = error.message if error else "stopped watching"
            self._finish(self._outcome(number, "pending", job.request_id, error=message))
        self._give_slot()

    async def _download(self, number: int, job: Job, status: JobStatus) -> None:
        target = self.options.out_dir / self.lines[number].name
        try:
            async with self._download_slots:
                assert status.video_url is not None
                result = Result(
                    request_id=job.request_id,
                    operation=job.operation,
                    status=status,
                    video_url=status.video_url,
                    local_id=job.local_id,
                )
                done = await self.client.download(result, target)
            outcome = self._outcome(number, "downloaded", job.request_id)
            outcome.file = file_label(done.path, self.options.out_dir)
            self._finish(outcome)
        except errors.SeedanceError as exc:
            self._finish(self._outcome(number, "download_failed", job.request_id, error=exc.message))
        except OSError as exc:  # e.g. the output folder is not writable: the job itself succeeded
            self._finish(self._outcome(number, "download_failed", job.request_id, error=str(exc)))
        finally:
            self._give_slot()

    # -- bookkeeping -----------------------------------------------------------------------------------------

    def _schedule_for(self, key: Key) -> PollSchedule:
        if key not in self._schedules:
            past = (
                []
                if self.client.poll_interval is not None
                else self.journal.durations(key[0], resolution=key[1], duration=key[2])
            )
            self._schedules[key] = schedule_from_history(past, fixed_interval=self.client.poll_interval)
        return self._schedules[key]

    async def _take_slot(self) -> None:
        await self._slots.acquire()
        self.in_flight += 1

    def _give_slot(self) -> None:
        self.in_flight -= 1
        self._slots.release()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _outcome(
        self, number: int, status: str, request_id: str | None = None, *, error: str | None = None
    ) -> LineOutcome:
        line = self.lines[number]
        resumed = number in self._resumed
        return LineOutcome(
            number,
            status,
            line.request.prompt,
            request_id=request_id,
            estimated_cost_usd=self.costs.costs[number].usd,
            error=error,
            resumed=resumed,
        )

    def _finish(self, outcome: LineOutcome) -> None:
        self.outcomes[outcome.line] = outcome
        with contextlib.suppress(errors.SeedanceError):  # the workers waiting for it read it in the journal
            self.claims.finish(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)


def _key(line: BatchLine) -> Key:
    return (line.request.op.name, line.request.resolution, line.request.duration)
