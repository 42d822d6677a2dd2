"""Cost estimates come from the price table (or the user's file); the polling schedule adapts but never hammers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedance import pricing
from seedance.errors import InputError
from seedance.models import parse_request
from seedance.polling import PollSchedule


@pytest.mark.parametrize(
    ("fields", "usd", "low"),
    [
        ({"model": "2.0", "duration": 10}, 2.9, 2.9),
        ({"model": "2.0"}, 1.45, 1.45),
        ({"model": "2.0", "duration": 15}, 4.35, 4.35),
        ({"model": "2.0-fast", "duration": 4}, 0.96, 0.96),
        ({"model": "2.0", "duration": -1}, 4.35, 1.16),
        ({"model": "1.0-pro", "duration": 12}, 0.2, 0.2),
    ],
)
def test_estimate_from_the_table(fields: dict[str, object], usd: float, low: float) -> None:
    """Per-second models multiply the duration (auto: 4-15 s); per-video models are flat."""
    estimate = pricing.estimate(parse_request({"prompt": "x", **fields}))
    assert (estimate.usd, estimate.low_usd) == (usd, low)
    assert "estimate" in estimate.describe()


@pytest.mark.parametrize(
    "fields",
    [{"model": "2.5"}, {"model": "2.0-mini"}, {"model": "2.5", "extend_video": "https://a/c.mp4"}],
)
def test_unknown_price_is_none_and_says_so(fields: dict[str, object]) -> None:
    """2.5, 2.0 Mini and the extension have no published price: None, and a clear word instead of a number;
    a cap counts them at the dearest known rate per second."""
    request = parse_request({"prompt": "x", "duration": 10, **fields})
    estimate = pricing.estimate(request)
    assert estimate.usd is None
    assert "price unknown" in estimate.describe()
    assert pricing.dearest_usd(request, pricing.load_prices()) == 2.9  # 10 s at 2.0's 0.29 USD/s


def test_user_price_file_wins(tmp_path: Path) -> None:
    """$SEEDANCE_HOME/prices.json overrides the table and sets unpublished prices (a model, an operation)."""
    home = tmp_path / "seedance-home"
    home.mkdir()
    (home / "prices.json").write_text(
        json.dumps(
            {
                "2.0": {"unit": "second", "usd": 0.5},
                "2.0-mini": {"unit": "video", "usd": 0.1},
                "2.5": {"unit": "second", "usd": 0.4},
                "2.5/extend": {"unit": "second", "usd": 0.3},
            }
        )
    )
    assert pricing.estimate(parse_request({"prompt": "x", "duration": 10})).usd == 5.0
    assert pricing.estimate(parse_request({"prompt": "x", "model": "2.0-mini"})).usd == 0.1
    assert pricing.estimate(parse_request({"prompt": "x", "model": "2.5", "duration": 10})).usd == 4.0
    extend = parse_request({"prompt": "x", "model": "2.5", "duration": 10, "extend_video": "https://a/c.mp4"})
    assert pricing.estimate(extend).usd == 3.0


def test_broken_price_file_is_an_input_error(tmp_path: Path) -> None:
    """A malformed price file is named with how to write it."""
    home = tmp_path / "seedance-home"
    home.mkdir()
    (home / "prices.json").write_text('{"2.0": {"unit": "minute", "usd": 1}}')
    with pytest.raises(InputError, match=r"prices\.json"):
        pricing.estimate(parse_request({"prompt": "x"}))


def test_fixed_interval_is_used_as_given() -> None:
    """A configured interval overrides the adaptive schedule."""
    assert PollSchedule(fixed_interval=0.05)(100.0, 7) == 0.05


def test_schedule_is_sparse_before_the_expected_end_and_dense_around_it() -> None:
    """With history of ~60 s: one long wait, then once a second near the end, then a gentle back-off."""
    schedule = PollSchedule(expected_s=60.0, spread_s=2.0)
    assert schedule.first_delay(0.0) == 54.0
    assert schedule(0.0, 0) == 54.0
    assert schedule.first_delay(70.0) == 0.0
    assert schedule(55.0, 1) == 1.0
    assert schedule(65.0, 11) == 1.0
    assert 1.0 < schedule(90.0, 20) <= 15.0


def polls_until(schedule: PollSchedule, done_at: float) -> int:
    """How many status checks the schedule makes for a job that ends `done_at` s after the submit."""
    elapsed, polls = schedule.first_delay(0.0), 0
    while True:
        polls += 1
        if elapsed >= done_at:
            return polls
        elapsed += schedule(elapsed, polls)


def test_schedule_spends_no_more_checks_than_the_fixed_8_s_loop() -> None:
    """A job ending when expected costs at most the loop's checks, however wide the history's spread."""
    for expected in (20.0, 60.0, 120.0, 300.0):
        loop_polls = int(expected // 8.0) + 2  # the loop checks at 0, 8, 16, ... and once past the end
        for spread in (0.0, 0.05 * expected, 0.2 * expected, 0.5 * expected):
            assert polls_until(PollSchedule(expected_s=expected, spread_s=spread), expected) <= loop_polls


def test_a_wider_spread_spaces_the_checks_out() -> None:
    """Tight history polls once a second in the window; loose history spreads the same budget wider."""
    tight = PollSchedule(expected_s=120.0, spread_s=6.0)
    loose = PollSchedule(expected_s=120.0, spread_s=30.0)
    assert tight.dense_interval == 1.0
    assert 1.0 < loose.dense_interval <= 8.0
    assert loose.first_delay(0.0) < tight.first_delay(0.0)


def test_schedule_never_polls_faster_than_once_a_second() -> None:
    """Whatever the elapsed time and history, the adaptive delay is at least min_interval."""
    for expected in (None, 0.5, 5.0, 300.0):
        schedule = PollSchedule(expected_s=expected, spread_s=0.0)
        assert all(schedule(t / 3, n) >= 1.0 for n, t in enumerate(range(0, 3000, 7)))


def test_schedule_without_history_stretches_to_the_loops_interval() -> None:
    """No history: check at once, then after 4 s, then every 8 s: the loop's checks plus one."""
    schedule = PollSchedule()
    assert schedule.first_delay(0.0) == 0.0
    for done_at in (3.0, 30.0, 100.0, 333.0):
        assert polls_until(schedule, done_at) <= int(done_at // 8.0) + 3  # the loop's checks, plus one
    delays = [schedule(0.0, n) for n in range(1, 15)]
    assert delays[0] == 4.0
    assert delays == sorted(delays)
    assert max(delays) == 8.0


def test_history_gives_an_expected_time_and_scales_its_floors() -> None:
    """Two or more past runs set the expectation; a time scale shrinks the floors for fast emulators."""
    from seedance.polling import schedule_from_history

    assert schedule_from_history([]).expected_s is None
    assert schedule_from_history([60.0]).spread_s == 6.0
    learnt = schedule_from_history([58.0, 60.0, 62.0], time_scale=0.1)
    assert learnt.expected_s == 60.0
    assert learnt.min_interval == 0.1
    assert schedule_from_history([1.0, 2.0], fixed_interval=3.0).fixed_interval == 3.0


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8123", True),
        ("http://127.0.0.2:9", True),
        ("http://localhost:1", True),
        ("http://[::1]:8", True),
        ("http://127.example.com", False),
        ("https://gateway.pixazo.ai", False),
        ("http://10.0.0.5:8080", False),
    ],
)
def test_only_a_gateway_on_this_machine_counts_as_local(url: str, local: bool) -> None:
    """Spend leaves local gateways (the emulator) out; a host name that merely starts with 127. is not one."""
    from seedance.config import is_local_gateway

    assert is_local_gateway(url) is local
