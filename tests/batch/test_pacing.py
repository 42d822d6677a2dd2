"""The submit pacer's decisions, as pure logic on an injected clock (nothing sleeps), and its shared record."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from seedance.batch.pace_policy import PacePolicy, note_departure, take_turn
from seedance.batch.pace_record import MemoryPaceRecord, PaceState, SqlitePaceRecord, open_pace_record
from seedance.batch.pacing import SubmitPacer
from seedance.emulator.faults import SlidingWindow, TokenBucket


class FakeClock:
    """Wall-clock seconds that only move when a test says so."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def held(ceiling: float, now: float) -> PaceState:
    """A state that has learnt `ceiling` and holds just under it, last touched at `now`."""
    return PaceState(ceiling=ceiling, pace=ceiling * 0.97, quiet_since=now, updated=now)


def pacer_at(clock: FakeClock, state: PaceState | None = None) -> SubmitPacer:
    return SubmitPacer(MemoryPaceRecord(state), clock=clock)


def turn_times(
    pacer: SubmitPacer, clock: FakeClock, n: int, *, accept: bool = False, left: int | None = None
) -> list[float]:
    """Take `n` turns as early as the pacer allows, moving the clock to each; return when each went.

    With `accept`, the gateway accepts each submit at once; `left` is what the run says it still has to send.
    """
    times = []
    for _ in range(n):
        while (wait := pacer.try_turn(left)) > 0:
            clock.now += wait
        times.append(clock.now)
        if accept:
            pacer.accepted()
    return times


def hold_for(pacer: SubmitPacer, clock: FakeClock, seconds: float, left: int | None = 1000) -> None:
    """Submit at the pacer's pace for `seconds`, every submit accepted, saying `left` are still to send."""
    end = clock.now + seconds
    while clock.now < end:
        turn_times(pacer, clock, 1, accept=True, left=left)


def test_with_nothing_known_the_pace_ramps_up_from_a_few_a_second() -> None:
    """The first turn is free at once; the gaps then shrink (the rate doubles every quarter second)."""
    clock = FakeClock()
    pacer = pacer_at(clock)
    started = clock.now
    times = turn_times(pacer, clock, 12)
    assert times[0] == started
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[0] == pytest.approx(0.25)
    assert all(later <= earlier + 1e-9 for earlier, later in itertools.pairwise(gaps))
    assert gaps[-1] < gaps[0] / 4
    assert pacer.rate is None
    assert pacer.ceiling is None


def test_the_first_429_sets_the_ceiling_to_what_the_gateway_took_in_its_window() -> None:
    """Five accepted in the last second and a 429 with Retry-After 1: ceiling 5/s, held at 97 %."""
    clock = FakeClock()
    pacer = pacer_at(clock)
    turn_times(pacer, clock, 5, accept=True)
    turn_times(pacer, clock, 1)
    pacer.limited(1.0)
    assert pacer.ceiling == 5.0
    assert pacer.rate == pytest.approx(4.85)
    assert pacer.rate_limited == 1


def test_held_pace_spaces_turns_evenly_just_under_the_ceiling() -> None:
    """Holding 5/s: turns 1/4.85 s apart, so no second holds more than five."""
    clock = FakeClock()
    pacer = pacer_at(clock, held(5.0, clock.now))
    times = turn_times(pacer, clock, 30)
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(times)}
    assert gaps == {round(1 / 4.85, 6)}
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) == 5


def test_a_429_while_holding_costs_no_one_else_a_pause() -> None:
    """The next turn after a 429 (Retry-After 1) is due one interval on, not a second later."""
    clock = FakeClock()
    pacer = pacer_at(clock, held(5.0, clock.now))
    turn_times(pacer, clock, 10, accept=True)
    pacer.limited(1.0)
    assert 0 < pacer.try_turn() < 0.25  # a little slower (the ceiling stepped down), no second's pause


def test_a_stray_429_while_holding_lowers_the_ceiling_a_little_and_its_echoes_nothing() -> None:
    """One 429 among accepted submits: ceiling x 0.98; 429s within its window say nothing new."""
    clock = FakeClock()
    pacer = pacer_at(clock, held(5.0, clock.now))
    turn_times(pacer, clock, 10, accept=True)
    pacer.limited(1.0)
    assert pacer.ceiling == pytest.approx(4.9)
    clock.now += 0.5
    pacer.limited(1.0)
    assert pacer.ceiling == pytest.approx(4.9)


def test_stray_429s_in_quick_succession_step_down_further_each_time() -> None:
    """429s 5 s apart while holding: 2 %, then 4 %, then 8 % (no further); after a quiet spell, 2 % again."""
    clock = FakeClock()
    pacer = pacer_at(clock, held(5.0, clock.now))
    ceilings = []
    for quiet in (5.0, 5.0, 5.0, 5.0, 20.0):
        hold_for(pacer, clock, quiet, left=None)
        pacer.limited(1.0)
        ceilings.append(pacer.ceiling)
    expected = [5.0 * 0.98, 5.0 * 0.98 * 0.96, 5.0 * 0.98 * 0.96 * 0.92]
    expected += [expected[-1] * 0.92, expected[-1] * 0.92 * 0.98]
    assert ceilings == pytest.approx(expected)


def run_against(
    gateway: TokenBucket | SlidingWindow, pacer: SubmitPacer, clock: FakeClock, seconds: float
) -> list[float]:
    """Submit as fast as the pacer allows to a limiter answering at once; return when 429s came."""
    refused = []
    end = clock.now + seconds
    while clock.now < end:
        turn_times(pacer, clock, 1)
        if gateway.try_take() == 0:
            pacer.accepted()
        else:
            refused.append(clock.now)
            pacer.limited(1.0)
    return refused


def test_a_ceiling_learnt_from_a_burst_comes_down_to_the_token_bucket_rate() -> None:
    """A bucket of 10/s, burst 20 read as 20/s: within seconds the pace holds under 10/s, 429s stop."""
    clock = FakeClock()
    pacer = pacer_at(clock, held(20.0, clock.now))
    refused = run_against(TokenBucket(10, 20, clock=clock), pacer, clock, 30.0)
    ceiling = pacer.ceiling
    assert ceiling is not None
    assert 9.0 <= ceiling <= 10.5
    assert len([t for t in refused if t > clock.now - 10]) <= 1


@pytest.mark.parametrize("limiter", ["sliding_window", "token_bucket"])
def test_from_nothing_the_pacer_finds_the_limit_and_holds_under_it(limiter: str) -> None:
    """Against 5/s (a sliding window, or a bucket of 5, whose burst reads as 8/s at first): a few 429s while
    finding the limit, then almost none."""
    clock = FakeClock()
    pacer = pacer_at(clock)
    gateway = SlidingWindow(5, clock=clock) if limiter == "sliding_window" else TokenBucket(5, 5, clock=clock)
    refused = run_against(gateway, pacer, clock, 60.0)
    assert len(refused) <= 10
    ceiling = pacer.ceiling
    assert ceiling is not None
    assert 4.5 <= ceiling <= 5.3


def test_after_a_quiet_spell_a_probe_goes_above_the_ceiling_and_raises_it_if_no_429_comes() -> None:
    """15 s without a 429: 2 s at 5 % above the ceiling; no 429 then makes that the ceiling."""
    clock = FakeClock()
    policy = PacePolicy()
    pacer = pacer_at(clock, held(5.0, clock.now))
    hold_for(pacer, clock, policy.first_probe_gap)
    times = turn_times(pacer, clock, 4, accept=True, left=1000)
    assert times[-1] - times[-2] == pytest.approx(1 / 5.25)
    hold_for(pacer, clock, policy.probe_seconds)
    assert pacer.ceiling == pytest.approx(5.25)


def test_a_probe_that_meets_a_429_keeps_the_ceiling_and_waits_twice_as_long() -> None:
    """A 429 during a probe: the old ceiling was right; the next probe comes after 30 s, not 15."""
    clock = FakeClock()
    pacer = pacer_at(clock, held(5.0, clock.now))
    hold_for(pacer, clock, PacePolicy().first_probe_gap)
    turn_times(pacer, clock, 3, accept=True, left=1000)
    pacer.limited(1.0)
    assert pacer.ceiling == 5.0
    assert pacer.rate == pytest.approx(4.85)
    assert pacer.record.update(lambda s: s.probe_gap) == 30.0


def test_no_probe_when_the_work_left_could_not_pay_for_its_429() -> None:
    """50 submits left at 4.85/s is 10 s: 5 % more would save 0.5 s, less than the 1 s a refused submit
    waits, so the quiet spell passes without a probe; a run that never says what is left gets none either."""
    clock = FakeClock()
    for left in (50, None):
        pacer = pacer_at(clock, held(5.0, clock.now))
        hold_for(pacer, clock, PacePolicy().first_probe_gap + 5.0, left=left)
        gaps = {round(b - a, 6) for a, b in itertools.pairwise(turn_times(pacer, clock, 5, left=left))}
        assert gaps == {round(1 / 4.85, 6)}
        assert pacer.ceiling == 5.0


def test_the_runs_on_one_account_probe_for_their_work_together(tmp_path: Path) -> None:
    """Two runs with 60 submits left each: neither's work pays for a probe, both together do (one probe,
    in the shared record); a closed run's work no longer counts."""
    clock = FakeClock()
    path = tmp_path / "pace.db"
    first = SubmitPacer(SqlitePaceRecord(path, "account-a"), clock=clock)
    first.record.update(lambda s: vars(s).update(vars(held(5.0, clock.now))))
    second = SubmitPacer(SqlitePaceRecord(path, "account-a"), clock=clock)
    hold_for(first, clock, PacePolicy().first_probe_gap, left=60)
    assert first.record.update(lambda s: s.probing_since) is None
    turn_times(second, clock, 1, accept=True, left=60)
    turn_times(first, clock, 1, accept=True, left=60)
    assert second.record.update(lambda s: s.probing_since) is not None
    first.record.update(lambda s: setattr(s, "probing_since", None))
    second.close()
    turn_times(first, clock, 1, accept=True, left=60)
    assert first.record.update(lambda s: s.probing_since) is None
    first.close()


def test_an_idle_record_keeps_its_ceiling_and_an_old_one_is_forgotten() -> None:
    """After 10 s untouched the ceiling stays (no ramp again); after 10 minutes the ramp starts over."""
    clock = FakeClock()
    record = MemoryPaceRecord(held(5.0, clock.now))
    pacer = SubmitPacer(record, clock=clock)
    clock.now += 60
    assert pacer.try_turn() == 0.0
    assert pacer.ceiling == 5.0
    clock.now += 700
    assert pacer.try_turn() == 0.0
    assert pacer.ceiling is None
    assert pacer.rate is None


def test_two_pacers_share_one_account_record(tmp_path: Path) -> None:
    """One learns the ceiling, the other paces by it; their turns come from one schedule, never closer, held
    at 94 % of the ceiling rather than 97 % while both take turns (two processes' send times jitter apart)."""
    clock = FakeClock()
    path = tmp_path / "pace.db"
    first = SubmitPacer(SqlitePaceRecord(path, "account-a"), clock=clock)
    second = SubmitPacer(SqlitePaceRecord(path, "account-a"), clock=clock)
    other_account = SubmitPacer(SqlitePaceRecord(path, "account-b"), clock=clock)
    turn_times(first, clock, 5, accept=True)
    turn_times(first, clock, 1)
    first.limited(1.0)
    assert second.ceiling == 5.0
    assert other_account.ceiling is None
    clock.now += 0.5
    times = []
    for pacer in [first, second] * 10:
        times += turn_times(pacer, clock, 1, accept=True)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) == pytest.approx(1 / 4.7)
    clock.now += 2.5  # the second run has stopped: the first alone holds 97 % again
    alone = turn_times(first, clock, 6, accept=True)
    assert [b - a for a, b in itertools.pairwise(alone)] == pytest.approx([1 / 4.85] * 5)
    second.limited(1.0)  # a 429 the second one saw lowers the pace of both
    assert first.ceiling == pytest.approx(4.9)
    for pacer in (first, second, other_account):
        pacer.close()


def test_an_unusable_folder_gives_a_pacer_of_its_own(tmp_path: Path) -> None:
    """A pace file that cannot be opened falls back to pacing alone instead of stopping the batch."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    record = open_pace_record(blocker, "https://gateway.example", "key")
    assert isinstance(record, MemoryPaceRecord)


def test_turns_that_leave_late_are_counted_when_they_leave() -> None:
    """Five turns taken on time but sent together after a stall: the sixth waits a whole window after
    them, and a sixth sent in that window is held back until it has passed."""
    clock = FakeClock()
    policy = PacePolicy()
    state = held(5.0, clock.now)
    taken = []
    for _ in range(6):
        while (wait := take_turn(state, clock.now, policy)) > 0:
            clock.now += wait
        taken.append(clock.now)
    clock.now += 0.5  # the process stalled: the first five leave only now
    for turn in taken[:5]:
        assert note_departure(state, turn, clock.now, policy) == 0.0
    assert note_departure(state, taken[5], clock.now, policy) == pytest.approx(5 / 4.85)


def test_answers_count_from_when_their_submit_left_not_when_its_turn_came() -> None:
    """Five turns of the ramp taken in its first 0.75 s, their requests held up by a journal write until
    1.1 s and accepted, then a sixth leaving at 1.3 s gets 429: the gateway took five in the second before
    it, though only three of their turns fall in it."""
    clock = FakeClock()
    start = clock.now

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    pacer = SubmitPacer(MemoryPaceRecord(), clock=clock, sleep=sleep)
    journal_written = asyncio.Event()

    async def submit(leaves_at: float, accepted: bool) -> None:
        pacer.hold()  # the feed took this one's turn
        if accepted:
            await journal_written.wait()
        clock.now = start + leaves_at
        await pacer.before_submit()
        pacer.accepted() if accepted else pacer.limited(1.0)

    async def main() -> None:
        tasks = []
        for _ in range(5):
            await pacer.wait_turn()
            tasks.append(asyncio.create_task(submit(1.1, True)))  # inherits the turn just taken
        assert clock.now - start < 0.75
        journal_written.set()
        await asyncio.gather(*tasks)
        await pacer.wait_turn()
        await asyncio.create_task(submit(1.3, False))

    asyncio.run(main())
    assert pacer.ceiling == 5.0


def test_a_gateway_refusing_everything_slows_the_pace_but_never_below_one_submit_in_30_s() -> None:
    """Every submit refused for a minute: the ceiling halves at each event, down to one in 30 s."""
    clock = FakeClock()
    pacer = pacer_at(clock, held(5.0, clock.now))
    for _ in range(200):
        turn_times(pacer, clock, 1)
        pacer.limited(1.0)
    assert pacer.ceiling == pytest.approx(1 / 30)
    assert pacer.try_turn() <= 31.0  # held at 97 % of the floor
