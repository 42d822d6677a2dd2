"""The sans-IO flows, driven with plain data: the seed's retry table, exactly, and never a silent resubmit."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from seedance import errors, protocol
from seedance.models import State
from seedance.protocol import HttpRequest, HttpResponse, Observe, Sleep, TransportFailure

SETTINGS = protocol.Settings("https://gateway.test", "sk-secret-key-123456")
QUEUED = {
    "request_id": "seedance-2-0_1",
    "status": "QUEUED",
    "polling_url": "https://gateway.test/v2/requests/status/seedance-2-0_1",
}


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> HttpResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    return HttpResponse(status, headers or {}, raw)


def drive(flow: protocol.Flow, answers: Iterable[HttpResponse | Exception]) -> tuple[Any, list[Any]]:
    """Run a flow, answering each request with the next scripted answer; return (value, actions seen)."""
    script = iter(answers)
    seen: list[Any] = []
    try:
        action = next(flow)
        while True:
            seen.append(action)
            if isinstance(action, Sleep):
                action = flow.send(None)
                continue
            answer = next(script)
            action = flow.throw(answer) if isinstance(answer, Exception) else flow.send(answer)
    except StopIteration as stop:
        return stop.value, seen


def requests_of(actions: list[Any]) -> list[HttpRequest]:
    return [a for a in actions if isinstance(a, HttpRequest)]


def test_submit_sends_the_documented_headers_and_returns_the_id() -> None:
    """One POST with the key header, no-cache and JSON content type; the request id comes back."""
    value, seen = drive(
        protocol.submit_flow(SETTINGS, "/seedance-2-0/v1/text-to-video", {"content": []}),
        [reply(202, QUEUED)],
    )
    (request,) = requests_of(seen)
    assert request.method == "POST"
    assert request.url == "https://gateway.test/seedance-2-0/v1/text-to-video"
    assert request.headers["Ocp-Apim-Subscription-Key"] == SETTINGS.api_key
    assert request.headers["Cache-Control"] == "no-cache"
    assert request.headers["Content-Type"] == "application/json"
    assert (value.request_id, value.attempts, value.warnings) == ("seedance-2-0_1", 1, [])


def test_submit_waits_retry_after_on_429_and_retries_once() -> None:
    """429 waits Retry-After seconds and tries once more; the second 429 is a RateLimitError."""
    limited = reply(
        429,
        {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 7 seconds."},
        {"retry-after": "7"},
    )
    value, seen = drive(protocol.submit_flow(SETTINGS, "/p", {}), [limited, reply(202, QUEUED)])
    assert [a.seconds for a in seen if isinstance(a, Sleep)] == [7.0]
    assert value.attempts == 2
    with pytest.raises(errors.RateLimitError) as caught:
        drive(protocol.submit_flow(SETTINGS, "/p", {}), [limited, limited, reply(202, QUEUED)])
    assert caught.value.exit_code == 5


def test_submit_waits_five_seconds_on_429_without_retry_after() -> None:
    """Without Retry-After the seed's 5 s wait applies."""
    _, seen = drive(protocol.submit_flow(SETTINGS, "/p", {}), [reply(429, {}), reply(202, QUEUED)])
    assert [a.seconds for a in seen if isinstance(a, Sleep)] == [5.0]


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [
        (401, errors.AuthError, 3),
        (402, errors.CreditsError, 4),
        (400, errors.InvalidRequestError, 6),
        (404, errors.InvalidRequestError, 6),
        (422, errors.InvalidRequestError, 6),
    ],
)
def test_submit_never_retries_auth_credit_or_validation_errors(status: int, error: type, code: int) -> None:
    """401, 402 and other 4xx fail at once, after exactly one request."""
    body = {"error": "Invalid parameter: duration", "message": "duration must be 4-15 (got 99)"}
    with pytest.raises(error) as caught:
        drive(protocol.submit_flow(SETTINGS, "/p", {}), [reply(status, body), reply(202, QUEUED)])
    assert caught.value.exit_code == code
    if status == 400:
        assert "duration must be 4-15 (got 99)" in caught.value.message


def test_submit_retries_a_5xx_once_and_says_it_may_have_queued_twice() -> None:
    """The seed's one retry on 5xx happens, and the result carries a warning about a possible duplicate."""
    value, seen = drive(
        protocol.submit_flow(SETTINGS, "/p", {}), [reply(502, b"<html>bad</html>"), reply(202, QUEUED)]
    )
    assert len(requests_of(seen)) == 2
    assert len(value.warnings) == 1
    assert "502" in value.warnings[0]


def test_submit_5xx_twice_is_a_server_error_that_warns_of_a_queued_job() -> None:
    """After the retry, the ServerError says the job may exist anyway."""
    with pytest.raises(errors.ServerError) as caught:
        drive(protocol.submit_flow(SETTINGS, "/p", {}), [reply(500, {}), reply(503, {})])
    assert "may have been queued" in caught.value.message
    assert caught.value.exit_code == 7


def test_submit_lost_after_sending_is_unknown_and_never_resent() -> None:
    """A connection dropped after the request left: SubmitUnknownError, and no second POST."""
    flow = protocol.submit_flow(SETTINGS, "/p", {})
    with pytest.raises(errors.SubmitUnknownError):
        drive(flow, [TransportFailure("RemoteProtocolError", maybe_sent=True), reply(202, QUEUED)])


def test_submit_connect_failure_is_retried_once_because_nothing_left() -> None:
    """A refused connection sent nothing, so one resend is safe."""
    value, _seen = drive(
        protocol.submit_flow(SETTINGS, "/p", {}),
        [TransportFailure("ConnectError", maybe_sent=False), reply(202, QUEUED)],
    )
    assert value.attempts == 2
    with pytest.raises(errors.TransportError):
        drive(
            protocol.submit_flow(SETTINGS, "/p", {}),
            [TransportFailure("x", maybe_sent=False), TransportFailure("x", maybe_sent=False)],
        )


def test_submit_2xx_without_an_id_is_unknown() -> None:
    """A success answer we cannot track is reported as an unknown outcome, not retried."""
    with pytest.raises(errors.SubmitUnknownError):
        drive(protocol.submit_flow(SETTINGS, "/p", {}), [reply(200, {"status": "QUEUED"})])


def test_webhook_header_is_sent_when_configured() -> None:
    """X-Webhook-URL goes with the submit when a webhook is set."""
    settings = protocol.Settings("https://gateway.test", "k" * 20, webhook_url="https://hooks.test/x")
    _, seen = drive(protocol.submit_flow(settings, "/p", {}), [reply(202, QUEUED)])
    assert requests_of(seen)[0].headers["X-Webhook-URL"] == "https://hooks.test/x"


def test_status_url_ignores_a_polling_url_on_another_host() -> None:
    """The key is only sent to the configured gateway: a foreign polling_url is replaced by the documented path."""
    assert protocol.status_url(SETTINGS, "r1", "https://evil.test/v2/requests/status/r1") == (
        "https://gateway.test/v2/requests/status/r1"
    )
    assert protocol.status_url(SETTINGS, "r1", "https://gateway.test/seedance-2-0/v1/result/r1") == (
        "https://gateway.test/seedance-2-0/v1/result/r1"
    )
    assert protocol.status_url(SETTINGS, "r1", "http://gateway.test/v2/requests/status/r1").startswith(
        "https://"
    )


def test_status_retries_5xx_429_and_garbage_then_succeeds() -> None:
    """Status checks are free: 5xx, 429, non-JSON and dropped connections are retried."""
    answers = [
        reply(503, {}),
        reply(429, {}, {"retry-after": "2"}),
        reply(200, b"<html>oops"),
        TransportFailure("ReadTimeout", maybe_sent=True),
        reply(200, {"status": "PROCESSING"}),
    ]
    value, seen = drive(protocol.status_flow(SETTINGS, "r1"), answers)
    assert value.state is State.RUNNING
    assert len(requests_of(seen)) == 5


def test_status_gives_up_after_its_retries() -> None:
    """Persistent 5xx ends in a ServerError after status_retries + 1 attempts."""
    with pytest.raises(errors.ServerError):
        drive(protocol.status_flow(SETTINGS, "r1"), [reply(500, {})] * (SETTINGS.status_retries + 1))


def test_status_404_names_the_unknown_request() -> None:
    """An unknown request id is an InvalidRequestError naming it, not retried."""
    with pytest.raises(errors.InvalidRequestError, match="r-missing"):
        drive(protocol.status_flow(SETTINGS, "r-missing"), [reply(404, {"error": "Not Found"})])


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_wait(answers: list[HttpResponse], timeout: float = 600.0) -> tuple[Any, list[Any], FakeClock]:
    clock = FakeClock()
    flow = protocol.wait_flow(SETTINGS, "r1", timeout=timeout, next_delay=lambda e, n: 10.0, clock=clock)
    script = iter(answers)
    seen: list[Any] = []
    try:
        action = next(flow)
        while True:
            seen.append(action)
            if isinstance(action, Sleep):
                clock.now += action.seconds
                action = flow.send(None)
            elif isinstance(action, Observe):
                action = flow.send(None)
            else:
                action = flow.send(next(script))
    except StopIteration as stop:
        return stop.value, seen, clock


def test_wait_polls_until_completed() -> None:
    """QUEUED, PROCESSING, COMPLETED: three polls, the URL returned."""
    answers = [
        reply(200, {"status": "QUEUED"}),
        reply(200, {"status": "PROCESSING"}),
        reply(200, {"status": "COMPLETED", "output": {"media_url": ["https://cdn.test/o.mp4"]}}),
    ]
    value, seen, _ = run_wait(answers)
    assert value.video_url == "https://cdn.test/o.mp4"
    assert len(requests_of(seen)) == 3


def test_wait_raises_generation_failed_with_the_reason() -> None:
    """A FAILED job raises GenerationFailed carrying the gateway's error."""
    with pytest.raises(errors.GenerationFailed, match="nsfw"):
        run_wait([reply(200, {"status": "FAILED", "error": "nsfw content"})])


def test_wait_times_out_with_the_request_id() -> None:
    """PollTimeout after the timeout, naming the job so it can be resumed; it is a TimeoutError too."""
    with pytest.raises(errors.PollTimeout) as caught:
        run_wait([reply(200, {"status": "PROCESSING"})] * 100, timeout=35.0)
    assert caught.value.request_id == "r1"
    assert isinstance(caught.value, TimeoutError)
    assert "seedance wait r1" in caught.value.remedy


def test_wait_tolerates_completed_without_url_a_few_times() -> None:
    """A COMPLETED answer before its output exists is looked at again rather than failed at once."""
    answers = [
        reply(200, {"status": "COMPLETED"}),
        reply(200, {"status": "COMPLETED", "url": "https://c.test/v.mp4"}),
    ]
    value, _, _ = run_wait(answers)
    assert value.video_url == "https://c.test/v.mp4"
    with pytest.raises(errors.NotReadyError, match="no usable video URL") as caught:
        run_wait([reply(200, {"status": "COMPLETED"})] * 5)
    # Done and paid for: the advice is to look again, never to pay for another job.
    assert caught.value.exit_code == 10
    assert "seedance wait r1" in caught.value.remedy
    assert "do not resubmit" in caught.value.remedy
    assert "change the prompt" not in caught.value.remedy


def test_errors_never_show_the_key() -> None:
    """A gateway echoing the key back in an error body has it redacted in message, body and repr."""
    errors.register_secret(SETTINGS.api_key)
    echo = reply(400, {"error": f"bad key {SETTINGS.api_key}", "message": "Ocp-Apim-Subscription-Key: abc"})
    with pytest.raises(errors.InvalidRequestError) as caught:
        drive(protocol.submit_flow(SETTINGS, "/p", {}), [echo])
    text = caught.value.message + caught.value.body + repr(caught.value) + str(caught.value.to_dict())
    assert SETTINGS.api_key not in text
    assert "abc" not in text
    assert SETTINGS.api_key not in repr(SETTINGS)
