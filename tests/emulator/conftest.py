"""Helpers for the emulator's own tests: an httpx client on the session emulator and a small request helper."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import plain_http
from seedance.emulator import EmulatorHandle
from waiting import wait_for

T2V = "/seedance-2-0/v1/text-to-video"
SAMPLE = {"content": [{"type": "text", "text": "A cat walking on the beach"}]}
SMALL = {**SAMPLE, "resolution": "480p", "duration": 4}
"""The body most tests submit: every job with it shares one cached 480p, 4 s video."""
RUNNING_WORDS = {"QUEUED", "PROCESSING", "queued", "processing", "running"}


class Api:
    """Thin calls to the emulator over real HTTP, with the key; raw httpx answers unless said otherwise."""

    def __init__(self, client: httpx.Client, emulator: EmulatorHandle) -> None:
        self.client = client
        self.emulator = emulator

    def submit(
        self, body: Any = SMALL, path: str = T2V, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST a submit body."""
        return self.client.post(path, json=body, headers=headers)

    def submit_id(self, body: Any = SMALL, path: str = T2V, headers: dict[str, str] | None = None) -> str:
        """POST a submit body that must be accepted; return the request id."""
        response = self.submit(body, path, headers)
        assert response.status_code == 202, response.text
        request_id: str = response.json()["request_id"]
        return request_id

    def status(self, request_id: str) -> httpx.Response:
        """GET the documented status path."""
        return self.client.get(f"/v2/requests/status/{request_id}")

    def wait(self, request_id: str, timeout: float = 20.0) -> dict[str, Any]:
        """Poll until the status is no longer queued/running; return the last status body."""

        def ended() -> dict[str, Any] | None:
            body: dict[str, Any] = self.status(request_id).json()
            return body if body["status"] not in RUNNING_WORDS else None

        return wait_for(ended, timeout=timeout)

    def completed(self, body: Any = SMALL, path: str = T2V) -> tuple[str, str]:
        """Submit, wait for COMPLETED, return (request id, media URL)."""
        request_id = self.submit_id(body, path)
        final = self.wait(request_id)
        assert final["status"] == "COMPLETED", final
        return request_id, final["output"]["media_url"][0]


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    """An httpx client on the emulator, sending its key."""
    with plain_http.client(base_url=emulator.base_url, headers=emulator.headers, timeout=20) as http:
        yield http


@pytest.fixture
def api(client: httpx.Client, emulator: EmulatorHandle) -> Api:
    """Request helpers over `client`; jobs take 0.05 s so waiting costs little."""
    emulator.configure(job_seconds=0.05)
    return Api(client, emulator)
