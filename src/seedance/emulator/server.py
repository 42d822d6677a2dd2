"""Run the emulator under uvicorn: in a daemon thread for tests and in-process use, or in the foreground."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from seedance import config
from seedance.emulator.app import create_app
from seedance.emulator.handle import EmulatorHandle
from seedance.emulator.options import EmulatorOptions
from seedance.emulator.state import EmulatorState
from seedance.emulator.store import JobStore

if TYPE_CHECKING:
    import uvicorn


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Bind and listen before the server starts: the port is known at once and connections queue meanwhile."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(512)
    except OSError:
        sock.close()
        raise
    return sock


def base_url_of(sock: socket.socket) -> str:
    """The http:// base URL of a bound socket (a wildcard address is shown as loopback)."""
    host, port = sock.getsockname()[:2]
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _uvicorn_config(state: EmulatorState, **logging: Any) -> uvicorn.Config:
    import uvicorn

    # h11 explicitly: the dropped-connection faults close uvicorn's transport (see wire.py).
    return uvicorn.Config(create_app(state), http="h11", loop="asyncio", ws="none", lifespan="on",
                          access_log=False, timeout_graceful_shutdown=2, **logging)  # fmt: skip


class RunningEmulator(EmulatorHandle):
    """An emulator serving in a daemon thread; a handle to it, and a context manager that stops it."""

    def __init__(
        self, state: EmulatorState, base_url: str, server: uvicorn.Server, thread: threading.Thread
    ) -> None:
        super().__init__(state, base_url)
        self._server = server
        self._thread = thread

    @property
    def handle(self) -> EmulatorHandle:
        """The control handle (this object)."""
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Shut the server down, wait for its thread, stop synthesis and remove private files. Idempotent."""
        self._server.should_exit = True
        self._thread.join(timeout)
        self._state.close()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start(options: EmulatorOptions | None = None, *, host: str = "127.0.0.1", port: int = 0,
          timeout: float = 30.0, shared: Path | None = None) -> RunningEmulator:  # fmt: skip
    """Start an emulator in a daemon thread on a pre-bound socket; return once uvicorn serves it.

    `shared` is the folder of the shared local emulator (`--emulator`): jobs are kept there, and found again
    by every later emulator started with the same folder; the journal then names the gateway
    `config.LOCAL_EMULATOR` rather than this run's port. Without it the jobs end with this emulator.

    >>> with start(EmulatorOptions(api_key="k", job_seconds=0.3)) as emulator:
    ...     emulator.base_url  # doctest: +SKIP
    """
    import uvicorn

    state = EmulatorState(options or EmulatorOptions(), JobStore(shared) if shared is not None else None)
    sock = bind_socket(host, port)
    state.served_at = base_url_of(sock)
    ready = threading.Event()

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            ready.set()

    server = _Server(_uvicorn_config(state, log_config=None))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="seedance-emulator", daemon=True
    )
    thread.start()
    while not ready.wait(0.02):
        timeout -= 0.02
        if not thread.is_alive() or timeout <= 0:
            server.should_exit = True
            thread.join(5)
            sock.close()
            state.close()
            raise RuntimeError("the emulator did not start (see the log for uvicorn's error)")
    base_url = base_url_of(sock)
    if shared is not None:
        config.SHARED_EMULATORS.add(base_url)  # the journal names it the local emulator, whatever the port
    return RunningEmulator(state, base_url, server, thread)


def serve_forever(options: EmulatorOptions, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM; `announce` gets the base URL once the port is bound."""
    import uvicorn

    state = EmulatorState(options)
    sock = bind_socket(host, port)
    try:
        announce(base_url_of(sock))
        uvicorn.Server(_uvicorn_config(state, log_level="warning")).run(sockets=[sock])
    finally:
        sock.close()
        state.close()
