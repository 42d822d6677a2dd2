"""When to poll: an adaptive schedule that is sparse while a job cannot be done yet and dense when it may be.

Status checks are free but not unlimited, and every second between a job finishing and us noticing is a
second the user waits. The schedule uses the expected run time (learnt from the journal's history of similar
jobs, else a prior per model): it waits until shortly before the expected end, polls densely around it,
then backs off geometrically. It never polls faster than `min_interval` (1 s by default).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class PollSchedule:
    """A polling schedule; call it with (seconds elapsed, polls done) to get the next delay."""

    expected_s: float | None = None
    """The expected run time from submit to done, or None when unknown."""
    spread_s: float = 0.0
    """How far real run times stray from `expected_s` (e.g. a standard deviation from history)."""
    fixed_interval: float | None = None
    """Poll at exactly this interval instead (user setting, tests, `--poll-interval`)."""
    min_interval: float = 1.0
    max_interval: float = 15.0
    dense_interval: float = 1.5
    """The interval inside the window where the job is likely to end (mean lag about half of it)."""

    def __call__(self, elapsed: float, polls: int) -> float:
        """Return how long to sleep before the next status check."""
        if self.fixed_interval is not None:
            return self.fixed_interval
        if self.expected_s is None:
            # No idea how long it takes: start at 2 s and stretch by 30 % each time, up to the cap.
            return self._clamp(
                2.0 * self.min_interval * 1.3 ** max(polls - 1, 0), cap=10.0 * self.min_interval
            )
        # Dense window: from a little before the earliest likely end.
        window_start = self._window_start()
        if elapsed < window_start:
            return self._clamp(max(window_start - elapsed, self.min_interval), cap=window_start)
        late_by = elapsed - (self.expected_s + 2.0 * self.spread_s)
        if late_by <= 0:
            return max(self.dense_interval, self.min_interval)
        # Later than history says: back off gently (the job is slow today, not about to finish this second).
        return self._clamp(self.min_interval + late_by / 4.0)

    def first_delay(self, elapsed: float) -> float:
        """How long to wait before the first poll, `elapsed` seconds after the submit.

        A job known to take a minute is not polled at once; anything else (no history, a fixed interval, a
        job picked up late by resume) is polled straight away.
        """
        if self.fixed_interval is not None or self.expected_s is None:
            return 0.0
        return max(self._window_start() - elapsed, 0.0)

    def _window_start(self) -> float:
        assert self.expected_s is not None
        return max(self.expected_s - max(2.0 * self.spread_s, 0.1 * self.expected_s), 0.0)

    def _clamp(self, seconds: float, cap: float | None = None) -> float:
        upper = self.max_interval if cap is None else max(cap, self.min_interval)
        return max(self.min_interval, min(seconds, upper))


def schedule_from_history(
    past: list[float], *, fixed_interval: float | None = None, time_scale: float = 1.0
) -> PollSchedule:
    """The schedule for a job, given the run times of similar past jobs (seconds, newest first).

    Past runs give the expected time (median) and spread (standard deviation; 10 % for a single run); no
    history gives the geometric no-history schedule. `time_scale` shrinks the fixed floors and caps for emulators running faster than life.
    """
    if fixed_interval is not None:
        return PollSchedule(fixed_interval=fixed_interval)
    floors = {
        "min_interval": 1.0 * time_scale,
        "max_interval": 15.0 * time_scale,
        "dense_interval": 1.5 * time_scale,
    }
    if len(past) >= 2:
        return PollSchedule(expected_s=statistics.median(past), spread_s=statistics.pstdev(past), **floors)
    if past:  # one run: trust it, with a guessed spread of 10 %
        return PollSchedule(expected_s=past[0], spread_s=0.1 * past[0], **floors)
    return PollSchedule(**floors)
