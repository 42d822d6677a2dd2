"""The seed's error table, row by row, through the real CLI against the emulator's faults: exit codes,
messages, retries and how many jobs the gateway created."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Run


def submits(emulator: Any) -> list[Any]:
    return [r for r in emulator.requests if r.route == "submit"]


def created(emulator: Any) -> int:
    return sum(1 for r in submits(emulator) if r.job_created)


ARGS = ("generate", "A cat", "--resolution", "480p", "--duration", "4", "--json")


def test_401_is_exit_3_with_the_key_advice_and_no_retry(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str]
) -> None:
    """A wrong key: one request, exit 3, the skill's advice, and the key nowhere in the output."""
    env = {**gateway_env, "PIXAZO_API_KEY": "wrong-key-1234567"}
    emulator.configure(api_key=emulator.api_key)
    run = seedance(*ARGS, env=env)
    assert run.code == 3
    error = run.json()["error"]
    assert error["type"] == "AuthError"
    assert "api-console.pixazo.ai/api_keys" in error["hint"]
    assert len(submits(emulator)) == 1
    assert "wrong-key-1234567" not in run.stdout + run.stderr


def test_402_is_exit_4_with_the_top_up_link(emulator: Any, seedance: Callable[..., Run]) -> None:
    """Out of credits: one request, exit 4, the dashboard link, the gateway's message verbatim."""
    emulator.add_fault("http:status=402")
    run = seedance(*ARGS)
    assert run.code == 4
    error = run.json()["error"]
    assert "Your wallet does not have enough balance." in error["message"]
    assert "dashboard" in error["hint"]
    assert len(submits(emulator)) == 1


def test_429_once_waits_retry_after_and_succeeds(emulator: Any, seedance: Callable[..., Run]) -> None:
    """One 429 with Retry-After: 1 is waited out and retried once; the job is made once."""
    emulator.add_fault("http:status=429,retry_after=1,count=1,route=submit")
    run = seedance(*ARGS)
    assert run.code == 0, run.stderr
    attempts = submits(emulator)
    assert [r.status for r in attempts] == [429, 202]
    assert attempts[1].received_at - attempts[0].received_at >= 0.9
    assert created(emulator) == 1


def test_429_twice_is_exit_5_and_nothing_queued(emulator: Any, seedance: Callable[..., Run]) -> None:
    """Still rate limited after the one retry: exit 5, two requests, no job."""
    emulator.add_fault("http:status=429,retry_after=0,route=submit")
    run = seedance(*ARGS)
    assert run.code == 5
    assert len(submits(emulator)) == 2
    assert created(emulator) == 0


def test_400_shows_the_gateway_message_verbatim_and_is_exit_6(
    emulator: Any, seedance: Callable[..., Run]
) -> None:
    """A body the gateway rejects (here a ratio our client lets through but the gateway refuses) is exit 6."""
    emulator.add_fault(
        "http:status=400,message=duration must be an integer from 4 to 15 (got 4),route=submit"
    )
    run = seedance(*ARGS)
    assert run.code == 6
    assert "duration must be an integer from 4 to 15 (got 4)" in run.json()["error"]["message"]
    assert len(submits(emulator)) == 1


def test_5xx_once_is_retried_and_the_user_is_warned(emulator: Any, seedance: Callable[..., Run]) -> None:
    """One 502 on submit: one retry, success, and a warning that the first attempt may have queued a job."""
    emulator.add_fault("http:status=502,count=1,route=submit,html=true")
    run = seedance(*ARGS)
    assert run.code == 0, run.stderr
    assert len(submits(emulator)) == 2
    assert created(emulator) == 1
    assert any("502" in w for w in run.json()["warnings"])


def test_5xx_twice_is_exit_7_and_the_job_is_marked_unknown(
    emulator: Any, seedance: Callable[..., Run]
) -> None:
    """Two 5xx on submit: exit 7, no third attempt, and the journal says the outcome is unknown."""
    emulator.add_fault("http:status=503,route=submit")
    run = seedance(*ARGS)
    assert run.code == 7
    assert len(submits(emulator)) == 2
    jobs = seedance("jobs", "--json").json()["jobs"]
    assert [j["state"] for j in jobs] == ["unknown"]


def test_5xx_on_status_is_retried_freely(emulator: Any, seedance: Callable[..., Run]) -> None:
    """Status checks are free: three 500s while polling do not fail the job."""
    emulator.add_fault("http:status=500,count=3,route=status")
    run = seedance(*ARGS)
    assert run.code == 0, run.stderr
    assert created(emulator) == 1


def test_failed_generation_is_exit_8_with_the_reason(emulator: Any, seedance: Callable[..., Run]) -> None:
    """A job ending FAILED: exit 8 and the gateway's reason."""
    emulator.add_fault("fail:count=1,message=content policy violation")
    run = seedance(*ARGS)
    assert run.code == 8
    assert "content policy violation" in run.json()["error"]["message"]


def test_stuck_job_times_out_with_exit_9_and_how_to_resume(
    emulator: Any, seedance: Callable[..., Run]
) -> None:
    """A job stuck in PROCESSING: exit 9 after --timeout, with the request id and the resume command."""
    emulator.add_fault("stuck:count=1")
    run = seedance(*ARGS, "--timeout", "1")
    assert run.code == 9
    data = run.json()
    assert data["request_id"]
    assert f"seedance wait {data['request_id']}" in data["error"]["hint"]


@pytest.mark.parametrize(
    "dialect",
    [
        {"status_words": "lower"},
        {"status_words": "succeeded"},
        {"media_url": "string"},
        {"url_field": "video_url"},
        {"url_field": "output_url"},
        {"url_field": "url"},
        {"id_field": "task_id"},
        {"id_field": "id"},
        {"polling_url": "legacy"},
        {"polling_url": "none"},
    ],
    ids=lambda d: "-".join(f"{k}={v}" for k, v in d.items()),
)
def test_every_dialect_is_understood(
    dialect: dict[str, str], emulator: Any, seedance: Callable[..., Run]
) -> None:
    """Whatever spelling the gateway answers in, the job completes and the file is saved."""
    emulator.configure(dialect=dialect)
    run = seedance(*ARGS)
    assert run.code == 0, run.stderr
    assert run.json()["file"]


def test_key_is_never_sent_to_another_host(emulator: Any, seedance: Callable[..., Run]) -> None:
    """A polling_url on another host is ignored: every status request reached the emulator with the key."""
    emulator.configure(dialect={"polling_url": "http://attacker.invalid:9"})
    run = seedance(*ARGS)
    assert run.code == 0, run.stderr
    polls = [r for r in emulator.requests if r.route == "status"]
    assert polls
    assert all(r.key_sent for r in polls)
    media = [r for r in emulator.requests if r.route == "media"]
    assert media
    assert not any(r.key_sent for r in media)


def test_a_refused_status_check_says_the_job_was_submitted(
    emulator: Any, seedance: Callable[..., Run]
) -> None:
    """Submit accepted, then a status check answered 403: exit 6 with the gateway's words, and a hint that
    says how to pick the paid job up (never that nothing was queued)."""
    emulator.add_fault("http:status=403,route=status,count=1")
    run = seedance(*ARGS)
    assert run.code == 6, run.stderr
    error = run.json()["error"]
    request_id = error["request_id"]
    assert f"seedance wait {request_id}" in error["hint"]
    assert "do not resubmit" in error["hint"]
    assert "nothing was queued" not in error["hint"]
    assert created(emulator) == 1
