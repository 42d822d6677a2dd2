"""Misbehaviour below HTTP: answers that stop half-way because the emulator closes the TCP connection."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from seedance.emulator.records import CYCLE_KEY, RECORD_KEY

_PLACEHOLDER = b'{"request_id": "dropped", "status": "QUEUED", "polling_url": "http://dropped.invalid/"}'


def is_disconnected(scope: Scope) -> bool:
    """Whether the client has gone (uvicorn's cycle knows; without it, assume not)."""
    return bool(getattr(scope.get(CYCLE_KEY), "disconnected", False))


async def close_connection(scope: Scope) -> None:
    """Close the connection after flushing what was sent, and wait until uvicorn has noticed.

    Closing uvicorn's transport (rather than raising from the app) ends the connection without uvicorn writing a
    500 answer or logging an application error: once the cycle is marked disconnected it stays quiet.
    """
    record = scope.get(RECORD_KEY)
    if record is not None:
        record.dropped = True
    cycle = scope.get(CYCLE_KEY)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("the emulator can only drop connections when served by uvicorn's h11 protocol")
    transport.close()
    for _ in range(400):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.005)


class DroppedResponse(Response):
    """An answer that never arrives whole: nothing at all, or a status line, headers and half a body."""

    def __init__(self, body: bytes | None = None, status: int = 200, partial: bool = False) -> None:
        super().__init__(status_code=status)
        self.full_body = body or _PLACEHOLDER
        self.partial = partial

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the promised part of the answer, then close the connection."""
        if self.partial:
            headers: list[tuple[bytes, bytes]] = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(self.full_body)).encode()),
            ]
            start: dict[str, Any] = {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": headers,
            }
            await send(start)
            half = self.full_body[: len(self.full_body) // 2]
            await send({"type": "http.response.body", "body": half, "more_body": True})
        await close_connection(scope)
