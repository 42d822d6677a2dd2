"""The log of every gateway request the emulator received, filled in by an ASGI middleware around the app."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seedance.catalog import KEY_HEADER

RECORD_KEY = "seedance.record"
"""The scope key under which handlers find the record of the request they serve."""
CYCLE_KEY = "seedance.cycle"
"""The scope key holding uvicorn's request/response cycle (its transport lets a fault drop the connection)."""

_MAX_LOGGED_BODY = 8 << 20  # larger bodies (big data: URIs) are counted, not parsed into the log
_REDACTED = "***"


@dataclass
class RequestRecord:
    """One request as the emulator saw it, and what it answered."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    """Request headers (lower-case names); the subscription key's value is replaced by `***`."""
    received_at: float = field(default_factory=time.time)
    json: Any = None
    """The parsed JSON body, or None (see `body_bytes`)."""
    body_bytes: int = 0
    status: int | None = None
    """The answer's HTTP status; None if the connection was dropped before a status line was sent."""
    route: str | None = None
    """`submit`, `status` or `media` (None for paths the gateway does not have)."""
    operation: str | None = None
    """For submits, the catalog operation name (e.g. `2.0/text-to-video`)."""
    job_created: bool | None = None
    """For submits, whether a job was created (true even if the answer was then lost)."""
    request_id: str | None = None
    range: str | None = None
    """For media downloads, the `Range` header."""
    fault: str | None = None
    """The fault rule kind that shaped the answer, if any."""
    dropped: bool = False
    """Whether the emulator closed the connection without a complete answer."""

    @property
    def key_sent(self) -> bool:
        """Whether the request carried a subscription key header."""
        return KEY_HEADER.lower() in self.headers

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (what `GET /_emulator/requests` lists)."""
        return {**asdict(self), "key_sent": self.key_sent}


class RecordingMiddleware:
    """Records each gateway request before the app sees it; control routes under `/_emulator/` are not logged."""

    def __init__(self, app: ASGIApp, log: Callable[[RequestRecord], None]) -> None:
        self.app = app
        self._log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI call, logging it when it is an HTTP request to the gateway surface."""
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if KEY_HEADER.lower() in headers:
            headers[KEY_HEADER.lower()] = _REDACTED
        record = RequestRecord(
            scope["method"], scope["path"], scope["query_string"].decode("latin-1"), headers
        )
        scope[RECORD_KEY] = record
        # uvicorn's `send` is a bound method of its request/response cycle; keep the cycle for dropped answers.
        scope[CYCLE_KEY] = getattr(send, "__self__", None)
        self._log(record)
        # Read the whole body first, so that it is logged even when the answer (a 401, a fault) never reads it.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                break
        record.body_bytes = len(body)
        record.json = _parse_json(bytes(body))
        replayed = False

        async def replay_body() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
            await send(message)

        await self.app(scope, replay_body, send_and_record)


def _parse_json(body: bytes) -> Any:
    if not body or len(body) > _MAX_LOGGED_BODY:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
