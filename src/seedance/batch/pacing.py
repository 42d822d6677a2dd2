"""Adaptive submit pacing: as fast as the gateway accepts, backing off on 429 and creeping back up.

Nothing is known of the gateway's limit beforehand, so the pacer starts unpaced. A 429 pauses every submit
for its `Retry-After` (else 5 s, the skill's wait) and slows the pace: the first one to what the gateway
took over the last second, later ones to a bit below the pace that hit the limit. Each
accepted submit then shortens the interval a little (more the longer no 429 came), so the pace creeps back
up until the next 429 says where the limit is today. A token-bucket limit refills during the pause, so honouring it costs little.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

DEFAULT_PAUSE = 5.0
"""Seconds to pause after a 429 without Retry-After (the skill's 5 s)."""


class SubmitPacer:
    """Decides when the next submit may go; told about every accepted and every rate-limited submit."""

    def __init__(
        self,
        *,
        backoff: float = 1.1,
        creep: float = 0.01,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.backoff = backoff
        """After a 429, pace this many times slower than the pace that hit it."""
        self.creep = creep
        """Each accepted submit raises the pace by this fraction (the rate creeps back up)."""
        self.interval = 0.0
        """Seconds between submits; 0 until the first 429 says there is a limit."""
        self.paused_until = 0.0
        self.rate_limited = 0
        """How many 429 answers were seen (including the ones the client retried by itself)."""
        self._clock = clock
        self._sleep = sleep
        self._last_send = float("-inf")
        self._accepted: deque[float] = deque(maxlen=1000)

    @property
    def rate(self) -> float | None:
        """The current pace in submits per second, or None when unpaced."""
        return 1.0 / self.interval if self.interval > 0 else None

    def delay(self) -> float:
        """Seconds until the next submit may go (0 means now)."""
        due = max(self.paused_until, self._last_send + self.interval)
        return max(due - self._clock(), 0.0)

    async def wait_turn(self) -> None:
        """Wait until a submit may go, and take the turn."""
        while (wait := self.delay()) > 0:
            await self._sleep(wait)
        self._last_send = self._clock()

    def accepted(self) -> None:
        """A submit was accepted: remember when, and creep the pace up."""
        now = self._clock()
        self._accepted.append(now)
        if self.interval > 0:
            # Gentle near the limit (each 429 costs a pause); after 3 s without one the climb speeds up, so a
            # guess that was too low (e.g. measured from a small burst) is left behind within seconds.
            quiet = max(now - self.paused_until, 0.0)
            self.interval /= 1.0 + self.creep * (1.0 + max(quiet - 3.0, 0.0))

    def limited(self, retry_after: float | None) -> None:
        """A submit got 429: pause everyone for Retry-After and slow the pace below the one that hit it."""
        now = self._clock()
        self.rate_limited += 1
        pause = retry_after if retry_after is not None and retry_after > 0 else DEFAULT_PAUSE
        in_pause = now < self.paused_until
        self.paused_until = max(self.paused_until, now + pause)
        if in_pause:
            return  # one 429 already told us: the others in flight at that moment say nothing new
        if self.interval > 0:
            self.interval *= self.backoff
            return
        # Unpaced until now: what the gateway took over the last second is the first guess at its rate.
        recent = sum(1 for t in self._accepted if t > now - 1.0)
        self.interval = self.backoff / max(recent, 1)
