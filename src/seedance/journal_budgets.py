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
class PaidRow:
    """What a budget needs of one paid submit: its estimate (None: unknown price) and its request."""

    local_id: str
    state: str
    estimated_cost_usd: float | None
    settings_json: str
    operation: str


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


def paid_rows_since(journal: Journal, since: str) -> list[PaidRow]:
    """The submits created at `since` (ISO UTC) or later that may cost money: all but those the gateway
    refused (`rejected`: no job was made) and those sent to a free gateway (the shared emulator, or one that
    ended with its process)."""
    with journal.store.read() as db:
        rows = db.execute(
            "SELECT local_id, state, estimated_cost_usd, settings_json, operation FROM jobs"
            " WHERE created_at >= ? AND state != 'rejected' AND ephemeral_gateway = 0"
            " AND (gateway IS NULL OR gateway != ?) ORDER BY created_at",
            (since, LOCAL_EMULATOR),
        ).fetchall()
    return [
        PaidRow(
            row["local_id"],
            row["state"],
            None if row["estimated_cost_usd"] is None else float(row["estimated_cost_usd"]),
            row["settings_json"],
            row["operation"],
        )
        for row in rows
    ]
