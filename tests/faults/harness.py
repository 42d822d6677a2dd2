"""Shared by the fault, fuzz and security suites: the CLI runner (from the e2e suite), journal and request-log
readers, one outcome check, and a tiny real HTTP(S) server whose answers a test chooses.

The tiny server stands in for what the emulator will not do on purpose: a hostile or broken gateway (a
request id like `../../evil`, a redirect to another host, a key echoed back, a bogus Content-Encoding), a second
host on another loopback address that records whether the key reaches it, and a self-signed TLS endpoint.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from e2e.conftest import Run, gateway_env, seedance  # the e2e runner, shared rather than copied
from seedance.catalog import KEY_HEADER
from seedance.journal import JobRecord, Journal

__all__ = [
    "ARGS",
    "Answer",
    "Run",
    "Seen",
    "TinyServer",
    "created",
    "gateway_env",
    "journal_path",
    "journal_records",
    "mp4_bytes",
    "posts",
    "seedance",
    "serve",
]

ARGS = ("generate", "A cat", "--resolution", "480p", "--duration", "4", "--json")
"""One small, cacheable job: the emulator synthesises its video once per session."""


def posts(emulator: Any) -> int:
    """How many submit requests reached the emulator (each one could have cost money)."""
    return sum(1 for r in emulator.requests if r.route == "submit")


def created(emulator: Any) -> int:
    """How many jobs the emulator created (and a real gateway would have charged)."""
    return sum(1 for r in emulator.requests if r.route == "submit" and r.job_created)


def journal_path(env: dict[str, str]) -> Path:
    """The journal file a CLI subprocess with this environment writes."""
    return Path(env["SEEDANCE_HOME"]) / "jobs.db"


def journal_records(env: dict[str, str]) -> list[JobRecord]:
    """Every job the CLI recorded, oldest first (empty when nothing was ever recorded)."""
    path = journal_path(env)
    return list(reversed(Journal(path).jobs())) if path.exists() else []


def mp4_bytes(size: int = 64) -> bytes:
    """Bytes that pass the client's MP4 check (an `ftyp` box first), padded to `size`."""
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return head + b"\x00" * max(0, size - len(head))


@dataclass(frozen=True)
class Seen:
    """One request the tiny server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def key(self) -> str | None:
        """The API key header it carried, if any."""
        return self.headers.get(KEY_HEADER.lower())


@dataclass
class Answer:
    """What the tiny server sends back. `length` overrides Content-Length (a lie makes a truncated answer)."""

    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None

    def payload(self) -> bytes:
        """The body as bytes (JSON for dicts and lists)."""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Responder = Callable[[Seen], Answer]


class TinyServer:
    """A real HTTP(S) server on a loopback address and a free port; each answer comes from `respond`."""

    def __init__(self, respond: Responder, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None):
        self.respond = respond
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(size),
                )
                server.seen.append(seen)
                answer = server.respond(seen)
                payload = answer.payload()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header(
                    "Content-Length", str(answer.length if answer.length is not None else len(payload))
                )
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                self.close_connection = True

            do_GET = do_POST = do_HEAD = _handle

            def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read `seen`
                return

            def handle(self) -> None:
                # A client that gives up (timeout, refused certificate) is part of the tests, not an error.
                with contextlib.suppress(ConnectionError, ssl.SSLError):
                    super().handle()

        self._httpd = ThreadingHTTPServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.host = host
        self.port = self._httpd.server_address[1]
        # A short poll interval: `shutdown()` waits for the serving loop to notice, 0.5 s by default.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def keys_seen(self) -> list[str | None]:
        """The key header of every request received (None where there was none)."""
        return [s.key for s in self.seen]

    def start(self) -> TinyServer:
        """Serve in a daemon thread (the socket is bound already, so it is ready at once)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def serve(
    respond: Responder, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> Iterator[TinyServer]:
    """Run a TinyServer for the duration of a `with` block."""
    server = TinyServer(respond, host, tls).start()
    try:
        yield server
    finally:
        server.stop()
