"""`verdicts.judge`: the one decision of when a wait is over, for the client's wait and the batch poller."""

from __future__ import annotations

import pytest

from seedance import errors
from seedance.models import JobStatus, State
from seedance.verdicts import LOOKS_WITHOUT_URL, judge


def status(state: State, raw: str, url: str | None = None, error: str | None = None) -> JobStatus:
    return JobStatus(request_id="r1", state=state, raw_status=raw, video_url=url, error=error)


def test_a_running_job_inside_the_timeout_keeps_the_wait_going() -> None:
    verdict = judge(
        status(State.RUNNING, "PROCESSING"), request_id="r1", looks_without_url=0, elapsed=5, timeout=600
    )
    assert (verdict.over, verdict.status, verdict.error) == (False, None, None)


def test_a_finished_job_with_a_video_ends_the_wait_with_its_status() -> None:
    done = status(State.SUCCEEDED, "COMPLETED", "https://c.test/v.mp4")
    verdict = judge(done, request_id="r1", looks_without_url=2, elapsed=700, timeout=600)
    assert (verdict.over, verdict.status, verdict.error) == (True, done, None)  # done beats late


def test_a_failed_job_ends_the_wait_with_the_gateway_s_reason() -> None:
    verdict = judge(
        status(State.FAILED, "FAILED", error="content policy"),
        request_id="r1",
        looks_without_url=0,
        elapsed=1,
        timeout=9,
    )
    assert verdict.over
    assert isinstance(verdict.error, errors.GenerationFailed)
    assert "content policy" in verdict.error.message
    assert verdict.error.request_id == "r1"


def test_done_without_a_url_is_looked_at_again_then_not_ready_never_failed() -> None:
    """A status written before its output: a few more looks, then NotReadyError advising to look again later
    (the job is paid for): never GenerationFailed, never 'resubmit'."""
    looks = 0
    for _ in range(LOOKS_WITHOUT_URL):
        verdict = judge(
            status(State.SUCCEEDED, "COMPLETED"),
            request_id="r1",
            looks_without_url=looks,
            elapsed=1,
            timeout=600,
        )
        assert not verdict.over
        looks = verdict.looks_without_url
    verdict = judge(
        status(State.SUCCEEDED, "COMPLETED"), request_id="r1", looks_without_url=looks, elapsed=1, timeout=600
    )
    assert verdict.over
    assert isinstance(verdict.error, errors.NotReadyError)
    assert "do not resubmit" in verdict.error.remedy
    assert not isinstance(verdict.error, errors.GenerationFailed)


@pytest.mark.parametrize("state", [State.QUEUED, State.RUNNING])
def test_past_the_timeout_a_job_not_done_is_a_poll_timeout(state: State) -> None:
    verdict = judge(
        status(state, state.value), request_id="r1", looks_without_url=0, elapsed=600, timeout=600
    )
    assert verdict.over
    assert isinstance(verdict.error, errors.PollTimeout)
    assert "seedance wait r1" in verdict.error.remedy
