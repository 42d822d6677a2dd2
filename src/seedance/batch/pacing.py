"""Submit pacing: find the account's rate limit, then hold just under it, probing above only rarely.

Nothing is known of the gateway's limit beforehand, so the pace starts at 4/s and doubles every quarter of
a second (TCP's slow start, in time rather than round trips; never above four times what really went in
the last second) until the first 429. What the gateway accepted in that 429's window (1 s for
`Retry-After: 1`, longer for a longer wait) becomes the ceiling, and submits then go evenly spaced at
`margin` x the ceiling, never more than that pace in any window, counted when requests really leave.
Evenly spaced submits pass a sliding-window limit (API management's per-key rate) as well as a token
bucket; bursts would fill a sliding window and block the rest of it.

Holding, a 429 costs only the submit that got it (its own Retry-After is honoured by whoever resends it):
nobody else pauses. A stray one lowers the ceiling 2 % (our send times are not the gateway's clock), one
soon after another twice as far, up to 8 % (the machine jitters more than the margin allows: find the
margin it needs, so that the 429s stop however long the runs last); if a quarter of the submits since the
last change were refused, the ceiling was misread (a token bucket's burst) and becomes the rate the
gateway took meanwhile. After `probe_gap` quiet seconds the pace goes above the ceiling for a while (BBR's
probing): without a 429 the ceiling rises to that rate (and the next probe goes twice as far); with one,
the old ceiling was right and the next probe waits twice as long. A probe comes only while the runs on the
account have enough submits left (each run says how many) for the room it might find to repay the 429 it
most likely costs: near the end of the work a probe could only cost, and two batches at once, a run twice
as long, probe no more than one alone.
Every run on the account (batches, the MCP server) shares this state through a `PaceRecord`, so they take
turns from one schedule and learn from each other's 429s. While two or more take turns the schedule holds
94 % of the ceiling rather than 97 %: each process's send times jitter on their own, so their arrivals
bunch more than one process's do.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from seedance.batch.pace_policy import (
    DEFAULT_PAUSE,
    PacePolicy,
    note_accepted,
    note_departure,
    note_limited,
    take_turn,
)
from seedance.batch.pace_record import MemoryPaceRecord, PaceRecord

__all__ = ["DEFAULT_PAUSE", "PacePolicy", "SubmitPacer"]

_TURN_HELD: ContextVar[bool] = ContextVar("seedance_submit_turn_held", default=False)
"""Whether the current task already took the pacer's turn for its next submit (see `SubmitPacer.hold`)."""
_TURN_AT: ContextVar[float | None] = ContextVar("seedance_submit_turn_at", default=None)
"""When the current task's submit took its turn (a task spawned after the turn inherits it), then when it
really left: answers are counted at the time their submit left, which is what the gateway's window counted,
whatever order the answers of several processes reach the record in (a journal write shared by two runs can
put a good part of a second between a turn and its request)."""


class SubmitPacer:
    """Decides when each submit may go; told about every accepted and every rate-limited submit.

    One pacer per run; runs on one account share its state through `record`. Turns are taken in the order
    they are asked for within a run.
    """

    def __init__(
        self,
        record: PaceRecord | None = None,
        *,
        policy: PacePolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.record: PaceRecord = record or MemoryPaceRecord()
        self.policy = policy or PacePolicy()
        self.rate_limited = 0
        """How many 429 answers this run saw (including the ones the client retried by itself)."""
        self._clock = clock
        self._sleep = sleep
        self._queue = asyncio.Lock()  # FIFO: the feed and the client's own retries wait in line
        self._run = uuid.uuid4().hex[:12]  # this run's entry in the shared record's work

    @classmethod
    def for_account(cls, base_url: str | None, api_key: str) -> SubmitPacer:
        """A pacer sharing its state with every run on this gateway and key (through the user's folder)."""
        from seedance.batch.pace_record import open_pace_record
        from seedance.config import base_url as resolve_base_url
        from seedance.config import seedance_home

        return cls(open_pace_record(seedance_home(), resolve_base_url(base_url), api_key))

    @property
    def rate(self) -> float | None:
        """The pace held now in submits per second, or None while still ramping up."""
        return self.record.update(lambda s: s.pace)

    @property
    def ceiling(self) -> float | None:
        """The rate limit as learnt (the rate at which 429s came), or None before the first 429."""
        return self.record.update(lambda s: s.ceiling)

    def try_turn(self, left: int | None = None) -> float:
        """Take a turn now and return 0, or return the seconds until one is free (nothing taken).

        `left`: the submits this run still has to send, this one included, if it knows (see `wait_turn`).
        """
        now = self._clock()
        return self.record.update(lambda s: take_turn(s, now, self.policy, self._run, left))

    async def wait_turn(self, left: int | None = None) -> None:
        """Wait until a submit may go, and take the turn.

        A run that says how many submits it has `left` lets the account probe above its ceiling while the
        runs on it have enough work to gain from a higher one; one that never says (a single generation)
        counts for no work.
        """
        async with self._queue:
            while (wait := self.try_turn(left)) > 0:
                await self._sleep(min(wait, 1.0))  # re-read: another run may have changed the schedule
            _TURN_AT.set(self._clock())

    def hold(self) -> None:
        """Mark that the current task took its turn: its next submit request goes without waiting again."""
        _TURN_HELD.set(True)

    async def before_submit(self) -> None:
        """Called as each submit request leaves: use the turn the task holds, else wait for one (a resend).

        A held turn was taken before the journal write; the schedule then counts the moment the request
        really leaves, so that lateness between the two never packs more submits into the gateway's window.
        """
        turn_at = _TURN_AT.get()
        if not _TURN_HELD.get() or turn_at is None:
            await self.wait_turn()
            return
        _TURN_HELD.set(False)
        while (wait := self._depart(turn_at)) > 0:
            await self._sleep(wait)

    def _depart(self, turn_at: float) -> float:
        now = self._clock()
        wait = self.record.update(lambda s: note_departure(s, turn_at, now, self.policy))
        if wait == 0:
            _TURN_AT.set(now)  # its answer counts from now, as the departures do
        return wait

    def accepted(self) -> None:
        """The current task's submit was accepted."""
        now, sent = self._clock(), _TURN_AT.get()
        self.record.update(lambda s: note_accepted(s, now, self.policy, sent))

    def limited(self, retry_after: float | None) -> None:
        """The current task's submit got 429 (with its Retry-After, if any)."""
        now = self._clock()
        self.rate_limited += 1
        sent = _TURN_AT.get()
        self.record.update(lambda s: note_limited(s, now, retry_after, self.policy, sent))

    def close(self) -> None:
        """Take this run's work out of the shared record (it has none left to gain from) and release it."""
        self.record.update(lambda s: s.work.pop(self._run, None))
        self.record.close()
