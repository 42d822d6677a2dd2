"""The submit limiters: a token bucket and a sliding one-second window, as pure logic and over HTTP."""

from __future__ import annotations

import pytest

from seedance.emulator import EmulatorHandle
from seedance.emulator.faults import SlidingWindow, TokenBucket

from .conftest import Api


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_allows_rate_calls_in_any_second() -> None:
    """Five a second: a sixth in the same second waits until the oldest leaves the window."""
    clock = FakeClock()
    window = SlidingWindow(5, clock=clock)
    assert [window.try_take() for _ in range(5)] == [0.0] * 5
    clock.now += 0.4
    assert window.try_take() == pytest.approx(0.6)  # the first five were all taken at 100.0
    clock.now += 0.6
    assert window.try_take() == 0.0


def test_sliding_window_blocks_a_window_after_a_burst_where_a_bucket_refills() -> None:
    """Paced just under the limit both accept everything; after a burst only the bucket accepts at 0.2 s."""
    clock = FakeClock()
    window, bucket = SlidingWindow(5, clock=clock), TokenBucket(5, 5, clock=clock)
    for _ in range(5):
        assert window.try_take() == bucket.try_take() == 0.0
    clock.now += 0.21
    assert bucket.try_take() == 0.0
    assert window.try_take() > 0.7
    clock.now += 1.0
    for _ in range(20):  # 4.76 a second, evenly spaced
        assert window.try_take() == 0.0
        clock.now += 0.21


def test_refused_calls_do_not_count_in_the_window() -> None:
    """A refused call takes no room: the window frees when the accepted ones age out."""
    clock = FakeClock()
    window = SlidingWindow(2, clock=clock)
    window.try_take(), window.try_take()
    for _ in range(10):
        assert window.try_take() > 0
    clock.now += 1.0
    assert window.try_take() == 0.0


def test_sliding_window_limit_answers_apim_429_with_retry_after_1(api: Api, emulator: EmulatorHandle) -> None:
    """With `submit_limiter=sliding_window` the sixth submit in a second gets APIM's 429 and creates nothing."""
    emulator.configure(submit_rate_per_second=5, submit_limiter="sliding_window")
    answers = [api.submit() for _ in range(6)]
    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert answers[5].headers["retry-after"] == "1"
    assert answers[5].json() == {
        "statusCode": 429,
        "message": "Rate limit is exceeded. Try again in 1 seconds.",
    }
    assert len(emulator.submits) == 5
