"""When to poll: an adaptive schedule that is silent while a job cannot be done yet and dense when it may be.

Status checks are free but not unlimited, and every second between a job finishing and us noticing is a
second the user waits. The schedule spends at most the status checks of the skill's own loop (one every
`budget_interval` = 8 s, the docs' advice being 5-10 s) and puts them where they matter:

- With history (run times of similar jobs from the journal): no check before the window where the job may
  end (expected run time less two spreads), then checks spaced evenly across that window, as closely as
  the budget allows but never faster than `min_interval` (1 s); past the window, a gentle back-off.
- Without history: a check at once, one at 4 s (short jobs, early failures), then every 8 s like the loop:
  a first job is noticed about as fast as the loop would notice it, for at most one check more.

A 429's `Retry-After` is honoured by the status flow itself (`protocol.status_flow`), on top of this.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seedance.catalog import Model


@dataclass(frozen=True)
class PollSchedule:
    """A polling schedule; call it with (seconds since the submit, polls done) to get the next delay."""

    expected_s: float | None = None
    """The expected run time from submit to done, or None when unknown."""
    spread_s: float = 0.0
    """How far real run times stray from `expected_s` (e.g. a standard deviation from history)."""
    fixed_interval: float | None = None
    """Poll at exactly this interval instead (user setting, tests, `--poll-interval`)."""
    min_interval: float = 1.0
    """Never poll more often than this (the gateway is shared; loopback emulators may scale it down)."""
    max_interval: float = 15.0
    """The longest gap between checks once a job runs later than its history says."""
    budget_interval: float = 8.0
    """The skill's fixed loop: the schedule spends no more checks than one per this many seconds would."""

    def __call__(self, elapsed: float, polls: int) -> float:
        """Return how long to sleep before the next status check."""
        if self.fixed_interval is not None:
            return self.fixed_interval
        if self.expected_s is None:
            # No idea how long it takes: checks at 0, 4, 12, 20 ... s: as many as the loop's, plus one early.
            return self._clamp(4.0 * self.min_interval * 2 ** max(polls - 1, 0), cap=self.budget_interval)
        start, end = self._window()
        if elapsed < start:  # e.g. a job picked up by `resume`: sleep until the window opens
            return self._clamp(start - elapsed, cap=start)
        dense = self.dense_interval
        if elapsed <= end:
            return dense
        # Later than history says: back off gently (the job is slow today, not about to finish this second).
        return self._clamp(dense + (elapsed - end) / 4.0)

    @property
    def dense_interval(self) -> float:
        """The gap between checks inside the window: as close as the budget of checks allows.

        A job that ends at the expected time has used `margin / dense` checks of the window plus the first;
        the loop would have used `expected / budget_interval`. Equal budgets give the interval; the lag is
        then about half of it.
        """
        if self.expected_s is None:
            return self.budget_interval
        start, _ = self._window()
        budget = max(self.expected_s / self.budget_interval, 2.0)
        return self._clamp((self.expected_s - start) / (budget - 1.0), cap=self.budget_interval)

    def first_delay(self, elapsed: float) -> float:
        """How long to wait before the first poll, `elapsed` seconds after the submit.

        A job known to take a minute is not polled until it may be done; anything else (no history, a fixed
        interval, a job picked up late by resume, a job known only by its id) is polled straight away.
        """
        if self.fixed_interval is not None or self.expected_s is None:
            return 0.0
        return max(self._window()[0] - elapsed, 0.0)

    def _window(self) -> tuple[float, float]:
        """When the job may end: the expected time give or take two spreads (at least 10 % and one check)."""
        assert self.expected_s is not None
        margin = max(2.0 * self.spread_s, 0.1 * self.expected_s, self.min_interval)
        return max(self.expected_s - margin, 0.0), self.expected_s + margin

    def _clamp(self, seconds: float, cap: float | None = None) -> float:
        upper = self.max_interval if cap is None else max(cap, self.min_interval)
        return max(self.min_interval, min(seconds, upper))


def schedule_from_history(
    past: list[float], *, fixed_interval: float | None = None, time_scale: float = 1.0
) -> PollSchedule:
    """The schedule for a job, given the run times of similar past jobs (seconds, newest first).

    Past runs give the expected time (median) and spread (standard deviation; 10 % for a single run); no
    history gives the no-history schedule. `time_scale` shrinks the floors and caps for emulators running
    faster than life (benchmarks).
    """
    if fixed_interval is not None:
        return PollSchedule(fixed_interval=fixed_interval)
    floors = {
        "min_interval": 1.0 * time_scale,
        "max_interval": 15.0 * time_scale,
        "budget_interval": 8.0 * time_scale,
    }
    if len(past) >= 2:
        return PollSchedule(expected_s=statistics.median(past), spread_s=statistics.pstdev(past), **floors)
    if past:  # one run: trust it, with a guessed spread of 10 %
        return PollSchedule(expected_s=past[0], spread_s=0.1 * past[0], **floors)
    return PollSchedule(**floors)


TIMEOUT_FLOOR_S = 600.0
"""The shortest default wait: the skill's own cap of about 10 minutes."""
TIMEOUT_MARGIN_S = 120.0
"""Added to the model's own estimate: queueing upstream before the clock of generation starts."""


def timeout_for(model: Model, duration: int, past: list[float] | None = None) -> float:
    """`default_timeout` for a job of a catalog model row."""
    return default_timeout(model.wait_per_second, model.max_duration, duration, past)


def default_timeout(
    wait_per_second: float, max_duration: int, duration: int, past: list[float] | None = None
) -> float:
    """How long to wait for a job when the user said nothing: long enough for this job, not a fixed 600 s.

    The model's row says how many seconds of waiting one second of output may need (`wait_per_second`: a
    30 s Seedance 2.5 clip took up to 479 s upstream); three times the slowest similar job of the journal
    covers a gateway slower than that. `duration = -1` (the model's choice) counts as its longest.
    """
    seconds = max_duration if duration == -1 else duration
    by_model = wait_per_second * seconds + TIMEOUT_MARGIN_S
    by_history = 3.0 * max(past) if past else 0.0
    return max(TIMEOUT_FLOOR_S, by_model, by_history)
