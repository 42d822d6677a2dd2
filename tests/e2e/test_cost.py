"""What it costs, through the real CLI: estimates before paying (`--dry-run --json`), the user's price file,
and `seedance spend` summing the journal with ERROR jobs free and FAILED jobs kept apart as uncertain."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Media, Run


@pytest.mark.parametrize(
    ("args", "usd"),
    [
        (("-m", "2.0", "--duration", "10"), 2.9),
        (("-m", "2.0-fast", "--duration", "10"), 2.4),
        (("-m", "2.0", "--duration", "15"), 4.35),
        (("-m", "1.0-pro", "--duration", "10"), 0.2),
    ],
)
def test_dry_run_json_carries_the_estimate(
    emulator: Any, seedance: Callable[..., Run], args: tuple[str, ...], usd: float
) -> None:
    """`generate "x" -m 2.0 --duration 10 --dry-run --json` prints "estimated_cost_usd": 2.9; nothing sent."""
    run = seedance("generate", "x", *args, "--dry-run", "--json")
    assert run.code == 0, run.stderr
    assert run.json()["estimated_cost_usd"] == pytest.approx(usd)
    assert emulator.requests == []


def test_unknown_price_is_null_and_said_in_words(
    emulator: Any, seedance: Callable[..., Run], media: Media
) -> None:
    """2.0 Mini has no published price: null in JSON and 'price unknown' for a person, never a made-up one."""
    frames = ("--first-frame", str(media.png), "--last-frame", str(media.jpg))
    data = seedance("generate", "x", "-m", "2.0-mini", *frames, "--dry-run", "--json").json()
    assert data["estimated_cost_usd"] is None
    human = seedance("generate", "x", "-m", "2.0-mini", *frames, "--dry-run")
    assert human.code == 0
    assert "price unknown" in human.stdout + human.stderr


def test_the_user_price_file_wins(emulator: Any, seedance: Callable[..., Run]) -> None:
    """$SEEDANCE_HOME/prices.json overrides the built-in table."""
    home = Path(os.environ["SEEDANCE_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "prices.json").write_text(json.dumps({"2.0": {"unit": "second", "usd": 0.5}}))
    run = seedance("generate", "x", "-m", "2.0", "--duration", "10", "--dry-run", "--json")
    assert run.json()["estimated_cost_usd"] == pytest.approx(5.0)


def test_a_person_sees_the_estimate_before_the_job_is_sent(
    emulator: Any, seedance: Callable[..., Run]
) -> None:
    """Human output names the estimate; a single generate never asks for confirmation (stdin is closed)."""
    run = seedance("generate", "A cat", "--duration", "4", "--resolution", "480p", "-o", "cat.mp4")
    assert run.code == 0, run.stderr
    assert "$1.16" in run.stderr + run.stdout
    assert len(emulator.submits) == 1


def test_spend_sums_the_journal_with_error_jobs_at_zero(emulator: Any, seedance: Callable[..., Run]) -> None:
    """One job succeeds (4 s of 2.0 = $1.16), one ends ERROR (free), one ends FAILED (uncertain); a submit
    refused with 429 made no job and is counted apart."""
    args = ("--duration", "4", "--resolution", "480p", "--json")
    assert seedance("generate", "ok", *args, "-o", "ok.mp4").code == 0
    emulator.add_fault("fail:count=1,job_status=ERROR,message=internal error")
    assert seedance("generate", "error", *args, "-o", "e.mp4").code != 0
    emulator.add_fault("fail:count=1,job_status=FAILED,message=content policy")
    assert seedance("generate", "failed", *args, "-o", "f.mp4").code != 0
    emulator.add_fault("http:status=429,retry_after=0,route=submit,count=2")
    assert seedance("generate", "refused", *args, "-o", "r.mp4").code == 5  # refused twice: no job made

    local = seedance("spend", "--json").json()["total"]  # the emulator is on this machine: nothing was paid
    assert (local["jobs"], local["local_jobs"], local["spent_usd"], local["uncertain_usd"]) == (3, 3, 0, 0)

    run = seedance("spend", "--include-local", "--json")  # as a local proxy to the real gateway would be
    assert run.code == 0, run.stderr
    total = run.json()["total"]
    assert total["jobs"] == 3
    assert total["local_jobs"] == 0
    assert total["spent_usd"] == pytest.approx(1.16)
    assert total["free_jobs"] == 1
    assert total["uncertain_usd"] == pytest.approx(1.16)
    assert total["pending_usd"] == 0
    assert total["refused_submits"] == 1  # not a job, not free: turned away

    by_day = seedance("spend", "--by", "day", "--include-local", "--json").json()
    assert [(row["jobs"], row["spent_usd"]) for row in by_day["rows"]] == [(3, pytest.approx(1.16))]
    assert seedance("spend", "--since", "2999-01-01", "--json").json()["total"]["jobs"] == 0


def test_spend_with_a_bad_date_is_exit_2(seedance: Callable[..., Run]) -> None:
    """A malformed --since is one line saying how to write it."""
    run = seedance("spend", "--since", "yesterday")
    assert run.code == 2
    assert "YYYY-MM-DD" in run.stderr
    assert "Traceback" not in run.stderr


def test_spend_days_are_the_users_own(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str]
) -> None:
    """Days in `--by day` and `--since` are local days: a job is counted on the date the user saw it made."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    assert seedance("generate", "a cat", "--duration", "4", "--resolution", "480p", "--json").code == 0
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11: never the same date
        env = {**gateway_env, "TZ": zone}
        today = datetime.now(ZoneInfo(zone)).date()
        by_day = seedance("spend", "--by", "day", "--json", env=env).json()
        assert [row["key"] for row in by_day["rows"]] == [today.isoformat()], zone
        assert seedance("spend", "--since", today.isoformat(), "--json", env=env).json()["total"]["jobs"] == 1
        tomorrow = today.fromordinal(today.toordinal() + 1).isoformat()
        assert seedance("spend", "--since", tomorrow, "--json", env=env).json()["total"]["jobs"] == 0
