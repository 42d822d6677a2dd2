"""The journal's `budgets` table and the rows a budget is checked against: store queries, no policy.

The policy (periods, what counts, the refusal) is `seedance.jobs.budget`. Every function takes a `Journal`
and goes through its store, so it runs the same on SQLite and PostgreSQL; a read made inside a serial write
(a submit's checks) sees every committed row, and no other serial write can add one until it ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from seedance.config import LOCAL_EMULATOR

if TYPE_CHECKING:
    from seedance.journal import Journal


@dataclass(frozen=True)
class BudgetRow:
    """One row of `budgets`: a cap on what a scope's paid submits may reserve in each period."""

    scope: str
    amount_usd: float
    period: str
    set_at: str
    set_by: str | None


@dataclass(frozen=True)
class UnpricedRow:
    """A paid submit whose price was unknown when it was journaled: its request, to price it at a cap."""

    state: str
    settings_json: str


@dataclass(frozen=True)
class PaidTotals:
    """What a period's paid submits hold: those with an estimate summed, the others listed."""

    priced_jobs: int
    priced_usd: float
    finished_usd: float
    """Of `priced_usd`, the jobs that ended with a video (succeeded or downloaded)."""
    unpriced: list[UnpricedRow]


def read_budget(journal: Journal, scope: str) -> BudgetRow | None:
    """The scope's budget, or None when none is set."""
    with journal.store.read() as db:
        row = db.execute(
            "SELECT scope, amount_usd, period, set_at, set_by FROM budgets WHERE scope = ?", (scope,)
        ).fetchone()
    if row is None:
        return None
    return BudgetRow(row["scope"], float(row["amount_usd"]), row["period"], row["set_at"], row["set_by"])


def write_budget(journal: Journal, budget: BudgetRow) -> None:
    """Set (or replace) the scope's budget, in a serial write: it decides for every later submit."""
    with journal.store.write(serial=True) as db:
        db.execute(
            "INSERT INTO budgets (scope, amount_usd, period, set_at, set_by) VALUES (?,?,?,?,?)"
            " ON CONFLICT (scope) DO UPDATE SET amount_usd = excluded.amount_usd, period = excluded.period,"
            " set_at = excluded.set_at, set_by = excluded.set_by",
            (budget.scope, budget.amount_usd, budget.period, budget.set_at, budget.set_by),
        )


def delete_budget(journal: Journal, scope: str) -> bool:
    """Remove the scope's budget; whether there was one."""
    with journal.store.write(serial=True) as db:
        return bool(db.execute("DELETE FROM budgets WHERE scope = ?", (scope,)).rowcount)


_PAID = (
    " FROM jobs WHERE created_at >= ? AND state != 'rejected' AND ephemeral_gateway = 0"
    " AND (gateway IS NULL OR gateway != ?)"
)
"""The submits that may cost money: all but those the gateway refused (`rejected`: no job was made) and
those sent to a free gateway (the shared emulator, or one that ended with its process)."""


def paid_since(journal: Journal, since: str) -> PaidTotals:
    """The paid submits created at `since` (ISO UTC) or later: summed in the database where priced (a
    month of a busy team is thousands of rows, read inside every submit's serial write)."""
    args = (since, LOCAL_EMULATOR)
    with journal.store.read() as db:
        totals = db.execute(
            "SELECT COUNT(*) AS jobs, COALESCE(SUM(estimated_cost_usd), 0) AS usd,"
            " COALESCE(SUM(CASE WHEN state IN ('succeeded', 'downloaded') THEN estimated_cost_usd END), 0)"
            " AS finished" + _PAID + " AND estimated_cost_usd IS NOT NULL",
            args,
        ).fetchone()
        unpriced = db.execute(
            "SELECT state, settings_json" + _PAID + " AND estimated_cost_usd IS NULL", args
        ).fetchall()
    return PaidTotals(
        int(totals["jobs"]),
        float(totals["usd"]),
        float(totals["finished"]),
        [UnpricedRow(row["state"], row["settings_json"]) for row in unpriced],
    )
