"""The team budget: a cap on what the journal's paid submits may reserve per day, week or month.

Every paid submit reserves its estimate: the `estimated_cost_usd` of its journal row, written in the same
serial write transaction as the check (`refuse_over_budget`, run by every journaled submit in
`ClientCore._record`), so two processes, on one machine or many sharing a PostgreSQL journal, can never
both take the last dollars. A submit the gateway refused (`rejected`) frees its share; jobs on a free
gateway (the shared emulator, a private one) never count; an unknown price counts at the dearest known rate,
so the cap holds. Periods start at 00:00 UTC: each day, each Monday (week), the 1st (month).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from seedance import config
from seedance.errors import BudgetExceeded, InputError
from seedance.journal import Journal
from seedance.journal_budgets import BudgetRow, delete_budget, paid_since, read_budget, write_budget
from seedance.leases import me
from seedance.pricing import Price, dearest_usd, estimate, load_prices
from seedance.request import VideoRequest, parse_request

Clock = Callable[[], datetime]
PERIODS = ("day", "week", "month")
TEAM = "team"
"""The one scope there is today: everyone who writes to the journal."""
_CENT = 1e-9  # float noise: six $1.45 jobs are $8.70, not $8.700000000000001


def utc_now() -> datetime:
    """The wall clock, in UTC (the default clock; tests inject their own)."""
    return datetime.now(UTC)


def period_start(period: str, now: datetime) -> datetime:
    """When the period holding `now` began: 00:00 UTC of the day, of the week's Monday, of the month's 1st."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise InputError(f"a budget period is one of {', '.join(PERIODS)}, not {period!r}")


def period_end(period: str, now: datetime) -> datetime:
    """When the period holding `now` ends (the next one's start)."""
    start = period_start(period, now)
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    return (start + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Budget:
    """The team's budget: at most `amount_usd` reserved by paid submits in each `period`."""

    amount_usd: float
    period: str
    """`day`, `week` or `month`."""
    set_at: str
    """When it was set (ISO UTC)."""
    set_by: str | None
    """Who set it: `user@host`."""

    def describe(self) -> str:
        """`$50.00 a day`."""
        return f"${self.amount_usd:.2f} a {self.period}"


@dataclass(frozen=True)
class BudgetStatus:
    """A budget and where this period stands against it."""

    budget: Budget
    since: datetime
    until: datetime
    reserved_usd: float
    """Every paid submit of the period not refused by the gateway (estimates; unknown at the dearest rate)."""
    spent_usd: float
    """Of it, the jobs that finished with a video (succeeded or downloaded)."""
    jobs: int
    unpriced_jobs: int
    """Jobs with no published price, counted at the dearest known rate."""

    @property
    def left_usd(self) -> float:
        """What may still be reserved this period (never below 0)."""
        return round(max(self.budget.amount_usd - self.reserved_usd, 0.0), 4)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "scope": TEAM,
            "amount_usd": self.budget.amount_usd,
            "period": self.budget.period,
            "set_at": self.budget.set_at,
            "set_by": self.budget.set_by,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "reserved_usd": self.reserved_usd,
            "spent_usd": self.spent_usd,
            "left_usd": self.left_usd,
            "jobs": self.jobs,
            "unpriced_jobs": self.unpriced_jobs,
        }


def set_budget(journal: Journal, amount_usd: float, period: str, *, clock: Clock = utc_now) -> Budget:
    """Set the team's budget (replacing any), signed `user@host`; raises InputError for a bad amount."""
    if not math.isfinite(amount_usd) or amount_usd < 0:
        raise InputError(
            f"a budget is an amount of USD of 0 or more, not {amount_usd}",
            hint="e.g. `seedance budget set 50 --per day`",
        )
    period_start(period, clock())  # an unknown period is refused here
    who = me()
    row = BudgetRow(
        TEAM, round(amount_usd, 4), period, clock().isoformat(timespec="seconds"), f"{who.user}@{who.host}"
    )
    write_budget(journal, row)
    return Budget(row.amount_usd, row.period, row.set_at, row.set_by)


def clear_budget(journal: Journal) -> bool:
    """Remove the team's budget; whether one was set."""
    return delete_budget(journal, TEAM)


def get_budget(journal: Journal) -> Budget | None:
    """The team's budget, or None."""
    row = read_budget(journal, TEAM)
    return None if row is None else Budget(row.amount_usd, row.period, row.set_at, row.set_by)


def budget_status(journal: Journal, *, clock: Clock = utc_now) -> BudgetStatus | None:
    """The team's budget with what this period's paid submits reserve; None when no budget is set."""
    budget = get_budget(journal)
    return None if budget is None else _status(journal, budget, clock())


def job_reservation(request: VideoRequest, prices: dict[str, Price | None] | None = None) -> float:
    """What a job reserves: its estimate, or the dearest known rate when its price is unknown."""
    table = prices if prices is not None else load_prices()
    usd = estimate(request, table).usd
    return usd if usd is not None else dearest_usd(request, table)


def is_free(gateway: str | None, *, ephemeral: bool = False) -> bool:
    """Whether a gateway charges nothing, so a budget does not count its jobs: the shared local emulator, or
    a private one that ends with its process. Any other gateway (even one on this machine) may be a proxy
    to the paid one, and counts."""
    return ephemeral or config.is_emulated(gateway)


def refuse_over_budget(
    journal: Journal,
    request: VideoRequest,
    *,
    gateway: str | None,
    ephemeral: bool = False,
    clock: Clock = utc_now,
) -> None:
    """Raise BudgetExceeded when this job would take the period's reserved sum past the team's budget.

    Run inside the serial write that records the submit (and once at planning, to refuse early): the sum
    it reads cannot grow until this job's row is in.
    """
    if is_free(gateway, ephemeral=ephemeral):
        return
    budget = get_budget(journal)
    if budget is None:
        return
    prices = load_prices()
    now = clock()
    status = _status(journal, budget, now, prices)
    cost = job_reservation(request, prices)
    if status.reserved_usd + cost <= budget.amount_usd + _CENT:
        return
    raise _refusal(status, cost, estimate(request, prices).usd is None)


def _status(
    journal: Journal, budget: Budget, now: datetime, prices: dict[str, Price | None] | None = None
) -> BudgetStatus:
    since, until = period_start(budget.period, now), period_end(budget.period, now)
    table = prices if prices is not None else load_prices()
    paid = paid_since(journal, since.isoformat(timespec="milliseconds"))
    reserved, spent = paid.priced_usd, paid.finished_usd
    for row in paid.unpriced:
        usd = _dearest_for(row.settings_json, table)
        reserved += usd
        if row.state in ("succeeded", "downloaded"):
            spent += usd
    jobs = paid.priced_jobs + len(paid.unpriced)
    return BudgetStatus(budget, since, until, round(reserved, 4), round(spent, 4), jobs, len(paid.unpriced))


def _dearest_for(settings_json: str, prices: dict[str, Price | None]) -> float:
    """A journaled job of unknown price at the dearest known rate (its longest possible run)."""
    try:
        return dearest_usd(parse_request(json.loads(settings_json)), prices)
    except (InputError, ValueError):  # a row from a version with other rules: assume the longest video
        known = [p for p in prices.values() if p is not None]
        longest = max((m.max_duration for m in _models()), default=15)
        return max((p.usd * (longest if p.unit == "second" else 1) for p in known), default=math.inf)


def _models() -> list[Any]:
    from seedance.catalog import current

    return list(current().models.values())


def _refusal(status: BudgetStatus, cost: float, unpriced: bool) -> BudgetExceeded:
    budget = status.budget
    after = status.reserved_usd + cost
    its = (
        f"this job, of unknown price counted at the dearest known rate (${cost:.2f}),"
        if unpriced
        else f"this job's estimate of ${cost:.2f}"
    )
    since, until = _shown(status.since), _shown(status.until)
    suggested = math.ceil(after) if math.isfinite(after) else "AMOUNT"
    return BudgetExceeded(
        f"the team budget is {budget.describe()}; ${status.reserved_usd:.2f} is reserved since {since}"
        f" ({status.jobs} paid submit(s)) and {its} would make it ${after:.2f}; nothing was sent",
        budget_usd=budget.amount_usd,
        period=budget.period,
        reserved_usd=status.reserved_usd,
        estimate_usd=round(cost, 4),
        hint=f"raise it (`seedance budget set {suggested} --per {budget.period}`), wait for the next"
        f" {budget.period} ({until}), or remove it (`seedance budget clear`)",
    )


def _shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
