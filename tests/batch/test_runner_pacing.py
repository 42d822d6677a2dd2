"""The batch runner against the emulator, in process: a 429 on one submit costs that line, not the batch."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from seedance.batch.cost import plan_costs
from seedance.batch.input import read_batch
from seedance.batch.manifest import LineOutcome
from seedance.batch.pace_record import MemoryPaceRecord, PaceState
from seedance.batch.pacing import SubmitPacer
from seedance.batch.prior import read_prior
from seedance.batch.runner import BatchRunner, RunOptions, make_client
from seedance.journal import Journal

from .conftest import prompts, submits_per_prompt, write_jsonl

LONG_RETRY_AFTER = 30


def test_a_429_on_one_submit_does_not_stall_the_others(emulator: Any, tmp_path: Path) -> None:
    """The first submit to arrive gets 429 with Retry-After 30: the four other lines are submitted and
    downloaded while that line still waits out its own Retry-After; then it is resent once, and every line
    has one job. (Which line arrives first is up to the threads that write each line's journal row.)"""
    emulator.configure(
        faults=[
            {"kind": "http", "status": 429, "route": "submit", "count": 1, "retry_after": LONG_RETRY_AFTER}
        ]
    )
    path = write_jsonl(tmp_path / "jobs.jsonl", prompts(5))
    journal = Journal(tmp_path / "jobs.db")
    out = tmp_path / "out"
    out.mkdir()
    batch = read_batch(path, "batch-test")
    costs = plan_costs(batch.lines)
    prior = read_prior(journal, batch, costs, out, emulator.base_url)
    batch = dataclasses.replace(batch, lines=prior.lines)
    # A pace learnt earlier, far above what five lines need: the test is about who waits, not how fast.
    pacer_waits: list[float] = []

    async def pacer_sleep(seconds: float) -> None:
        pacer_waits.append(seconds)
        assert seconds < 1.0, "the pacer held every submit back after one 429"
        await asyncio.sleep(seconds)

    pacer = SubmitPacer(MemoryPaceRecord(PaceState(ceiling=1000.0, pace=970.0)), sleep=pacer_sleep)
    finished: list[LineOutcome] = []
    done_while_one_waited: list[int] = []

    async def main() -> list[LineOutcome]:
        released = asyncio.Event()

        async def sleep(seconds: float) -> None:
            # Only the refused line's Retry-After is this long; it ends when the other four lines have ended.
            if seconds >= LONG_RETRY_AFTER:
                await released.wait()
                done_while_one_waited.extend(o.line for o in finished)
            else:
                await asyncio.sleep(seconds)

        def on_outcome(outcome: LineOutcome) -> None:
            finished.append(outcome)
            if len(finished) == 4:
                released.set()

        client = make_client(base_url=emulator.base_url, api_key=emulator.api_key, poll_interval=0.05,
                             journal=journal, pacer=pacer, sleep=sleep)  # fmt: skip
        async with client:
            runner = BatchRunner(client, batch, costs, prior, RunOptions(out_dir=out), pacer, on_outcome)
            return await asyncio.wait_for(runner.run(), 60)

    outcomes = asyncio.run(main())
    refused = finished[-1].line
    assert sorted(done_while_one_waited) == sorted({1, 2, 3, 4, 5} - {refused})
    assert [o.status for o in outcomes] == ["downloaded"] * 5
    assert set(submits_per_prompt(emulator).values()) == {1}
    assert [r.status for r in emulator.requests if r.route == "submit"].count(429) == 1
    assert pacer.rate_limited == 1
    assert all(wait < 1.0 for wait in pacer_waits)
