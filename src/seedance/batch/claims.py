"""A worker's claims on a batch's lines: many `seedance batch` processes (machines) share one journal's batch.

Each line is submitted by the one worker that claimed it, just before its turn (`take`); the claim is made
again part of the submit's own serial transaction (`submit_check`: the claim is still this worker's, and with
`--max-cost` the batch's summed estimates plus this line's stay under the cap, counted over every worker's
rows), so no line is paid for twice and the workers together never pass the cap.

A claim holds while its worker lives: on this machine while its process runs, elsewhere while its lease is
renewed (`renew`, every `RENEW_EVERY` seconds, for `lease_seconds`). A clean exit releases the claims at once.
A gone worker's claimed but unsent line is claimed by the next worker that looks; its sent lines are followed
by whoever takes their job over; a submit it left on its way becomes `unknown` and is never sent again.
The same claims run on SQLite (one machine; there the folder's lock already keeps a batch to one run).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from seedance import journal_claims
from seedance.batch.manifest import LineOutcome
from seedance.batch.prior import record_fingerprint
from seedance.errors import InputError, SeedanceError
from seedance.journal import JobRecord, Journal
from seedance.journal_claims import Claim, Claimed
from seedance.leases import LEASE_SECONDS, RENEW_EVERY, me, now_iso, pid_alive

__all__ = ["CapCheck", "CapReached", "ClaimLost", "LineClaims", "keep_claims"]

CHUNK = 32
"""Lines looked at per claim: the next free line is rarely further than the other workers' in-flight ones."""


class ClaimLost(InputError):
    """Another worker holds the line now (this one's lease ran out): nothing was sent."""


class CapReached(InputError):
    """The batch's submitted estimates (every worker's) plus this line's would pass `--max-cost`."""


class LineClaims:
    """This process's claims on one batch's lines in `journal`."""

    def __init__(
        self,
        journal: Journal,
        batch_id: str,
        *,
        worker: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        clock: Callable[[], datetime] | None = None,
        ignored: frozenset[str] = frozenset(),
        gateway: str | None = None,
        asks: dict[int, str] | None = None,
    ) -> None:
        self.journal, self.batch_id = journal, batch_id
        self.worker = worker or me().follower
        self.lease_seconds = lease_seconds
        self._clock = clock or (lambda: datetime.now(UTC))
        self.ignored = ignored
        """Job rows of earlier attempts this run sends again (`--retry-failed`): they do not make a line taken."""
        self.gateway = gateway
        """The gateway this run sends to: jobs on another one (a trial on the emulator) do not count."""
        self.asks = asks or {}
        """What each line asks for (`prior.line_fingerprint`): a job recorded at a line's number for another
        request (the file was edited since) is not that line's."""
        self.mine: set[int] = set()
        """Lines this worker holds."""

    def until(self) -> str:
        """The lease a claim made or renewed now holds until."""
        return now_iso(self._clock() + timedelta(seconds=self.lease_seconds))

    def is_gone(self, claim: Claim) -> bool:
        """Whether a claim's worker is gone: its process is dead (this machine), or its lease ended."""
        if claim.worker == self.worker:
            return False
        host, _, pid = claim.worker.rpartition(":")
        if host == socket.gethostname() and pid.isdigit() and claim.lease_until != journal_claims.RELEASED:
            return not pid_alive(int(pid))
        return claim.lease_until <= now_iso(self._clock())

    def counts(self, line: int, record: JobRecord) -> bool:
        """Whether a job row recorded at a line's number makes the line taken: made or maybe made (not
        refused), on this run's gateway, for what the line asks, and not an earlier attempt sent again."""
        if record.state == "rejected" or record.local_id in self.ignored:
            return False
        if self.gateway is not None and not record.sent_to(self.gateway):
            return False
        asked = self.asks.get(line)
        return asked is None or record_fingerprint(record) == asked

    def take(self, pending: list[int]) -> Claimed:
        """Claim the first free line of `pending` (in order, a chunk at a time); report the ones held."""
        found = Claimed()
        ordered = sorted(pending)
        for start in range(0, len(ordered), CHUNK):
            step = journal_claims.claim_first(
                self.journal,
                self.batch_id,
                ordered[start : start + CHUNK],
                self.worker,
                until=self.until(),
                holder_gone=self.is_gone,
                counts=self.counts,
            )
            found.held.extend(step.held)
            if step.line is not None:
                found.line = step.line
                self.mine.add(step.line)
                return found
        return found

    def adopt(self, line: int) -> None:
        """Hold a line whose job this worker took over (or whose end it records)."""
        journal_claims.adopt(self.journal, self.batch_id, line, self.worker, until=self.until())
        self.mine.add(line)

    def submit_check(self, line: int, cost: float, cap: CapCheck | None) -> Callable[[], None]:
        """The checks run in the submit's serial transaction, before its row: still this worker's line; under
        the cap counting every worker's rows. Raise ClaimLost / CapReached (nothing is written or sent)."""

        def check() -> None:
            holder = journal_claims.holder(self.journal, self.batch_id, line)
            if holder != self.worker:
                self.mine.discard(line)
                raise ClaimLost(
                    f"line {line} is held by {holder or 'no worker'} now",
                    hint="nothing was sent; that worker submits it",
                )
            if cap is not None:
                cap.check(self.journal, self.batch_id, cost)

        return check

    def finish(self, outcome: LineOutcome) -> None:
        """Store a held line's outcome: the workers waiting for it take it from there. A line left unsent
        (the run stopped first) stores none: released, it is the next worker's to send."""
        if outcome.line in self.mine and outcome.status != "not_submitted":
            text = json.dumps(asdict(outcome), ensure_ascii=False)
            journal_claims.set_outcome(self.journal, self.batch_id, outcome.line, self.worker, text)

    def renew(self) -> None:
        """Extend this worker's leases (its heartbeat)."""
        journal_claims.renew(self.journal, self.worker, self.until())

    def release(self) -> None:
        """Let the claims go (a clean exit): an unsent line is free for the next worker at once."""
        journal_claims.release(self.journal, self.worker)


class CapCheck:
    """`--max-cost` over every worker of the batch: its rows' estimates on this gateway plus this line's."""

    def __init__(self, cap: float, gateway: str, unpriced_usd: float) -> None:
        self.cap, self.gateway = cap, gateway
        self.unpriced_usd = unpriced_usd
        """What a row with no known price counts as (the dearest line of the batch, as the cap counts it)."""

    def check(self, journal: Journal, batch_id: str, cost: float) -> None:
        """Raise CapReached when this line would pass the cap."""
        known, unpriced = journal_claims.batch_spend(journal, batch_id, self.gateway)
        committed = known + unpriced * self.unpriced_usd
        if committed + cost > self.cap + 1e-9:
            raise CapReached(
                f"--max-cost {self.cap}: ${committed:.2f} already committed by this batch's workers; "
                "this line would pass the cap"
            )


def outcome_from_json(text: str) -> LineOutcome | None:
    """A stored outcome, or None when it cannot be read (then the job rows tell)."""
    try:
        data = json.loads(text)
        return LineOutcome(**{k: v for k, v in data.items() if k in LineOutcome.__dataclass_fields__})
    except (ValueError, TypeError):
        return None


async def keep_claims(claims: LineClaims) -> None:
    """Renew a worker's claims every `RENEW_EVERY` seconds while it runs (other machines judge it by them)."""
    while True:
        await asyncio.sleep(RENEW_EVERY)
        with contextlib.suppress(SeedanceError):
            await asyncio.to_thread(claims.renew)
