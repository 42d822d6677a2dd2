"""The team budget: periods from an injected clock, what a paid submit reserves, what never counts, and the
refusal as every front end shows it (library, CLI, batch, MCP); on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from cli_inprocess import run_seedance_here
from seedance import config, errors, jobs
from seedance.client import Client
from seedance.journal import Journal
from seedance.leases import me
from seedance.request import parse_request

SUNDAY_EVENING = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)
FOX = {"prompt": "A red fox in the snow"}  # model 2.0, 5 s: $1.45


@pytest.fixture
def journal(journal_location: str) -> Journal:
    return Journal(journal_location)


@pytest.fixture
def client(emulator: Any, journal: Journal) -> Iterator[Client]:
    """A library client on a paid gateway as far as it knows (the emulator by URL and key)."""
    with Client(base_url=emulator.base_url, api_key=emulator.api_key, journal=journal) as made:
        yield made


def _prompt(n: int) -> dict[str, Any]:
    return {"prompt": f"A red fox in the snow, take {n}"}


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("day", datetime(2026, 12, 6, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)),
        ("week", datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)),
        ("month", datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_periods_start_at_midnight_utc_on_the_day_the_monday_and_the_first(
    period: str, start: datetime, end: datetime
) -> None:
    """A Sunday evening's day began at 00:00 UTC, its week on the Monday before, its month on the 1st; each
    ends where the next begins."""
    assert jobs.period_start(period, SUNDAY_EVENING) == start
    assert jobs.period_end(period, SUNDAY_EVENING) == end


def test_a_period_is_read_in_utc_whatever_the_clock_zone() -> None:
    """01:00 on Monday in UTC+5 is still Sunday in UTC: that day, and the week before."""
    monday_early = datetime(2026, 12, 7, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert jobs.period_start("day", monday_early) == datetime(2026, 12, 6, tzinfo=UTC)
    assert jobs.period_start("week", monday_early) == datetime(2026, 11, 30, tzinfo=UTC)
    assert jobs.period_end("month", datetime(2028, 2, 29, 23, 59, tzinfo=UTC)) == datetime(
        2028, 3, 1, tzinfo=UTC
    )


def test_a_budget_names_who_set_it_and_when(journal: Journal) -> None:
    """`set_by` is user@host; `set_at` the clock's time; setting again replaces it."""
    jobs.set_budget(journal, 50, "day", clock=lambda: SUNDAY_EVENING)
    budget = jobs.set_budget(journal, 20, "week", clock=lambda: SUNDAY_EVENING + timedelta(hours=1))
    who = me()
    assert jobs.get_budget(journal) == budget
    assert (budget.amount_usd, budget.period) == (20, "week")
    assert budget.set_by == f"{who.user}@{who.host}"
    assert budget.set_at == "2026-12-06T23:30:00+00:00"
    assert jobs.clear_budget(journal) is True
    assert jobs.get_budget(journal) is None
    assert jobs.clear_budget(journal) is False


@pytest.mark.parametrize(("amount", "period"), [(-1.0, "day"), (float("nan"), "day"), (5.0, "year")])
def test_a_negative_amount_or_unknown_period_is_refused(journal: Journal, amount: float, period: str) -> None:
    """Nothing is stored: a one-line InputError instead."""
    with pytest.raises(errors.InputError):
        jobs.set_budget(journal, amount, period)
    assert jobs.get_budget(journal) is None


def test_a_submit_past_the_budget_is_refused_before_anything_is_sent(
    client: Client, emulator: Any, journal: Journal
) -> None:
    """$3 a day holds two $1.45 jobs; the third is refused with the budget, the reserved sum, its estimate
    and the command that raises it; the gateway saw two submits, the journal has two rows."""
    jobs.set_budget(journal, 3, "day")
    client.submit(_prompt(1))
    client.submit(_prompt(2))
    with pytest.raises(errors.BudgetExceeded) as refused:
        client.submit(_prompt(3))
    error = refused.value
    assert (error.budget_usd, error.reserved_usd, error.estimate_usd, error.exit_code) == (3, 2.9, 1.45, 2)
    assert "$3.00 a day" in error.message
    assert "$2.90 is reserved" in error.message
    assert "seedance budget set 5 --per day" in error.remedy
    assert error.to_dict()["budget"]["left_usd"] == 0.1
    assert len(emulator.submits) == 2
    assert len(journal.jobs()) == 2


def test_a_submit_the_gateway_refused_frees_its_share(
    client: Client, emulator: Any, journal: Journal
) -> None:
    """A submit answered 400 is `rejected`: no job, nothing reserved, so the next job fits a one-job budget."""
    jobs.set_budget(journal, 1.45, "day")
    emulator.add_fault("http:status=400,route=submit,count=1")
    with pytest.raises(errors.InvalidRequestError):
        client.submit(_prompt(1))
    client.submit(_prompt(2))
    with pytest.raises(errors.BudgetExceeded):
        client.submit(_prompt(3))
    status = jobs.budget_status(journal)
    assert status is not None
    assert (status.jobs, status.reserved_usd, status.left_usd) == (1, 1.45, 0)
    assert [r.state for r in journal.jobs()] == ["queued", "rejected"]


def test_the_status_tells_finished_jobs_from_reserved_ones(
    client: Client, journal: Journal, tmp_path: Path
) -> None:
    """One job downloaded and one still queued: both reserved, the downloaded one also spent."""
    jobs.set_budget(journal, 5, "month")
    client.generate(_prompt(1), tmp_path / "one.mp4")
    client.submit(_prompt(2))
    status = jobs.budget_status(journal)
    assert status is not None
    assert (status.jobs, status.reserved_usd, status.spent_usd, status.left_usd) == (2, 2.9, 1.45, 2.1)


def test_jobs_on_a_free_gateway_never_count(journal: Journal, emulator: Any) -> None:
    """A budget of 0 leaves the shared emulator and a private one free; a gateway that is only local (a
    proxy, perhaps, to the paid one) counts."""
    jobs.set_budget(journal, 0, "day")
    request = parse_request(FOX)
    for gateway, ephemeral in ((config.LOCAL_EMULATOR, False), (emulator.base_url, True)):
        jobs.refuse_over_budget(journal, request, gateway=gateway, ephemeral=ephemeral)
        journal.record_submission(
            operation=request.op.name,
            model=request.model,
            prompt=request.prompt,
            body={},
            settings=request.settings(),
            estimated_cost_usd=1.45,
            gateway=gateway,
            ephemeral_gateway=ephemeral,
        )
    status = jobs.budget_status(journal)
    assert status is not None
    assert (status.jobs, status.reserved_usd) == (0, 0)
    with pytest.raises(errors.BudgetExceeded):
        jobs.refuse_over_budget(journal, request, gateway=emulator.base_url)


def test_an_unknown_price_counts_at_the_dearest_known_rate(client: Client, journal: Journal) -> None:
    """A 2.5 job (no published price) reserves what 5 s at the dearest known rate cost ($1.45): the cap holds
    whatever it really costs; the refusal says so."""
    jobs.set_budget(journal, 2, "day")
    client.submit({"prompt": "A lighthouse in a storm", "model": "2.5", "duration": 5})
    [row] = journal.jobs()
    assert row.estimated_cost_usd is None
    status = jobs.budget_status(journal)
    assert status is not None
    assert (status.reserved_usd, status.unpriced_jobs) == (1.45, 1)
    with pytest.raises(errors.BudgetExceeded, match="unknown price counted at the dearest known rate"):
        client.submit({"prompt": "A lighthouse at dawn", "model": "2.5", "duration": 5})


def test_the_budget_starts_again_with_the_next_period(client: Client, journal: Journal) -> None:
    """A week's budget spent is refused to the last millisecond of the week and free again on Monday 00:00
    UTC (the clock injected; the job's row keeps its real time)."""
    jobs.set_budget(journal, 1.45, "week")
    client.submit(_prompt(1))
    request = parse_request(_prompt(2))
    now = datetime.now(UTC)
    monday = jobs.period_end("week", now)
    for moment in (now, monday - timedelta(milliseconds=1)):
        with pytest.raises(errors.BudgetExceeded):
            jobs.refuse_over_budget(journal, request, gateway=client.base_url, clock=lambda m=moment: m)
    jobs.refuse_over_budget(journal, request, gateway=client.base_url, clock=lambda: monday)
    status = jobs.budget_status(journal, clock=lambda: monday)
    assert status is not None
    assert (status.reserved_usd, status.since) == (0, monday)


# -- the front ends --------------------------------------------------------------------------------------


@pytest.fixture
def cli(gateway_env: dict[str, str], journal_location: str) -> Any:
    """`seedance ARGS` in this process, on the emulator as a paid gateway, with the journal under test."""
    env = {**gateway_env, "SEEDANCE_JOURNAL": journal_location}

    def run(*args: str) -> Any:
        return run_seedance_here(list(args), env)

    return run


def test_the_budget_command_sets_shows_and_clears(cli: Any) -> None:
    """`budget set`, `budget`, `budget --json`, `budget clear`: the amount, the period and who set it."""
    assert "no team budget is set" in cli("budget").stdout
    done = cli("budget", "set", "$10", "--per", "week")
    assert done.returncode == 0, done.stderr
    assert "$10.00 a week" in done.stdout
    assert "left:         $10.00" in done.stdout
    shown = json.loads(cli("budget", "--json").stdout)["budget"]
    assert (shown["amount_usd"], shown["period"], shown["reserved_usd"]) == (10, "week", 0)
    assert shown["since"].endswith("T00:00:00+00:00")
    assert datetime.fromisoformat(shown["since"]).weekday() == 0
    assert json.loads(cli("budget", "clear", "--json").stdout) == {"ok": True, "removed": True}
    assert json.loads(cli("budget", "--json").stdout) == {"ok": True, "budget": None}


@pytest.mark.parametrize("amount", ["ten", "-5", "inf"])
def test_a_bad_amount_is_one_line_and_exit_2(cli: Any, amount: str) -> None:
    """No traceback: one error line and its hint."""
    done = cli("budget", "set", "--", amount) if amount.startswith("-") else cli("budget", "set", amount)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr


def test_generate_over_budget_exits_2_and_sends_nothing(cli: Any, emulator: Any) -> None:
    """With $1 a day left, a $1.45 generate is refused before the key is used: exit 2, the figures in the
    JSON error, no submit at the gateway."""
    cli("budget", "set", "1", "--per", "day")
    done = cli("generate", "A red fox in the snow", "--no-wait", "--json")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["type"] == "BudgetExceeded"
    assert error["budget"] == {
        "amount_usd": 1.0,
        "period": "day",
        "reserved_usd": 0.0,
        "estimate_usd": 1.45,
        "left_usd": 1.0,
    }
    assert "seedance budget set 2 --per day" in error["hint"]
    assert emulator.submits == []


def test_generate_on_the_emulator_is_never_refused(cli: Any, emulator: Any) -> None:
    """`--emulator` work is free: a budget of 0 does not stop it."""
    cli("budget", "set", "0")
    done = cli("generate", "A red fox in the snow", "--emulator", "--no-wait", "--json")
    assert done.returncode == 0, done.stderr


def test_batch_lines_past_the_budget_are_not_sent(cli: Any, emulator: Any, tmp_path: Path) -> None:
    """A batch of three $1.45 lines under $3: two are sent; the third is refused by the budget, not sent."""
    lines = tmp_path / "jobs.jsonl"
    lines.write_text("".join(json.dumps(_prompt(n)) + "\n" for n in range(3)))
    cli("budget", "set", "3")
    done = cli("batch", str(lines), "--out", str(tmp_path / "out"), "--yes", "--json")
    assert done.returncode != 0
    assert len(emulator.submits) == 2
    assert "team budget is $3.00 a day" in done.stdout + done.stderr


def test_the_mcp_tool_answers_a_refusal_as_a_tool_error(
    emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`generate_video` over budget: an MCP tool error with the figures, and a next step that says not to
    retry; nothing sent."""
    monkeypatch.syspath_prepend(str(Path(__file__).parents[1] / "mcp"))  # no package: `mcp` is the SDK
    from mcp_harness import McpServer, server_env

    env = server_env(tmp_path, emulator.base_url, emulator.api_key)
    env["SEEDANCE_JOURNAL"] = str(tmp_path / "team.db")
    jobs.set_budget(Journal(tmp_path / "team.db"), 1, "day")
    with McpServer(["--out-dir", "videos"], env, tmp_path) as server:
        answer = server.call("generate_video", prompt="A red fox in the snow", wait_seconds=0)
    assert answer.is_error
    assert answer.structured_content is not None
    assert answer.structured_content["error"]["type"] == "BudgetExceeded"
    assert answer.structured_content["error"]["budget"]["estimate_usd"] == 1.45
    assert "do not retry" in answer.structured_content["next_step"]
    assert emulator.submits == []
