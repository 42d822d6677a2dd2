"""The request log: every gateway request with its headers (key redacted), body, answer and job."""

from __future__ import annotations

import plain_http
from seedance.catalog import KEY_HEADER
from seedance.emulator import EmulatorHandle

from .conftest import SMALL, T2V, Api


def test_submit_is_recorded_with_the_key_redacted(api: Api, emulator: EmulatorHandle) -> None:
    """A submit's record has method, path, redacted key, parsed body, status, operation and job id."""
    request_id = api.submit_id()
    [record] = emulator.requests
    assert (record.method, record.path, record.route, record.status) == ("POST", T2V, "submit", 202)
    assert record.headers[KEY_HEADER.lower()] == "***"
    assert emulator.api_key not in str(record.to_json())
    assert record.key_sent
    assert record.json == SMALL
    assert record.body_bytes > 0
    assert (record.operation, record.job_created, record.request_id) == (
        "2.0/text-to-video",
        True,
        request_id,
    )
    assert emulator.submits == [record]


def test_rejected_and_unknown_requests_are_recorded(api: Api, emulator: EmulatorHandle) -> None:
    """400s, non-JSON bodies and unknown paths are in the log too; only accepted submits are in `submits`."""
    api.submit({"content": []})
    api.client.post(T2V, content=b"\x00\x01")
    api.client.get("/v1/unknown?x=1")
    bad, binary, unknown = emulator.requests
    assert (bad.status, bad.job_created) == (400, False)
    assert (binary.json, binary.body_bytes) == (None, 2)
    assert (unknown.status, unknown.query, unknown.route) == (404, "x=1", None)
    assert emulator.submits == []


def test_media_requests_record_the_range_and_no_key(api: Api, emulator: EmulatorHandle) -> None:
    """A download is logged with its Range header; it carried no key."""
    _, url = api.completed()
    plain_http.get(url, headers={"Range": "bytes=5-"})
    media = [r for r in emulator.requests if r.route == "media"]
    assert [(r.range, r.status, r.key_sent) for r in media] == [("bytes=5-", 206, False)]


def test_control_routes_are_not_logged(emulator: EmulatorHandle) -> None:
    """Steering the emulator does not show up among the gateway requests."""
    plain_http.get(emulator.url("/_emulator/requests"))
    assert emulator.requests == []


def test_body_is_recorded_even_when_the_answer_is_an_early_401(emulator: EmulatorHandle) -> None:
    """A submit refused for its key still has its body in the log."""
    plain_http.post(emulator.url(T2V), json=SMALL)
    [record] = emulator.requests
    assert (record.status, record.json, record.key_sent) == (401, SMALL, False)
