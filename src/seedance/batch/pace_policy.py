"""The pacer's decisions as pure functions of the shared pace state and the time: no I/O, no sleeping.

`pacing.SubmitPacer` applies them to a `PaceRecord` (see its docstring for the strategy); the tests run
them on a fake clock against the emulator's own limiters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from seedance.batch.pace_record import PaceState

DEFAULT_PAUSE = 5.0
"""Seconds to wait after a 429 without Retry-After (the skill's 5 s)."""


@dataclass(frozen=True)
class PacePolicy:
    """The pacing constants; the defaults suit a per-second limit reached over a few ms to 300 ms."""

    margin: float = 0.97
    """Hold this fraction of the ceiling: room for the jitter between our send times and the gateway's clock."""
    shared_margin: float = 0.94
    """The fraction held while two or more runs take turns (two batches, a batch and the MCP server): each
    process's send times jitter on their own, so their arrivals bunch more than one process's do."""
    shared_seconds: float = 2.0
    """A run that took a turn within this many seconds is taking turns."""
    ramp_start: float = 4.0
    """Submits per second when nothing is known yet."""
    ramp_doubling: float = 0.25
    """Seconds for the ramp's rate to double."""
    probe_step: float = 0.05
    """A first probe goes this much above the ceiling (5 %); each one that passes doubles the step..."""
    probe_seconds: float = 2.0
    """...for this long; no 429 meanwhile makes its rate the new ceiling."""
    first_probe_gap: float = 15.0
    """Quiet seconds before the first probe."""
    max_probe_gap: float = 60.0
    """The longest wait between probes."""
    catch_up: float = 0.5
    """Seconds a turn may be taken late and the next ones still be due on the schedule (catching up after a
    stall); the window rules keep the catching up within the pace of any window."""
    jitter_step: float = 0.98
    """A stray 429 while holding lowers the ceiling by this factor..."""
    jitter_repeat: float = 15.0
    """...and one within this many seconds of the last step down goes twice as far (up to 8 %): on a machine
    that jitters more than the margin, repeated 429s say the margin is too thin, as repeated losses make TCP
    back off harder. Their count stays bounded however long the runs last."""
    min_ceiling: float = 1.0 / 30.0
    """The ceiling never goes below one submit in 30 s: a gateway refusing everything for a while (an
    outage) must not leave a schedule of days once it answers again."""
    forget_after: float = 600.0
    """A state nobody touched for this long is forgotten: the limit may have changed."""
    idle_after: float = 10.0
    """A state untouched for this long keeps its ceiling but loses its schedule and measurements."""


def take_turn(
    state: PaceState, now: float, policy: PacePolicy, run: str = "", left: int | None = None
) -> float:
    """Take the next submit turn and return 0, or return the seconds until one is free (nothing taken).

    `run` says which run asks and `left` how many submits it still has to send, this one included (None:
    it does not say; its earlier word stands).
    """
    _refresh(state, now, policy)
    if left is not None:
        state.work[run] = [float(left), now]
    state.runs = {**_runs_taking_turns(state, now, policy), run: now}
    if state.pace is not None and state.ceiling is not None:
        quiet = now - state.quiet_since >= state.probe_gap
        if state.probing_since is None and quiet and _worth_probing(state, now, policy):
            state.probing_since = now
        elif state.probing_since is not None and now - state.probing_since >= policy.probe_seconds:
            # The probe went through without a 429: the limit is at least that high, maybe much higher (a
            # ceiling learnt while another client took part of the limit): the next probe goes twice as far.
            state.ceiling *= 1.0 + state.probe_step
            state.probe_step = min(state.probe_step * 2.0, 1.0)
            state.pace = state.ceiling * policy.margin
            state.probing_since, state.quiet_since = None, now
    due = _next_due(state, now, policy)
    if now < due:
        return due - now
    interval = 1.0 / current_rate(state, now, policy)
    if state.pace is not None and now - state.next_free <= policy.catch_up:
        # On a grid: a turn taken a little late (a busy event loop, another process waking late) lets the
        # next one catch up, instead of the lateness adding up over the run. Idle time is not caught up.
        state.next_free += interval
    else:
        state.next_free = now + interval
    state.turns = [*state.turns[-127:], now]
    state.updated = now
    return 0.0


def _worth_probing(state: PaceState, now: float, policy: PacePolicy) -> bool:
    """Whether the account has enough work left for a probe to pay for the 429 it most likely costs.

    A probe that finds `probe_step` more room saves about that fraction of the time the work left takes at
    the held pace; a probe that meets the limit costs a 429 and that submit's wait (the window). Work no
    run has mentioned for `idle_after` seconds is gone (its run ended or stalled: no gain for it).
    """
    state.work = {run: w for run, w in state.work.items() if w[0] > 0 and now - w[1] <= policy.idle_after}
    seconds_left = sum(w[0] for w in state.work.values()) / (state.pace or policy.ramp_start)
    return state.probe_step * seconds_left >= state.window


def _next_due(state: PaceState, now: float, policy: PacePolicy) -> float:
    """When the next turn may be taken: on the schedule, and never more than the pace in any window."""
    if state.pace is None or not state.turns:
        return state.next_free
    # Any k + 1 consecutive turns span at least k intervals, k intervals covering the limit's window: a
    # catching-up schedule never puts more in a window than the pace allows.
    rate = current_rate(state, now, policy)
    k = max(1, math.ceil(rate * state.window - 1e-9))
    due = state.next_free
    if len(state.turns) >= k:
        due = max(due, state.turns[-k] + k / rate)
    return due


def note_departure(state: PaceState, turn_at: float, now: float, policy: PacePolicy) -> float:
    """The submit whose turn was taken at `turn_at` is about to leave: return 0 and count it as gone now,
    or return how long it must still wait.

    A process that stalled after taking turns (a busy machine) would otherwise send them all at once when
    it wakes: the gateway counts arrivals, so no submit leaves while the last k that left
    span less than k intervals.
    """
    if state.pace is not None:
        rate = current_rate(state, now, policy)
        k = max(1, math.ceil(rate * state.window - 1e-9))
        if len(state.departed) >= k and now < state.departed[-k] + k / rate:
            return state.departed[-k] + k / rate - now
    state.departed = [*state.departed[-127:], now]
    if turn_at in state.turns and now > turn_at:
        state.turns = sorted(now if t == turn_at else t for t in state.turns)
    return 0.0


def current_rate(state: PaceState, now: float, policy: PacePolicy) -> float:
    """Submits per second allowed now: the ramp's, the probe's or the held pace."""
    if state.pace is None or state.ceiling is None:
        started = state.ramp_started if state.ramp_started is not None else now
        doubled = policy.ramp_start * math.pow(2.0, min((now - started) / policy.ramp_doubling, 30.0))
        # Never more than four times what really went in the last second: a process that could not keep up
        # (a busy machine) must not find itself allowed a burst of hundreds.
        sent = sum(1 for t in state.turns if t > now - 1.0)
        return min(doubled, max(policy.ramp_start, 4.0 * sent))
    if state.probing_since is not None:
        return state.ceiling * (1.0 + state.probe_step)
    if len(_runs_taking_turns(state, now, policy)) >= 2:
        return state.ceiling * policy.shared_margin
    return state.pace


def _runs_taking_turns(state: PaceState, now: float, policy: PacePolicy) -> dict[str, float]:
    """The runs that took a turn within `shared_seconds`, with when."""
    return {run: at for run, at in state.runs.items() if now - at <= policy.shared_seconds}


def note_accepted(state: PaceState, now: float, policy: PacePolicy, sent: float | None = None) -> None:
    """A submit (sent at `sent`) was accepted: remember when, to measure the rate the gateway takes."""
    sent = now if sent is None else sent
    state.accepted = [t for t in state.accepted[-999:] if t > now - 10.0]
    state.accepted.append(sent)
    ended = state.ramp_ended
    if ended is not None and ended - state.window < sent < ended and now < state.calm_until and state.ceiling:
        # Sent before the 429 that ended the ramp, answered after it (another process's answer, or a slow
        # one): the gateway took it in that window, so the ceiling counts it too.
        state.ceiling += 1.0 / state.window
        state.pace = state.ceiling * policy.margin
    state.updated = now


def note_limited(
    state: PaceState, now: float, retry_after: float | None, policy: PacePolicy, sent: float | None = None
) -> None:
    """A submit (sent at `sent`) got 429: learn the ceiling from it, unless it says nothing new.

    Never pauses anyone: the submit that got it waits out its Retry-After on its own.
    """
    sent = now if sent is None else sent
    state.updated = now
    state.limited = [t for t in state.limited[-999:] if t > now - 10.0] + [sent]
    if now < state.calm_until:
        return  # sent before the last change: the same event seen again
    wait = retry_after if retry_after is not None and retry_after > 0 else DEFAULT_PAUSE
    window = max(wait, 1.0)  # Retry-After: 1 for a per-second limit; longer for a per-minute one
    state.calm_until, state.window = now + window, window
    if state.pace is None or state.ceiling is None:
        # The ramp hit the limit: what the gateway took over the last window is its rate (if it took
        # nothing, someone else holds the limit: half the ramp's rate, as TCP halves its window on a loss).
        taken = sum(1 for t in state.accepted if sent - window < t < sent) / window
        state.ceiling = max(
            taken if taken > 0 else current_rate(state, now, policy) / 2.0, policy.min_ceiling
        )
        state.ramp_ended = sent
        state.pace = state.ceiling * policy.margin
        state.quiet_since, state.probe_gap = now, policy.first_probe_gap
        return
    if state.probing_since is not None:
        # The probe found the limit where it was: back to the old pace, and probe less often and less far.
        state.probing_since = None
        state.probe_gap = min(state.probe_gap * 2.0, policy.max_probe_gap)
        state.probe_step = policy.probe_step
    else:
        # Held under the ceiling and still limited. A 429 now and then is jitter (our send times are not the
        # gateway's clock): step down a little. If the gateway refused a quarter of what went since the last
        # change, the ceiling is well above the limit (e.g. read from a token bucket's burst): believe the
        # rate it took meanwhile.
        # Counted by send time: refusals of submits sent before the last change are that change's echoes.
        since = max(state.quiet_since, now - 5.0)
        sent = sum(1 for t in state.turns if t > since)
        refused = sum(1 for t in state.limited if t > since)
        repeat = 0 < now - state.stepped_at <= policy.jitter_repeat
        state.steps = min(state.steps + 1, 2) if repeat else 0
        lower = state.ceiling * (1.0 - (1.0 - policy.jitter_step) * 2.0**state.steps)
        state.stepped_at = now
        if refused * 4 >= sent and refused >= 3:
            span = max(now - since, 1.0)
            lower = min(max(_taken(state, now, span) / span, state.ceiling * 0.5), lower)
            state.probe_gap = policy.first_probe_gap  # the limit moved (or was misread): look again soon
        state.ceiling, state.probe_step = max(lower, policy.min_ceiling), policy.probe_step
    state.pace = state.ceiling * policy.margin
    state.quiet_since = now


def _taken(state: PaceState, now: float, window: float) -> int:
    return sum(1 for t in state.accepted if t > now - window)


def _refresh(state: PaceState, now: float, policy: PacePolicy) -> None:
    """Forget what is too old to describe the gateway now (another run's schedule, a day-old limit)."""
    if not state.updated or now - state.updated <= policy.idle_after:
        if state.pace is None and state.ramp_started is None:
            state.ramp_started = now
        return
    keep = state.ceiling if now - state.updated <= policy.forget_after else None
    vars(state).update(vars(PaceState()))  # every field back to its default
    state.ceiling = keep
    state.pace = keep * policy.margin if keep is not None else None
    state.ramp_started = None if keep is not None else now
    state.quiet_since, state.updated = now, now
