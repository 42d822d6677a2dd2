"""The refusals hold across processes because the journal decides them, inside its serial write: racers
started at the same instant, each with its own user folder, one shared journal, one real emulator that
the client treats as paid (reached by URL and key, not `--emulator`)."""

from __future__ import annotations

import re
from typing import Any

from seedance import jobs
from seedance.journal import Journal


def test_two_identical_generates_at_once_pay_once(race: Any, emulator: Any, postgres_url: str) -> None:
    """Two `seedance generate` of one request on two "machines" sharing a PostgreSQL journal: exactly one
    submit reaches the gateway; the other exits 2 naming the job that went (its local or request id)."""
    args = ["cli", "generate", "A red fox crossing a frozen river at dawn", "--no-wait"]
    done = race([args, args], postgres_url)

    assert sorted(run.returncode for run in done) == [0, 2], [run.stderr for run in done]
    assert len(emulator.submits) == 1
    [job] = Journal(postgres_url).jobs()
    assert job.request_id is not None
    refused = next(run for run in done if run.returncode == 2)
    named = re.search(r"(local|request) id (\S+?)[;)]", refused.stderr)
    assert named is not None, refused.stderr
    assert named.group(2) in (job.local_id, job.request_id)
    assert "nothing was sent" in refused.stderr


def test_four_racers_never_spend_past_the_team_budget(
    race: Any, emulator: Any, journal_location: str
) -> None:
    """A $10 budget and four processes submitting $1.45 jobs until refused (two through the CLI, two
    through the library): six submits reach the gateway, no more, and the journal reserves $8.70 of $10;
    every racer ends refused by the budget (exit 2). On SQLite and on PostgreSQL."""
    jobs.set_budget(Journal(journal_location), 10, "month")
    cli = ["cli-until-refused", "12", "generate", "{name} clip {k}", "--no-wait"]
    library = ["library-until-refused", "12"]
    racers = [
        [arg.replace("{name}", "worker 0") for arg in cli],
        [arg.replace("{name}", "worker 1") for arg in cli],
        [*library, "worker 2 clip"],
        [*library, "worker 3 clip"],
    ]
    done = race(racers, journal_location)

    assert [run.returncode for run in done] == [2, 2, 2, 2], [run.stderr for run in done]
    assert all("team budget is $10.00 a month" in run.stderr for run in done)
    sent = [int(re.findall(r"sent=(\d+)", run.stdout)[-1]) for run in done]
    assert sum(sent) == len(emulator.submits) == 6
    status = jobs.budget_status(Journal(journal_location))
    assert status is not None
    assert status.jobs == 6
    assert status.reserved_usd == 8.7 <= 10
