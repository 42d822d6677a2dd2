"""One test body, both drivers: the sync `Client` and the `AsyncClient` behave alike against the emulator
(they share every decision through `protocol`; this proves the drivers do not drift)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from seedance import errors
from seedance.client import AsyncClient, Client
from seedance.journal import Journal

REQUEST = {"prompt": "A cat", "duration": 4, "resolution": "480p"}


class Driver:
    """Calls one client method on a fresh sync or async client (the async one run by anyio)."""

    def __init__(self, kind: str, emulator: Any, journal: Journal) -> None:
        self.kind = kind
        self.options = {
            "api_key": emulator.api_key,
            "base_url": emulator.base_url,
            "poll_interval": 0.05,
            "journal": journal,
        }

    def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.kind == "sync":
            with Client(**self.options) as client:
                return getattr(client, method)(*args, **kwargs)

        async def call() -> Any:
            async with AsyncClient(**self.options) as client:
                return await getattr(client, method)(*args, **kwargs)

        return anyio.run(call)


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest, emulator: Any, tmp_path: Path) -> Driver:
    """The same calls through the sync client, then the async one."""
    return Driver(request.param, emulator, Journal(tmp_path / "jobs.db"))


def test_generate_saves_the_video_and_journals_it(driver: Driver, emulator: Any, tmp_path: Path) -> None:
    """generate: the file is the emulator's video, the result names it, the journal says downloaded."""
    result = driver("generate", REQUEST, tmp_path / "cat.mp4")
    assert result.path == tmp_path / "cat.mp4"
    assert result.sha256 == emulator.job(result.request_id).sha256
    assert result.operation == "2.0/text-to-video"
    assert [r.state for r in Journal(tmp_path / "jobs.db").jobs()] == ["downloaded"]


def test_a_failed_generation_is_the_same_error(driver: Driver, emulator: Any, tmp_path: Path) -> None:
    """A job that ends FAILED raises GenerationFailed with the gateway's reason, and nothing is saved."""
    emulator.add_fault("fail:count=1,message=content policy violation")
    with pytest.raises(errors.GenerationFailed, match="content policy violation") as caught:
        driver("generate", REQUEST, tmp_path / "cat.mp4")
    assert caught.value.exit_code == 8
    assert not (tmp_path / "cat.mp4").exists()


def test_a_rate_limited_submit_is_retried_once(driver: Driver, emulator: Any, tmp_path: Path) -> None:
    """One 429 on the submit: waited out and sent again; one job made."""
    emulator.add_fault("429:retry_after=0,count=1")
    job = driver("submit", REQUEST)
    assert job.request_id
    assert sum(1 for r in emulator.requests if r.route == "submit" and r.job_created) == 1


def test_an_unknown_id_is_the_same_404(driver: Driver) -> None:
    """A status check for an id the gateway never made: InvalidRequestError 404 naming the id."""
    with pytest.raises(errors.InvalidRequestError, match="does not know request r-nope") as caught:
        driver("status", "r-nope")
    assert caught.value.status_code == 404
