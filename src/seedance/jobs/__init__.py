"""The job service: every rule that protects the user's money, written once, for the library's clients, the
CLI, the MCP server and the batch runner (which only word hints and render).

- `plan` / `submit`: validate, price, check media, place the video, refuse (another job's file, an existing
  file, an identical job still open); journal, then send. The refusals run again inside the journal's write
  transaction, so two processes cannot both pass them.
- `outputs`: whose file a path is (`owner_of`) and the download-side refusal (`check_download_target`).
- `repeats`: the repeat guard and its wording (`NextSteps`).
- `records`: which jobs resume picks up, which may be forgotten, settling dead submits.
- `budget`: the team budget (per day, week or month) that every paid submit reserves its estimate against.
"""

from seedance.jobs.budget import (
    PERIODS,
    Budget,
    BudgetStatus,
    budget_status,
    clear_budget,
    get_budget,
    job_reservation,
    period_end,
    period_start,
    refuse_over_budget,
    set_budget,
)
from seedance.jobs.outputs import (
    check_download_path,
    check_download_target,
    check_made_file,
    is_abandoned,
    owner_of,
)
from seedance.jobs.planning import Plan, asubmit, plan, retarget, submit
from seedance.jobs.records import (
    find,
    forget,
    history,
    listed,
    prune,
    settle_orphans,
    unfinished,
    user_journal,
)
from seedance.jobs.repeats import LIBRARY_STEPS, NextSteps, find_repeat, refuse_repeat
from seedance.journal import JobRecord

__all__ = [
    "LIBRARY_STEPS",
    "PERIODS",
    "Budget",
    "BudgetStatus",
    "JobRecord",
    "NextSteps",
    "Plan",
    "asubmit",
    "budget_status",
    "check_download_path",
    "check_download_target",
    "check_made_file",
    "clear_budget",
    "find",
    "find_repeat",
    "forget",
    "get_budget",
    "history",
    "is_abandoned",
    "job_reservation",
    "listed",
    "owner_of",
    "period_end",
    "period_start",
    "plan",
    "prune",
    "refuse_over_budget",
    "refuse_repeat",
    "retarget",
    "set_budget",
    "settle_orphans",
    "submit",
    "unfinished",
    "user_journal",
]
