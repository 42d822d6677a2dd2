"""`seedance budget`: the team's spending cap per day, week or month, and where this period stands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from seedance.cli.common import json_option
from seedance.cli.output import OUT

if TYPE_CHECKING:
    from seedance.jobs import BudgetStatus

PERIOD_HELP = (
    "The period the budget covers; each starts at 00:00 UTC: every day, every Monday (week), the 1st (month)."
)


@click.group(invoke_without_command=True, short_help="Show the team budget and what is left of it.")
@json_option
@click.pass_context
def budget(ctx: click.Context, as_json: bool) -> None:
    """Show the team budget: what this period's paid submits reserve, and what is left.

    Every paid submit (generate, batch lines, the MCP tools, the library with a journal) reserves its
    estimate in the journal as it is recorded, before it is sent; a submit that would go past the budget is
    refused (exit 2), nothing sent. A submit the gateway refused frees its share; jobs on the emulator are
    free and never count; a price that is not published counts at the dearest known rate. The budget holds
    for everyone who writes to the journal (a team's shared PostgreSQL journal: every machine).

    Periods start at 00:00 UTC: each day (`--per day`), each Monday (`--per week`), the 1st of each month
    (`--per month`).

    \b
    Examples:
      seedance budget set 50 --per day
      seedance budget
      seedance budget clear
    """
    if ctx.invoked_subcommand is not None:
        return
    from seedance import jobs

    status = jobs.budget_status(jobs.user_journal())
    if status is None:
        OUT.result(
            {"ok": True, "budget": None},
            "no team budget is set: `seedance budget set 50 --per day` sets one",
        )
        return
    OUT.result({"ok": True, "budget": status.to_dict()}, _describe(status))


@budget.command(name="set", short_help="Set the team budget.")
@click.argument("amount")
@click.option(
    "--per",
    "period",
    type=click.Choice(["day", "week", "month"]),
    default="day",
    show_default=True,
    help=PERIOD_HELP,
)
@json_option
def set_command(amount: str, period: str, as_json: bool) -> None:
    """Set the team budget to AMOUNT US dollars per period (replacing any): e.g. `seedance budget set 50 --per
    day`. 0 refuses every paid submit."""
    from seedance import jobs
    from seedance.errors import InputError

    try:
        usd = float(amount.strip().removeprefix("$"))
    except ValueError:
        raise InputError(
            f"AMOUNT {amount!r} is not a number of US dollars", hint="e.g. `seedance budget set 50 --per day`"
        ) from None
    journal = jobs.user_journal()
    jobs.set_budget(journal, usd, period)
    status = jobs.budget_status(journal)
    assert status is not None  # just set
    OUT.result({"ok": True, "budget": status.to_dict()}, _describe(status))


@budget.command(short_help="Remove the team budget.")
@json_option
def clear(as_json: bool) -> None:
    """Remove the team budget: paid submits are no longer capped."""
    from seedance import jobs

    removed = jobs.clear_budget(jobs.user_journal())
    OUT.result(
        {"ok": True, "removed": removed},
        "the team budget is removed" if removed else "no team budget was set",
    )


def _describe(status: BudgetStatus) -> str:
    budget = status.budget
    since, until = (moment.strftime("%Y-%m-%d %H:%M UTC") for moment in (status.since, status.until))
    unpriced = (
        f" ({status.unpriced_jobs} of no published price, at the dearest known rate)"
        if status.unpriced_jobs
        else ""
    )
    return "\n".join(
        [
            f"team budget:  {budget.describe()} (set by {budget.set_by or 'unknown'}"
            f" on {budget.set_at[:16].replace('T', ' ')} UTC)",
            ("today:" if budget.period == "day" else f"this {budget.period}:").ljust(14)
            + f"{since} to {until}",
            f"reserved:     ${status.reserved_usd:.2f} by {status.jobs} paid submit(s){unpriced}",
            f"  finished:   ${status.spent_usd:.2f} (jobs with a video)",
            f"left:         ${status.left_usd:.2f}",
            "USD, estimates from the price table; your dashboard has the exact figures.",
        ]
    )
