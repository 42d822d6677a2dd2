"""Faults that need a short HTTP timeout or a long retry schedule, through the library with an injected sleep:
slow answers past the timeout, and 5xx or dropped-connection storms on status checks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from seedance import Client, errors
from seedance.journal import Journal
from waiting import wait_for

from .harness import created, posts

REQUEST = {"prompt": "A cat", "resolution": "480p", "duration": 4}


class Sleeps(list[float]):
    """An injected sleep: records what the client asked for and waits at most 20 ms of it."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(min(seconds, 0.02))


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    """A real journal in the test's folder."""
    return Journal(tmp_path / "jobs.db")


def make_client(emulator: Any, journal: Journal, sleeps: Sleeps, timeout: float = 0.5) -> Client:
    return Client(
        api_key=emulator.api_key,
        base_url=emulator.base_url,
        timeout=timeout,
        poll_interval=0.05,
        journal=journal,
        sleep=sleeps,
    )


def test_a_submit_answered_after_the_timeout_is_unknown_and_never_resent(
    emulator: Any, journal: Journal, tmp_path: Path
) -> None:
    """The submit's answer comes after the read timeout: SubmitUnknownError, one POST, journal `unknown`."""
    emulator.add_fault("slow:route=submit,delay=1.5,count=1")
    with (
        make_client(emulator, journal, Sleeps()) as client,
        pytest.raises(errors.SubmitUnknownError) as caught,
    ):
        client.submit(REQUEST, output_path=str(tmp_path / "cat.mp4"))
    assert caught.value.exit_code == 7
    assert "may have been queued" in caught.value.message
    assert caught.value.local_id is not None
    assert [r.state for r in journal.jobs()] == ["unknown"]
    assert posts(emulator) == 1
    # The gateway made the job after its slow answer (it is paid for): exactly one, never resent.
    assert wait_for(lambda: created(emulator) == 1)
    assert posts(emulator) == 1
    assert not (tmp_path / "cat.mp4").exists()


def test_a_status_answered_after_the_timeout_is_asked_again(
    emulator: Any, journal: Journal, tmp_path: Path
) -> None:
    """A status check that times out is free to repeat: the job finishes and is saved, made once."""
    emulator.add_fault("slow:route=status,delay=1.5,count=1")
    sleeps = Sleeps()
    with make_client(emulator, journal, sleeps) as client:
        result = client.generate(REQUEST, tmp_path / "cat.mp4")
    assert result.sha256 == emulator.job(result.request_id).sha256
    assert 1.0 in sleeps  # the first back-off after a lost status answer
    assert [r.state for r in journal.jobs()] == ["downloaded"]
    assert created(emulator) == 1


def test_a_download_that_stalls_past_the_timeout_is_resumed(
    emulator: Any, journal: Journal, tmp_path: Path
) -> None:
    """A media answer slower than the timeout is retried; the file ends complete and matches the emulator's."""
    emulator.add_fault("slow:route=media,delay=1.5,count=1")
    with make_client(emulator, journal, Sleeps()) as client:
        result = client.generate(REQUEST, tmp_path / "cat.mp4")
    assert result.sha256 == emulator.job(result.request_id).sha256
    assert len([r for r in emulator.requests if r.route == "media"]) == 2
    assert list(tmp_path.glob("*.part")) == []


@pytest.mark.parametrize(
    ("fault", "error_type", "pauses"),
    [
        ("http:status=503,route=status", errors.ServerError, [0.5, 1.0, 2.0, 4.0]),
        ("drop:route=status", errors.TransportError, [1.0, 2.0, 4.0, 8.0]),
    ],
    ids=["5xx-storm", "drop-storm"],
)
def test_a_status_storm_gives_up_with_the_way_back_to_the_job(
    fault: str,
    error_type: type[errors.SeedanceError],
    pauses: list[float],
    emulator: Any,
    journal: Journal,
    tmp_path: Path,
) -> None:
    """Status checks failing every time: five tries with growing pauses, exit 7, a hint to `seedance wait` the
    job (never to submit again), the job still `queued` in the journal, made once, nothing saved."""
    sleeps = Sleeps()
    with make_client(emulator, journal, sleeps) as client:
        job = client.submit(REQUEST, output_path=str(tmp_path / "cat.mp4"))
        emulator.add_fault(fault)  # after the submit: the job exists, only its status checks fail
        with pytest.raises(error_type) as caught:
            client.finish(job, tmp_path / "cat.mp4")
    assert caught.value.exit_code == 7
    assert f"seedance wait {job.request_id}" in caught.value.remedy
    assert "again in a minute" not in caught.value.remedy
    assert len([r for r in emulator.requests if r.route == "status"]) == 5
    assert sleeps[-4:] == pauses
    assert [r.state for r in journal.jobs()] == ["queued"]
    assert created(emulator) == 1
    assert not (tmp_path / "cat.mp4").exists()
