"""Fault rules: HTTP errors, dropped connections, slow answers, failed and stuck jobs, broken downloads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pydantic import ValidationError

import plain_http
from seedance.emulator import EmulatorHandle, FaultRule
from waiting import wait_for

from .conftest import SMALL, T2V, Api


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a "
                                             "valid key for an active subscription."}),
        (402, {"error": "Insufficient Balance", "message": "Your wallet does not have enough balance."}),
        (500, {"statusCode": 500, "message": "Internal Server Error"}),
        (502, {"statusCode": 502, "message": "Bad Gateway"}),
        (503, {"statusCode": 503, "message": "Service Unavailable"}),
    ],
)  # fmt: skip
def test_http_fault_on_submit_answers_its_body_and_queues_nothing(
    status: int, body: dict[str, object], api: Api, emulator: EmulatorHandle
) -> None:
    """An `http` fault answers the gateway's (or its front's) error body, even with a good key; no job is made."""
    emulator.add_fault("http", status=status, route="submit")
    response = api.submit()
    assert (response.status_code, response.json()) == (status, body)
    assert emulator.submits == []
    assert emulator.requests[-1].fault == "http"


def test_429_fault_carries_retry_after(api: Api, emulator: EmulatorHandle) -> None:
    """A 429 fault has `Retry-After: N` and APIM's message with the same N."""
    emulator.add_fault("429:retry_after=3")
    response = api.submit()
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.json() == {
        "statusCode": 429,
        "message": "Rate limit is exceeded. Try again in 3 seconds.",
    }


def test_5xx_fault_can_answer_an_html_page(api: Api, emulator: EmulatorHandle) -> None:
    """`html=true` answers a proxy's HTML error page instead of JSON."""
    emulator.add_fault("http:status=502,html=true")
    response = api.submit()
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text


def test_fault_count_and_route_limit_where_it_fires(api: Api, emulator: EmulatorHandle) -> None:
    """A rule fires on its route only, `count` times, then the emulator answers normally."""
    emulator.add_fault("http", status=503, route="status", count=2)
    request_id = api.submit_id()
    assert [api.status(request_id).status_code for _ in range(3)] == [503, 503, 200]


def test_402_defaults_to_the_submit_route(emulator: EmulatorHandle) -> None:
    """Out of credits is a submit-time answer: a 402 rule without a route applies to submits."""
    assert emulator.add_fault("http:status=402").route == "submit"


def test_dropped_submit_creates_nothing(api: Api, emulator: EmulatorHandle) -> None:
    """`drop` closes the connection without any answer and before any job exists."""
    emulator.add_fault("drop", route="submit", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.submit()
    assert emulator.submits == []
    record = emulator.requests[-1]
    assert (record.dropped, record.status, record.job_created) == (True, None, False)
    assert api.submit().status_code == 202


def test_submit_dropped_after_creating_the_job(api: Api, emulator: EmulatorHandle) -> None:
    """`drop_after_create` creates (and would charge) the job, then loses the answer half-way."""
    emulator.add_fault("drop_after_create", count=1, partial=True)
    with pytest.raises(httpx.RemoteProtocolError):
        api.submit()
    [record] = emulator.submits
    assert record.dropped
    assert record.job_created
    assert emulator.job(record.request_id or "").status in ("QUEUED", "PROCESSING", "COMPLETED")


def test_status_dropped_mid_answer(api: Api, emulator: EmulatorHandle) -> None:
    """A partial drop sends headers and half a body, then closes: the client cannot read the answer."""
    request_id = api.submit_id()
    emulator.add_fault("drop:route=status,partial=true,count=1")
    with pytest.raises(httpx.RemoteProtocolError):
        api.status(request_id)
    assert api.status(request_id).status_code == 200


def test_slow_fault_delays_the_answer(api: Api, emulator: EmulatorHandle) -> None:
    """`slow` waits `delay` seconds, then answers normally."""
    emulator.add_fault("slow", delay=0.3, route="submit", count=1)
    started = time.monotonic()
    assert api.submit().status_code == 202
    assert time.monotonic() - started >= 0.3
    assert emulator.requests[-1].fault == "slow"


def test_a_submit_held_across_a_reset_touches_nothing_after_it(api: Api, emulator: EmulatorHandle) -> None:
    """A submit held by `slow` when the emulator is reset (the next test begins) is dropped when it wakes: it
    neither takes the new faults nor makes a job (a killed client's held submit once ate the next test's drop)."""
    emulator.add_fault("slow", delay=0.2, route="submit", count=1)
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(api.submit)
        wait_for(lambda: any(r.fault == "slow" for r in emulator.requests))
        emulator.reset()
        emulator.add_fault("drop", route="submit", count=1)
        with pytest.raises(httpx.RemoteProtocolError):
            held.result(timeout=10)
    assert emulator.submits == []
    with pytest.raises(httpx.RemoteProtocolError):
        api.submit()


@pytest.mark.parametrize("final", ["FAILED", "ERROR"])
def test_failed_job_ends_with_the_error_message(final: str, api: Api, emulator: EmulatorHandle) -> None:
    """A `fail` rule makes the next job end FAILED (or ERROR) with `error` set and no output."""
    emulator.add_fault("fail", count=1, job_status=final, message="content policy violation")
    failed, fine = api.submit_id(), api.submit_id()
    body = api.wait(failed)
    assert (body["status"], body["error"], body["output"]) == (final, "content policy violation", None)
    assert body["completed_at"] is not None
    assert api.wait(fine)["status"] == "COMPLETED"


def test_stuck_job_stays_processing(api: Api, emulator: EmulatorHandle) -> None:
    """A `stuck` job never leaves PROCESSING, long after its time."""
    emulator.add_fault("stuck:count=1")
    request_id = api.submit_id()
    emulator.advance(emulator.job(request_id).job_seconds * 10)
    assert api.status(request_id).json()["status"] == "PROCESSING"
    assert emulator.job(request_id).outcome == "stuck"


def test_truncated_download_stops_after_k_bytes(api: Api, emulator: EmulatorHandle) -> None:
    """`truncate` promises the full Content-Length, sends K bytes, then closes the connection."""
    _, url = api.completed()
    emulator.add_fault("truncate", after_bytes=5000, count=1)
    received = bytearray()

    def download() -> None:
        with plain_http.stream("GET", url) as response:
            assert int(response.headers["content-length"]) > 5000
            for chunk in response.iter_raw():
                received.extend(chunk)

    with pytest.raises(httpx.RemoteProtocolError):
        download()
    assert len(received) == 5000
    assert plain_http.get(url).status_code == 200


@pytest.mark.parametrize("status", [404, 403])
def test_result_url_expires_and_a_fresh_status_call_refreshes_it(
    status: int, api: Api, emulator: EmulatorHandle
) -> None:
    """An `expire` rule kills a media URL T seconds after issue; the next status call issues a working one."""
    request_id, url = api.completed()
    emulator.add_fault("expire", after_seconds=60, status=status)  # never reached in real time: advanced
    assert plain_http.get(url).status_code == 200
    emulator.advance(60.5)
    expired = plain_http.get(url)
    assert expired.status_code == status
    fresh = api.status(request_id).json()["output"]["media_url"][0]
    assert fresh != url
    assert plain_http.get(fresh).status_code == 200


def test_submit_rate_limit_answers_429_with_retry_after(api: Api, emulator: EmulatorHandle) -> None:
    """Beyond `submit_rate_per_second` (burst 2) submits get 429 + Retry-After and create nothing."""
    emulator.configure(submit_rate_per_second=4, submit_burst=2)
    answers = [api.submit() for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[2].headers["retry-after"] == "1"
    assert answers[2].json()["statusCode"] == 429
    assert len(emulator.submits) == 2
    emulator.advance(0.3)  # the bucket refills at 4 a second: one token after 0.25 s
    assert api.submit().status_code == 202


def test_faults_can_be_set_whole_through_configure(api: Api, emulator: EmulatorHandle) -> None:
    """`configure(faults=[...])` replaces the rule list; `clear_faults()` empties it."""
    emulator.configure(faults=[FaultRule(kind="http", status=500, route="submit")])
    assert api.submit().status_code == 500
    emulator.clear_faults()
    assert api.submit().status_code == 202


def test_inconsistent_fault_rules_are_refused(emulator: EmulatorHandle) -> None:
    """A rule that cannot work (http without status, truncate on submit) is a validation error."""
    with pytest.raises(ValidationError):
        emulator.add_fault("http")
    with pytest.raises(ValidationError):
        emulator.add_fault("truncate", route="submit")


def test_fault_on_media_answers_before_the_file(api: Api, emulator: EmulatorHandle) -> None:
    """Rules on the media route (here a dropped connection) hit downloads, not the gateway."""
    _, url = api.completed()
    emulator.add_fault("drop:route=media,count=1")
    with pytest.raises(httpx.RemoteProtocolError):
        plain_http.get(url)
    assert api.client.post(T2V, json=SMALL).status_code == 202
