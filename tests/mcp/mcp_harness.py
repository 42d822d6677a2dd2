"""The harness for MCP tests: `seedance mcp` as a real subprocess, driven by the official MCP client.

The client runs on an event loop in a background thread, so a test calls tools with plain function calls and
one server can serve several tests (starting one costs the MCP SDK's import time, seconds on a busy machine).
(tests/mcp has no `__init__.py` on purpose: a package named `mcp` would hide the MCP SDK itself.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import httpx2  # the MCP SDK's HTTP client
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, Tool

import plain_http
from waiting import wait_for

T = TypeVar("T")
ISOLATED = (
    "PIXAZO_API_KEY",
    "SEEDANCE_BASE_URL",
    "SEEDANCE_HOME",
    "SEEDANCE_POLL_INTERVAL",
    "PYTHONWARNINGS",
)


def server_env(home: Path, base_url: str, api_key: str | None) -> dict[str, str]:
    """An environment of its own: HOME, SEEDANCE_HOME, the emulator, fast polling, the key if given."""
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED}
    env.update(HOME=str(home / "home"), SEEDANCE_HOME=str(home / "seedance"), SEEDANCE_POLL_INTERVAL="0.05")
    env["SEEDANCE_BASE_URL"] = base_url
    if api_key is not None:
        env["PIXAZO_API_KEY"] = api_key
    (home / "home").mkdir(parents=True, exist_ok=True)
    return env


class McpServer:
    """A running `seedance mcp ARGS` with a connected client session; every answer is kept."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.params = StdioServerParameters(
            command=sys.executable, args=["-m", "seedance", "mcp", *args], env=env, cwd=cwd
        )
        self.env = env
        self.cwd = cwd
        self.stderr_path = cwd / "mcp-server-stderr.log"
        self.answers: list[CallToolResult] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mcp-client", daemon=True)
        self._ready: concurrent.futures.Future[ClientSession] = concurrent.futures.Future()
        self._stop: asyncio.Event | None = None

    def __enter__(self) -> McpServer:
        self._thread.start()
        self._served = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        self.session = self._ready.result(timeout=120)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._served.result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _serve(self) -> None:
        # The transport's task groups must be entered and left by one task: this one, which then idles.
        self._stop = asyncio.Event()
        try:
            with self.stderr_path.open("a", encoding="utf-8") as errlog:
                async with (
                    self._transport(errlog) as (read, write),
                    ClientSession(read, write) as client,
                ):
                    await client.initialize()
                    self._ready.set_result(client)
                    await self._stop.wait()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
            raise

    def _transport(self, errlog: Any) -> Any:
        return stdio_client(self.params, errlog=errlog)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=120)

    def tools(self) -> dict[str, Tool]:
        """The listed tools by name."""
        return {tool.name: tool for tool in self._run(self.session.list_tools()).tools}

    def call(self, tool: str, **arguments: Any) -> CallToolResult:
        """Call a tool; keep and return its answer."""
        result = self._run(self.session.call_tool(tool, arguments))
        self.answers.append(result)
        return result

    def data(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """Call a tool that must succeed; return its JSON object (its text, which equals its structure)."""
        result = self.call(tool, **arguments)
        assert not result.is_error, result.content
        data: dict[str, Any] = json.loads(result.content[0].text)  # type: ignore[union-attr]
        assert data == result.structured_content
        return data

    def all_text(self) -> str:
        """Every answer serialised, and the server's stderr (to search for what must never appear)."""
        answers = "\n".join(answer.model_dump_json() for answer in self.answers)
        return answers + "\n" + self.stderr_path.read_text(encoding="utf-8")


class McpHttpServer(McpServer):
    """`seedance mcp --http` on a free loopback port as a real subprocess, driven over streamable HTTP.

    The port is chosen here and then bound by the server, so another server may take it in between (tests
    run in parallel): the server then exits, or the port answers something other than MCP. Either way a new
    port is tried; the client only ever talks to a port that answered as this MCP server.
    """

    def __init__(
        self, args: list[str], env: dict[str, str], cwd: Path, headers: dict[str, str] | None = None
    ) -> None:
        self.extra = args
        self.headers = headers or {}
        """Sent with every request of the client (e.g. the bearer token)."""
        super().__init__(args, env, cwd)
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> McpHttpServer:
        for _ in range(5):
            if self._start():
                super().__enter__()
                return self
        raise AssertionError("the MCP server never answered: " + self.stderr_path.read_text(encoding="utf-8"))

    def _start(self) -> bool:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.params.args = ["-m", "seedance", "mcp", "--http", "--port", str(self.port), *self.extra]
        with self.stderr_path.open("ab") as errlog:
            self.process = subprocess.Popen(
                [self.params.command, *self.params.args],
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=errlog,
                stderr=errlog,
            )
        process = self.process

        def answered() -> str | None:
            if process.poll() is not None:
                return "exited"
            with contextlib.suppress(httpx.TransportError):
                return "mcp" if _speaks_mcp(plain_http.get(self.url, timeout=2)) else "something else"
            return None

        with contextlib.suppress(AssertionError):  # not up in 60 s
            if wait_for(answered, timeout=60, interval=0.05) == "mcp":
                return True
        self._stop_process()
        return False

    def __exit__(self, *exc: object) -> None:
        try:
            super().__exit__(*exc)
        finally:
            self._stop_process()

    def _stop_process(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)

    def _transport(self, errlog: Any) -> Any:
        @contextlib.asynccontextmanager
        async def transport() -> AsyncIterator[Any]:
            async with (
                httpx2.AsyncClient(headers=self.headers, timeout=httpx2.Timeout(30, read=300)) as http,
                streamable_http_client(self.url, http_client=http) as streams,
            ):
                yield streams

        return transport()


def _speaks_mcp(answer: httpx.Response) -> bool:
    """Without a session, an MCP endpoint answers a JSON-RPC error; anything else is another server."""
    try:
        body = answer.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("jsonrpc") == "2.0"
