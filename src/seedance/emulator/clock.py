"""The emulator's one clock: real time plus an offset that a test moves forward instead of sleeping.

Every time the emulator measures (a job's phases, a media URL's age, the submit rate limiters, a webhook's
wait, a shared job's age) is read here. `advance(seconds)` (the handle's `advance`, the control route
`POST /_emulator/clock`) makes that much time pass at once; the clock never goes back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class EmulatorClock:
    """Monotonic and wall-clock time, both shifted by the seconds a test has advanced."""

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._monotonic = monotonic
        self._wall = wall
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        """The seconds advanced so far."""
        with self._lock:
            return self._offset

    def monotonic(self) -> float:
        """Monotonic seconds, advanced time included (for durations and deadlines)."""
        return self._monotonic() + self.offset

    def time(self) -> float:
        """Unix time, advanced time included (for the timestamps the gateway writes)."""
        return self._wall() + self.offset

    def advance(self, seconds: float) -> float:
        """Let `seconds` pass at once; return the total advanced. ValueError for a negative or non-finite step."""
        if not seconds >= 0 or seconds == float("inf"):
            raise ValueError(f"the clock only moves forward by a finite step, not {seconds!r}")
        with self._lock:
            self._offset += seconds
            return self._offset
