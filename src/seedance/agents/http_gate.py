"""A bearer-token gate in front of the MCP server's HTTP app: without the token, nothing gets through.

Plain ASGI (no framework): every HTTP request must carry `Authorization: Bearer TOKEN`; any other gets a 401
with a JSON-RPC error saying what to send. Lifespan and other scopes pass untouched. The token is compared in
constant time.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_ENV = "SEEDANCE_MCP_TOKEN"
"""The environment variable that holds the token (an argument would show in `ps`)."""

REFUSAL = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": None,
        "error": {
            "code": -32001,
            "message": f"unauthorized: send the header 'Authorization: Bearer <token>' with the token in "
            f"the server's {TOKEN_ENV}",
        },
    }
).encode()


class BearerTokenGate:
    """Wraps an ASGI app so that only requests with the right bearer token reach it."""

    def __init__(self, app: App, token: str) -> None:
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._authorised(scope):
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="seedance-mcp"'),
                    (b"content-length", str(len(REFUSAL)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": REFUSAL})

    def _authorised(self, scope: Scope) -> bool:
        given = [value for name, value in scope.get("headers", []) if name.lower() == b"authorization"]
        if len(given) != 1:
            return False
        scheme, _, token = given[0].strip().partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), self._token)  # RFC 7235
