"""Who ran each job: `seedance jobs`, `spend` and `gallery` show the user@host that submitted each job and
filter by it, on SQLite and on a shared PostgreSQL journal."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from cli_inprocess import run_seedance_here
from seedance.gallery import build_gallery
from seedance.journal import Journal
from seedance.leases import me
from seedance.models import JobStatus, State


def add(journal: Journal, prompt: str, *, cost: float, host: str | None = None) -> str:
    """A succeeded job submitted by this process's user (LOGNAME); `host`: as if sent from that machine."""
    local_id = journal.record_submission(
        operation="2.0/text-to-video",
        model="2.0",
        prompt=prompt,
        body={"prompt": prompt},
        settings={"duration": 5},
        estimated_cost_usd=cost,
        gateway="https://gateway.example",
    )
    request_id = f"req-{local_id}"
    journal.mark_submitted(local_id, request_id=request_id, polling_url=None, attempts=1, warnings=[])
    journal.record_status(
        local_id, JobStatus(request_id=request_id, state=State.SUCCEEDED, raw_status="COMPLETED")
    )
    if host is not None:  # the row another machine of the team would have written
        with journal.store.write() as db:
            db.execute("UPDATE jobs SET host = ? WHERE local_id = ?", (host, local_id))
    return local_id


@pytest.fixture
def team(journal_location: str, monkeypatch: pytest.MonkeyPatch) -> Journal:
    """A journal with two jobs by bob on this machine and one by alice from studio-2."""
    journal = Journal(journal_location)
    monkeypatch.setenv("LOGNAME", "bob")
    add(journal, "bob one", cost=1.0)
    add(journal, "bob two", cost=2.0)
    monkeypatch.setenv("LOGNAME", "alice")
    add(journal, "alice one", cost=4.0, host="studio-2")
    return journal


def seedance(journal: Journal | str, *args: str) -> Any:
    location = journal if isinstance(journal, str) else journal_url(journal)
    done = run_seedance_here(list(args), {**os.environ, "SEEDANCE_JOURNAL": location, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    return done


def journal_url(journal: Journal) -> str:
    return str(journal.path) if journal.path is not None else journal.store.url  # type: ignore[attr-defined]


def test_jobs_json_says_who_submitted_each_job(team: Journal) -> None:
    """Every row of `jobs --json` has `user` and `host`, beside the keys it had."""
    listed = json.loads(seedance(team, "jobs", "--json").stdout)["jobs"]
    here = me().host
    assert {(j["prompt"], j["user"], j["host"]) for j in listed} == {
        ("bob one", "bob", here),
        ("bob two", "bob", here),
        ("alice one", "alice", "studio-2"),
    }
    assert {"local_id", "state", "estimated_cost_usd", "batch_id"} <= set(listed[0])


def test_jobs_shows_a_who_column_only_when_more_than_one_user_at_host_is_listed(team: Journal) -> None:
    """Two people's jobs: a `who` column with user@host. One person's (filtered): no column to read past."""
    both = seedance(team, "jobs").stdout
    assert re.search(r"^ *id +when +who +model", both, re.M), both
    assert "alice@studio-2" in both
    assert f"bob@{me().host}" in both
    bobs = seedance(team, "jobs", "--user", "bob").stdout
    assert "who" not in bobs.splitlines()[0]
    assert "bob one" in bobs
    assert "alice one" not in bobs


def test_jobs_filter_by_user_and_by_host(team: Journal) -> None:
    """--user keeps one login name's jobs, --host one machine's; both together must both match."""

    def prompts(*args: str) -> set[str]:
        return {j["prompt"] for j in json.loads(seedance(team, "jobs", "--json", *args).stdout)["jobs"]}

    assert prompts("--user", "alice") == {"alice one"}
    assert prompts("--host", me().host) == {"bob one", "bob two"}
    assert prompts("--user", "alice", "--host", me().host) == set()
    assert seedance(team, "jobs", "--user", "carol").stdout.strip() == "no jobs by carol"


def test_spend_sums_per_user_per_host_and_per_user_at_host(team: Journal) -> None:
    """`--by user`, `--by host`, `--by who` give each group's charged estimate; `--user` sums one person."""

    def spent(*args: str) -> dict[str, float]:
        data = json.loads(seedance(team, "spend", "--json", *args).stdout)
        return {row["key"]: row["spent_usd"] for row in data["rows"]}

    here = me().host
    assert spent("--by", "user") == {"alice": 4.0, "bob": 3.0}
    assert spent("--by", "host") == {"studio-2": 4.0, here: 3.0}
    assert spent("--by", "who") == {"alice@studio-2": 4.0, f"bob@{here}": 3.0}
    only_bob = json.loads(seedance(team, "spend", "--json", "--user", "bob").stdout)
    assert (only_bob["user"], only_bob["total"]["spent_usd"]) == ("bob", 3.0)
    human = seedance(team, "spend", "--by", "who").stdout
    assert re.search(r"^alice@studio-2 +1 +4\.00", human, re.M), human


def test_gallery_cards_say_who_and_the_page_filters_by_it(team: Journal, tmp_path: Path) -> None:
    """Each card says user@host; the page offers a Who filter when there is more than one, and `--user`
    builds a page of one person's jobs (then with no Who filter)."""
    html = build_gallery(tmp_path / "all.html", journal=team).page.read_text(encoding="utf-8")
    assert html.count('data-who="alice@studio-2"') == 1
    assert html.count(f'data-who="bob@{me().host}"') == 2
    assert "<dt>By</dt><dd>alice@studio-2</dd>" in html
    assert re.search(r'<select id="filter-who">.*alice@studio-2 \(1\).*bob@', html)
    seedance(team, "gallery", "--out", str(tmp_path / "alice.html"), "--user", "alice")
    alice = (tmp_path / "alice.html").read_text(encoding="utf-8")
    assert alice.count("<article") == 1
    assert "alice one" in alice
    assert "bob one" not in alice
    assert 'id="filter-who"' not in alice


def test_jobs_show_says_who_submitted_and_who_follows_it(team: Journal) -> None:
    """`jobs show` names the submitter and the process following the job now."""
    alice = json.loads(seedance(team, "jobs", "--json", "--user", "alice").stdout)["jobs"][0]
    shown = json.loads(seedance(team, "jobs", "show", alice["local_id"], "--json").stdout)["job"]
    assert (shown["user"], shown["host"]) == ("alice", "studio-2")
    assert shown["follower"] == me().follower
    text = seedance(team, "jobs", "show", alice["local_id"]).stdout
    assert "user: alice" in text
    assert "host: studio-2" in text
