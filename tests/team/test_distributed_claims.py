"""The claims on a batch's lines, on both engines: one worker per line, leases that end, dead workers' lines.

Workers here are on other machines (`far-a:1`): only their leases say whether they live, and the clock is
injected, so a lease ends without waiting for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from seedance import journal_claims
from seedance.batch.claims import CapCheck, CapReached, ClaimLost, LineClaims
from seedance.batch.manifest import LineOutcome
from seedance.batch.pace_journal import JournalPaceRecord
from seedance.journal import Journal

BATCH = "batch-0123456789abcdef"
LEASE = 90.0


class Clock:
    """A wall clock that moves only when told."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def journal(journal_location: str) -> Journal:
    return Journal(journal_location)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def worker(journal: Journal, name: str, clock: Clock) -> LineClaims:
    return LineClaims(journal, BATCH, worker=f"{name}:1", lease_seconds=LEASE, clock=clock)


def job_row(journal: Journal, line: int, cost: float | None = 1.0) -> str:
    """A job row for a line of the batch, as a worker writes it before its submit goes."""
    return journal.record_submission(
        operation="text_to_video", model="m", prompt=f"line {line}", body={}, settings={},
        estimated_cost_usd=cost, batch_id=BATCH, batch_line=line, gateway="emulator",
    )  # fmt: skip


def test_each_line_is_claimed_by_one_worker(journal: Journal, clock: Clock) -> None:
    """Two workers walking the same lines in order claim different ones; the first one's is held."""
    a, b = worker(journal, "far-a", clock), worker(journal, "far-b", clock)
    assert a.take([1, 2, 3]).line == 1
    found = b.take([1, 2, 3])
    assert found.line == 2
    assert found.held == [1]
    assert a.take([1, 2, 3]).line == 1  # its own claim is still its own


def test_an_unsent_line_is_free_once_its_workers_lease_ends(journal: Journal, clock: Clock) -> None:
    """A worker gone silent keeps its line until its lease ends; then another worker claims it."""
    a, b = worker(journal, "far-a", clock), worker(journal, "far-b", clock)
    a.take([1])
    clock.advance(LEASE - 1)
    assert b.take([1]).held == [1]
    clock.advance(2)
    assert b.take([1]).line == 1
    with pytest.raises(ClaimLost):
        a.submit_check(1, 1.0, None)()


def test_a_renewed_lease_keeps_the_line(journal: Journal, clock: Clock) -> None:
    """The heartbeat's renewal moves the lease on: the line stays with its live worker."""
    a, b = worker(journal, "far-a", clock), worker(journal, "far-b", clock)
    a.take([1])
    clock.advance(LEASE - 1)
    a.renew()
    clock.advance(LEASE - 1)
    assert b.take([1]).line is None


def test_a_gone_workers_line_with_a_job_is_never_claimed_again(journal: Journal, clock: Clock) -> None:
    """A line whose job row exists (its submit went, or may have) is not sent again when its worker dies."""
    a, b = worker(journal, "far-a", clock), worker(journal, "far-b", clock)
    a.take([1, 2])
    job_row(journal, 1)
    clock.advance(LEASE + 1)
    found = b.take([1, 2])
    assert found.held == [1]
    assert found.line == 2


def test_a_refused_submit_does_not_hold_the_line(journal: Journal, clock: Clock) -> None:
    """A submit the gateway refused made no job: the line goes to the next worker."""
    a, b = worker(journal, "far-a", clock), worker(journal, "far-b", clock)
    a.take([1])
    journal.mark_rejected(job_row(journal, 1), "429")
    clock.advance(LEASE + 1)
    assert b.take([1]).line == 1


def test_an_earlier_attempt_sent_again_does_not_hold_the_line(journal: Journal, clock: Clock) -> None:
    """A failed job that this run sends again (--retry-failed) does not make its line taken."""
    a = worker(journal, "far-a", clock)
    a.take([1])
    failed = job_row(journal, 1)
    a.release()
    b = LineClaims(journal, BATCH, worker="far-b:1", clock=clock, ignored=frozenset({failed}))
    assert b.take([1]).line == 1


def test_released_claims_are_free_at_once(journal: Journal, clock: Clock) -> None:
    """A clean exit lets its unsent lines go without waiting for the lease."""
    a, b = worker(journal, "far-a", clock), worker(journal, "far-b", clock)
    a.take([1])
    a.release()
    assert b.take([1]).line == 1


def test_an_outcome_is_read_by_the_workers_waiting(journal: Journal, clock: Clock) -> None:
    """The worker that ends a line stores its outcome; another reads it from the journal."""
    a = worker(journal, "far-a", clock)
    a.take([4])
    a.finish(LineOutcome(4, "downloaded", "a cat", file="0004-a-cat.mp4", request_id="r-4"))
    claims, _ = journal_claims.watched(journal, BATCH, [4])
    assert claims[4].worker == "far-a:1"
    assert '"0004-a-cat.mp4"' in (claims[4].outcome_json or "")


def test_the_cap_counts_every_workers_jobs(journal: Journal, clock: Clock) -> None:
    """--max-cost sums the batch's rows of every worker (refused ones and other gateways left out)."""
    for line in (1, 2):
        job_row(journal, line, cost=2.0)
    journal.mark_rejected(job_row(journal, 3, cost=2.0), "400")
    job_row(journal, 4, cost=None)  # no known price: counted at the batch's dearest rate
    a = worker(journal, "far-a", clock)
    a.take([5])
    cap = CapCheck(9.0, "emulator", unpriced_usd=3.0)
    with journal.store.write(serial=True):
        a.submit_check(5, 2.0, cap)()  # 2 + 2 + 3 + 2 = 9: within the cap
    with pytest.raises(CapReached), journal.store.write(serial=True):
        a.submit_check(5, 2.01, cap)()


def test_the_pace_is_one_record_for_every_process(journal: Journal) -> None:
    """Two records of one account in one journal see each other's changes; another account is apart."""
    one, two = JournalPaceRecord(journal, "acct"), JournalPaceRecord(journal, "acct")
    other = JournalPaceRecord(journal, "other")

    def bump(state: object) -> float:
        state.next_free += 1.5  # type: ignore[attr-defined]
        return state.next_free  # type: ignore[attr-defined, no-any-return]

    assert one.update(bump) == 1.5
    assert two.update(bump) == 3.0
    assert other.update(bump) == 1.5


def test_a_dead_process_on_this_machine_leaves_its_line_at_once(journal: Journal, clock: Clock) -> None:
    """On the same machine a worker's pid says whether it lives: its line is free without waiting for its lease."""
    import socket
    import subprocess
    import sys

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()  # reaped: its pid names no process now
    a = LineClaims(journal, BATCH, worker=f"{socket.gethostname()}:{ended.pid}", clock=clock)
    a.take([1])
    assert worker(journal, "far-b", clock).take([1]).line == 1


def test_a_job_of_another_request_or_gateway_does_not_hold_the_line(journal: Journal, clock: Clock) -> None:
    """After the file was edited (another request at this number) or a trial on another gateway, the job
    recorded at a line's number is not that line's: the line is claimed and sent."""
    from seedance.batch.prior import record_fingerprint

    mine = journal.get(job_row(journal, 1))
    assert mine is not None
    asks = {1: record_fingerprint(mine), 2: "another request"}
    job_row(journal, 2)
    a = LineClaims(
        journal, BATCH, worker="far-a:1", clock=clock, gateway="https://gateway.example", asks=asks
    )
    assert a.take([1, 2]).line == 1  # its job went to the emulator, not to this gateway
    b = LineClaims(journal, BATCH, worker="far-b:1", clock=clock, gateway="emulator", asks=asks)
    found = b.take([1, 2])
    assert found.held == [1]  # a's claim, and a job for what it asks on this gateway
    assert found.line == 2  # the job at line 2 asked for something else
