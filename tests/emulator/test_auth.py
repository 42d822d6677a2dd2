"""The subscription key is checked on every gateway call (submit and status) with APIM's 401 bodies."""

from __future__ import annotations

import pytest

import plain_http
from seedance.catalog import KEY_HEADER
from seedance.emulator import EmulatorHandle

from .conftest import SMALL, T2V, Api

MISSING = (
    "Access denied due to missing subscription key. Make sure to include subscription key when making requests to "
    "an API."
)
INVALID = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."


@pytest.mark.parametrize(
    ("headers", "message"), [({}, MISSING), ({KEY_HEADER: ""}, MISSING), ({KEY_HEADER: "nope"}, INVALID)]
)
def test_submit_without_the_right_key_is_401(
    headers: dict[str, str], message: str, emulator: EmulatorHandle
) -> None:
    """A missing, empty or wrong key gets APIM's 401 body and creates no job."""
    response = plain_http.post(emulator.url(T2V), json=SMALL, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"statusCode": 401, "message": message}
    assert emulator.submits == []
    assert emulator.requests[-1].status == 401


def test_status_checks_the_key_too(api: Api, emulator: EmulatorHandle) -> None:
    """Polling without the key is refused even for an existing job."""
    request_id = api.submit_id()
    response = plain_http.get(emulator.url(f"/v2/requests/status/{request_id}"))
    assert response.status_code == 401
    assert response.json()["message"] == MISSING
    legacy = plain_http.get(
        emulator.url(f"/seedance-2-0/v1/result/{request_id}"), headers={KEY_HEADER: "wrong"}
    )
    assert legacy.status_code == 401


def test_any_non_empty_key_is_accepted_when_no_key_is_configured(emulator: EmulatorHandle) -> None:
    """With `api_key=None` any non-empty key works, and `api_key` reports a usable placeholder."""
    emulator.configure(api_key=None)
    assert plain_http.post(emulator.url(T2V), json=SMALL, headers={KEY_HEADER: "whatever"}).status_code == 202
    assert plain_http.post(emulator.url(T2V), json=SMALL, headers=emulator.headers).status_code == 202
    assert plain_http.post(emulator.url(T2V), json=SMALL).status_code == 401
