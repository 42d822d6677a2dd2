"""Waiting for the lines other workers of the batch hold, and taking over the ones whose worker is gone.

A worker that has nothing left to submit reads the journal every `interval` seconds for the lines it saw
held by others (claimed, or followed by another live process). A line ends for it when its holder stored
the line's outcome. If the holder is gone, what the journal holds decides, in the order money needs:
- no job for the line: nothing was paid; the line is claimed and submitted here (`runner.pending`);
- a submit left on its way (`submitting`): it may have been queued; it becomes `unknown`, never resent;
- a job with a request id, not ended: it is taken over (`ClientCore.take_over`: only one worker wins) and
  followed here, polled and downloaded into this worker's folder;
- an ended job: its row is the line's outcome.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from typing import TYPE_CHECKING

from seedance import jobs, journal_claims
from seedance.batch.claims import outcome_from_json
from seedance.batch.manifest import LineOutcome
from seedance.batch.prior import RANK, file_label, own_file
from seedance.journal import JobRecord
from seedance.journal_claims import Claim
from seedance.leases import is_followed
from seedance.states import JobState

if TYPE_CHECKING:
    from seedance.batch.runner import BatchRunner

_FOLLOW = (JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED)


async def claim_head(runner: BatchRunner) -> bool:
    """Claim the first pending line no other worker holds; the held ones move to `others`. Whether one was
    claimed (the head of `pending` is then this worker's, as is any line a 429 puts back)."""
    if runner.pending[0] in runner.claims.mine:
        return True
    found = await asyncio.to_thread(runner.claims.take, list(runner.pending))
    if found.held:
        runner.others.update(found.held)
        runner.pending = [n for n in runner.pending if n not in runner.others]
        heapq.heapify(runner.pending)
    return found.line is not None


async def watch_others(runner: BatchRunner, interval: float) -> None:
    """Wait until every line in `runner.others` has ended, or one came back to this worker to submit."""
    started = time.monotonic()
    claims = runner.claims
    while runner.others and not runner.pending and runner.fatal is None:
        lines = sorted(runner.others)
        held, rows = await asyncio.to_thread(journal_claims.watched, runner.journal, claims.batch_id, lines)
        for line in lines:
            found = rows.get(line, [])
            if line in runner.watch_ids:  # a job prior matched to it, recorded under any line number
                record = await asyncio.to_thread(runner.journal.get, runner.watch_ids[line])
                found = [record] if record is not None else []
            await _look(runner, line, held.get(line), found)
        if not runner.others or runner.pending:
            return
        if time.monotonic() - started > runner.options.timeout:
            break
        await asyncio.sleep(interval)
    for line in sorted(runner.others):  # the batch stopped, or waited its timeout: a later run finishes them
        runner.others.discard(line)
        error = "another worker of this batch still runs this line; run the batch again to see its end"
        runner._finish(runner._outcome(line, "pending", error=error))


async def _look(runner: BatchRunner, line: int, claim: Claim | None, rows: list[JobRecord]) -> None:
    claims = runner.claims
    if claim is not None and claim.outcome_json and claim.worker != claims.worker:
        ended = outcome_from_json(claim.outcome_json)
        if ended is not None:
            runner.others.discard(line)
            runner.from_others.add(line)
            runner._finish(ended)
            return
    watching = line in runner.watch_ids  # a job in another process's hands: its row says if that one lives
    if not watching and claim is not None and claim.worker != claims.worker and not claims.is_gone(claim):
        return  # its worker lives: wait
    made = [r for r in rows if r.state in RANK and (watching or claims.counts(line, r))]
    best = min(made, key=lambda r: RANK[r.state], default=None)
    live = best is not None and best.follower != claims.worker and is_followed(best)
    if live and best is not None and (best.state == JobState.SUBMITTING or best.state in _FOLLOW):
        return  # a live process is submitting or following it
    if best is None:  # nothing was paid: submit it here
        taken = await asyncio.to_thread(claims.take, [line])
        if taken.line == line:
            runner.others.discard(line)
            runner.push(line)
        return
    if best.state == JobState.SUBMITTING:  # its submit may have been queued: unknown from now on
        await asyncio.to_thread(jobs.settle_orphans, runner.journal)
        return
    if best.state in _FOLLOW and best.request_id:
        if await asyncio.to_thread(runner.client.take_over, best):  # the client lets it go when it closes
            record = best
            await asyncio.to_thread(claims.adopt, line)
            runner.others.discard(line)
            runner.from_others.add(line)
            await runner.follow(line, record)
        return
    await asyncio.to_thread(claims.adopt, line)  # ended: record its end for the workers still waiting
    runner.others.discard(line)
    runner.from_others.add(line)
    runner._finish(ended_from_row(runner, line, best))


def ended_from_row(runner: BatchRunner, line: int, record: JobRecord) -> LineOutcome:
    """A line's outcome as its ended job row tells it."""
    outcome = runner._outcome(line, record.state, record.request_id, error=record.error)
    if record.state == JobState.DOWNLOADED:
        outcome.file = file_label(
            own_file(record, runner.options.out_dir) or record.output_path, runner.options.out_dir
        )
    return outcome
