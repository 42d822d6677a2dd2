"""The batch's AsyncClient: HTTP hooks that pace every submit request and tell the pacer every answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from seedance.batch.pacing import SubmitPacer
from seedance.client import AsyncClient
from seedance.journal import Journal
from seedance.protocol import retry_after_seconds
from seedance.transport import make_timeout, tls


def make_client(
    *,
    base_url: str | None,
    api_key: str | None,
    poll_interval: float | None,
    journal: Journal,
    pacer: SubmitPacer,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> AsyncClient:
    """An AsyncClient whose HTTP hooks pace every submit request and tell the pacer every submit answer.

    The feed takes the turn of a line's first attempt before the submit starts (so a line waiting for its
    turn is never `submitting`); the client's own resend after a 429 takes a turn here, as it leaves.
    """

    async def on_request(request: httpx.Request) -> None:
        if request.method == "POST":
            await pacer.before_submit()

    async def on_response(response: httpx.Response) -> None:
        if response.request.method != "POST":
            return
        if response.status_code == 429:
            pacer.limited(retry_after_seconds(response.headers, 0.0) or None)
        elif 200 <= response.status_code < 300:
            pacer.accepted()

    http = httpx.AsyncClient(
        timeout=make_timeout(60.0),
        follow_redirects=False,
        verify=tls(),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        event_hooks={"request": [on_request], "response": [on_response]},
    )
    return AsyncClient(
        api_key=api_key,
        base_url=base_url,
        poll_interval=poll_interval,
        journal=journal,
        http=http,
        sleep=sleep,
    )
