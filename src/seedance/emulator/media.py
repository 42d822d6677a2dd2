"""Serving result files like a public CDN: Content-Length, single byte ranges, HEAD, chunked streaming."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from seedance.emulator.wire import close_connection, is_disconnected

CHUNK_BYTES = 1 << 20
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

Unsatisfiable = Literal["unsatisfiable"]


def parse_range(header: str | None, size: int) -> tuple[int, int] | Unsatisfiable | None:
    """Return the inclusive (first, last) byte of a single `Range` header, `unsatisfiable`, or None (send all).

    Multiple ranges and malformed headers are ignored, which HTTP allows: the whole file is sent with 200.
    """
    match = _RANGE.match((header or "").replace(" ", ""))
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first_text, last_text = match.groups()
    if first_text == "":  # a suffix range: the last N bytes
        length = int(last_text)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    first = int(first_text)
    last = size - 1 if last_text == "" else min(int(last_text), size - 1)
    if last_text != "" and int(last_text) < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return first, last


class FileStreamResponse(Response):
    """A file (or a byte range of it) streamed in chunks; optionally cut off after `stop_after` body bytes."""

    media_type = "video/mp4"

    def __init__(
        self, path: Path, size: int, byte_range: tuple[int, int] | None, stop_after: int | None = None
    ) -> None:
        super().__init__(status_code=206 if byte_range else 200)
        self.path = path
        self.first, self.last = byte_range or (0, size - 1)
        self.stop_after = stop_after
        self.headers["content-type"] = "video/mp4"
        self.headers["accept-ranges"] = "bytes"
        self.headers["content-length"] = str(self.last - self.first + 1)
        if byte_range:
            self.headers["content-range"] = f"bytes {self.first}-{self.last}/{size}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the headers, then the bytes (none for HEAD), reading the file in a worker thread."""
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if scope["method"] == "HEAD":
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        left = self.last - self.first + 1
        if self.stop_after is not None:
            left = min(left, self.stop_after)
        async with await anyio.open_file(self.path, "rb") as source:
            await source.seek(self.first)
            while left > 0 and not is_disconnected(scope):
                chunk = await source.read(min(CHUNK_BYTES, left))
                if not chunk:
                    break
                left -= len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if self.stop_after is not None:
            await close_connection(scope)  # Content-Length promised more: the client sees a short body
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def range_not_satisfiable(size: int) -> Response:
    """The 416 answer, with the file's size in `Content-Range`."""
    return Response(status_code=416, headers={"content-range": f"bytes */{size}", "accept-ranges": "bytes"})
