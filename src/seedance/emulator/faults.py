"""The fault rules in force, with their remaining counts, and the limiters that rate-limit submits."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from seedance.emulator.options import FaultRule


@dataclass
class ActiveRule:
    """A rule and how many more calls (or jobs) it affects; None means unlimited."""

    rule: FaultRule
    remaining: int | None


class FaultBook:
    """The ordered fault rules of one emulator; the first live rule that matches a call is used up by it."""

    def __init__(self, rules: Iterable[FaultRule] = ()) -> None:
        self._lock = threading.Lock()
        self._rules = [ActiveRule(rule, rule.count) for rule in rules]

    def add(self, rule: FaultRule) -> None:
        """Append a rule (matched after the ones already there)."""
        with self._lock:
            self._rules.append(ActiveRule(rule, rule.count))

    def active(self) -> list[ActiveRule]:
        """The rules that can still fire, in order."""
        with self._lock:
            return [ActiveRule(a.rule, a.remaining) for a in self._rules if a.remaining != 0]

    def take(
        self, route: str, kinds: Iterable[str], when: Callable[[FaultRule], bool] | None = None
    ) -> FaultRule | None:
        """Return the first live rule of one of `kinds` for `route` (and `when`, if given), counting one use."""
        wanted = set(kinds)
        with self._lock:
            for active in self._rules:
                rule = active.rule
                if active.remaining == 0 or rule.kind not in wanted or rule.route not in (route, "any"):
                    continue
                if when is not None and not when(rule):
                    continue
                if active.remaining is not None:
                    active.remaining -= 1
                return rule
        return None


class TokenBucket:
    """Allows `rate` calls per second on average and `burst` at once; answers how long to wait otherwise."""

    def __init__(
        self, rate: float, burst: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.capacity = float(burst if burst is not None else max(1, math.ceil(rate)))
        self._tokens = self.capacity
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def try_take(self) -> float:
        """Take a token and return 0, or return the seconds until one is available (nothing is taken)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


class SlidingWindow:
    """Allows `limit` calls in any `window` seconds, the way API management gateways enforce a per-key rate.

    Unlike a token bucket, nothing accrues while the caller is idle beyond one window's worth, and a burst
    at the start of a window blocks the whole window: a client that paces just under the limit never hits
    it, one that bursts waits for the window to slide. Refused calls are not counted.
    """

    def __init__(self, rate: float, window: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.limit = max(1, math.floor(rate * window + 1e-9))
        self._accepted: deque[float] = deque()
        self._clock = clock
        self._lock = threading.Lock()

    def try_take(self) -> float:
        """Count a call and return 0, or return the seconds until the window has room (nothing is counted)."""
        with self._lock:
            now = self._clock()
            while self._accepted and self._accepted[0] <= now - self.window:
                self._accepted.popleft()
            if len(self._accepted) < self.limit:
                self._accepted.append(now)
                return 0.0
            return self._accepted[0] + self.window - now
