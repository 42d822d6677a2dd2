"""When to poll: an adaptive schedule that is sparse while a job cannot be done yet and dense when it may be.

Status checks are free but not unlimited, and every second between a job finishing and us noticing is a
second the user waits. The schedule uses the expected run time (learnt from the journal's history of similar
jobs, else a prior per model): it waits until shortly before the expected end, polls densely around it,
then backs off geometrically. It never polls faster than `min_interval` (1 s by default).
"""

from __future__ import annotations

from dataclasses import dataclass

# Priors for a 5 s 720p job when there is no history (reference notes: about 1 min for 2.0, p50 2 min).
PRIOR_SECONDS = {"2.0": 75.0, "2.0-fast": 50.0, "1.0-pro": 60.0, "1.0-lite": 45.0}


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

    def __call__(self, elapsed: float, polls: int) -> float:
        """Return how long to sleep before the next status check."""
        if self.fixed_interval is not None:
            return self.fixed_interval
        if self.expected_s is None:
            # No idea how long it takes: start at 2 s and stretch by half each time, up to the cap.
            return self._clamp(2.0 * 1.5 ** max(polls - 1, 0))
        # Dense window: from a little before the earliest likely end.
        window_start = max(self.expected_s - max(2.0 * self.spread_s, 0.1 * self.expected_s), 0.0)
        if elapsed < window_start:
            return self._clamp(max(window_start - elapsed, self.min_interval), cap=window_start)
        late_by = elapsed - (self.expected_s + 2.0 * self.spread_s)
        if late_by <= 0:
            return self.min_interval
        # Later than history says: back off gently (the job is slow today, not about to finish this second).
        return self._clamp(self.min_interval + late_by / 4.0)

    def _clamp(self, seconds: float, cap: float | None = None) -> float:
        upper = self.max_interval if cap is None else max(cap, self.min_interval)
        return max(self.min_interval, min(seconds, upper))
