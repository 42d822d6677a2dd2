"""Resume anywhere: a job followed by a live process elsewhere is left to it; an expired lease is taken over;
a client that closes lets its jobs go. On both engines (the lease matters on a shared server)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from seedance import Client
from seedance.journal import Journal
from seedance.leases import LEASE_SECONDS, is_followed, lease_until
from seedance.resume import resume_jobs

REQUEST = {"prompt": "A heron", "duration": 4, "resolution": "480p"}


def followed_from(journal: Journal, local_id: str, follower: str, lease: str | None) -> None:
    """Make a row look followed by `follower` (`host:pid`), whose lease ends at `lease`."""
    with journal.store.write() as db:
        db.execute(
            "UPDATE jobs SET follower = ?, lease_until = ? WHERE local_id = ?", (follower, lease, local_id)
        )


def test_resume_leaves_a_job_with_a_live_lease_and_takes_over_an_expired_one(
    emulator: Any, journal_location: str, tmp_path: Path
) -> None:
    journal = Journal(journal_location)
    with Client(base_url=emulator.base_url, api_key=emulator.api_key, journal=journal) as client:
        live = client.submit(REQUEST, output_path=str(tmp_path / "live.mp4"))
        gone = client.submit({**REQUEST, "prompt": "A crane"}, output_path=str(tmp_path / "gone.mp4"))
    future = (datetime.now(UTC) + timedelta(seconds=60)).isoformat(timespec="milliseconds")
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="milliseconds")
    followed_from(journal, str(live.local_id), "render-02:4242", future)
    followed_from(journal, str(gone.local_id), "render-03:77", past)
    records = [journal.get(str(job.local_id)) for job in (live, gone)]
    with Client(
        base_url=emulator.base_url, api_key=emulator.api_key, journal=journal, poll_interval=0.05
    ) as client:
        outcomes = {r.record.local_id: r for r in resume_jobs(client, [r for r in records if r], timeout=60)}
        taken = journal.get(str(gone.local_id))
        assert taken is not None
        assert taken.follower is not None
        assert taken.follower.endswith(f":{os.getpid()}")
    assert outcomes[str(live.local_id)].skipped == "process 4242 on render-02 follows it; it will finish it"
    assert outcomes[str(gone.local_id)].result is not None
    assert (tmp_path / "gone.mp4").read_bytes()[4:8] == b"ftyp"
    assert not (tmp_path / "live.mp4").exists()
    after = journal.get(str(gone.local_id))
    assert after is not None
    assert after.follower is None
    assert len(emulator.submits) == 2


def test_a_closed_client_lets_its_jobs_go(emulator: Any, journal_location: str) -> None:
    """While a client is open it follows what it submitted; closed, nobody does (resume may take it)."""
    journal = Journal(journal_location)
    with Client(base_url=emulator.base_url, api_key=emulator.api_key, journal=journal) as client:
        job = client.submit(REQUEST, output_path=None, want_download=False)
        record = journal.get(str(job.local_id))
        assert record is not None
        assert is_followed(record)
    record = journal.get(str(job.local_id))
    assert record is not None
    assert record.follower is None
    assert not is_followed(record)


def test_a_lease_is_judged_with_the_clock_given(journal_location: str) -> None:
    """Another machine's follower lives while its lease runs, and not a moment after."""
    journal = Journal(journal_location)
    local = journal.record_submission(
        operation="2.0/text-to-video", model="2.0", prompt="a", body={}, settings={}
    )
    start = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    followed_from(journal, local, "render-02:1", lease_until(start))
    record = journal.get(local)
    assert record is not None
    assert is_followed(record, start + timedelta(seconds=LEASE_SECONDS - 1))
    assert not is_followed(record, start + timedelta(seconds=LEASE_SECONDS + 1))


def test_the_heartbeat_renews_a_shared_journals_leases_and_gives_them_back(postgres_url: str) -> None:
    """On a shared journal: a beat moves this process's expired leases forward; a clean exit lets go."""
    from seedance.leases import Heartbeat, me

    journal = Journal(postgres_url)
    local = journal.record_submission(
        operation="2.0/text-to-video", model="2.0", prompt="a", body={}, settings={}
    )
    followed_from(journal, local, me().follower, "2001-01-01T00:00:00.000+00:00")
    beat = Heartbeat()
    beat.keep(journal)
    try:
        beat.renew()
        renewed = journal.get(local)
        assert renewed is not None
        assert renewed.lease_until is not None
        assert renewed.lease_until > datetime.now(UTC).isoformat()
    finally:
        beat.release()
    released = journal.get(local)
    assert released is not None
    assert (released.follower, released.lease_until) == (None, None)


def test_another_machines_emulator_jobs_are_left_to_it(journal_location: str) -> None:
    """A local emulator is its machine's own: a shared journal's emulator job from another host is not
    polled here (it would be 404 here and wrongly marked gone), and the hint says where to resume it."""
    journal = Journal(journal_location)
    local = journal.record_submission(
        operation="2.0/text-to-video",
        model="2.0",
        prompt="a",
        body={},
        settings={},
        gateway="emulator://local",
    )
    assert journal.get(local).sent_to("emulator://local")  # type: ignore[union-attr]
    with journal.store.write() as db:
        db.execute("UPDATE jobs SET host = 'render-02' WHERE local_id = ?", (local,))
    record = journal.get(local)
    assert record is not None
    assert not record.sent_to("emulator://local")
    assert record.gateway_hint == "it ran on the local emulator of render-02: resume it there"
