"""`seedance` on PATH for shell scripts, as a real process that does not start Python and import the CLI again.

The docs' shell blocks run in bash exactly as written (pipes, `$(...)`, `export`, `cp`, ...), and each
`seedance` in them is a process of its own. Starting Python and importing the CLI costs most of such a
command (about 0.3-0.5 s of CPU, and a block has up to 19 of them), so the `seedance` that `ForkServer.bin`
puts on PATH is a small launcher (`python -I -S`: no site, a few ms) that hands its arguments, environment,
working folder, standard streams, blocked signals and ignored Ctrl-C to a server that imported the CLI
once. The server forks; the fork takes them on (`dup2`, `chdir`, `os.environ`, `tzset`, new `sys.std*` as
Python's start-up makes them) and runs the console script's `main()` through the interpreter's own exit
(atexit, thread joins, flushes). The launcher passes SIGINT, SIGTERM and SIGHUP on to it and ends as it
ends: its exit code, or killed by the same signal.

Each command is a fresh fork of the server, which never runs a command itself: nothing of one command is
left for the next, and the process holds only what importing the CLI leaves, as any process of the console
script does. The server has no Python thread (a fork of a threaded process could inherit a held lock); numpy's
BLAS pool, its one native thread, is made fork-safe by OpenBLAS itself (as for multiprocessing's forks).

Tests about the process itself (signals sent by the test, terminals, exit codes seen by a shell that starts
it) keep `cli_process`; the server is for scripts that run `seedance` as a user's shell would.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PRELOAD = (
    "uvicorn.config",
    "uvicorn.lifespan.on",
    "uvicorn.loops.asyncio",
    "uvicorn.protocols.http.h11_impl",
    "anyio._backends._asyncio",
    "httpcore",
    "certifi",
    "platformdirs",
    "multiprocessing",
    "logging.config",
    "importlib.metadata",
    "av",
    "numpy",
    "PIL.Image",
    "PIL.ImageDraw",
    "PIL.ImageFont",
)
"""Besides every `seedance` module but the MCP server's: what the commands import lazily (the media libraries
for `--emulator`'s videos, posters and joins: 0.4 s to import)."""


def _preload() -> None:
    import importlib
    import pkgutil

    import seedance

    for module in pkgutil.walk_packages(seedance.__path__, "seedance."):
        if not module.name.startswith(("seedance.agents", "seedance.__main__", "seedance.testing")):
            importlib.import_module(module.name)
    for name in PRELOAD:
        importlib.import_module(name)
    from seedance.transport import tls

    tls()  # the CA bundle read once here, not in every fork (about 30 ms of CPU each)
    assert threading.active_count() == 1, "the fork server must have no Python thread to fork"


CPU_LOG = "SEEDANCE_FORKSERVER_CPU_LOG"
"""A file to which the server appends each command's CPU time and arguments (the forks are not the test's
children, so pytest's and `time`'s counts leave them out)."""

LAUNCHER = '''#!{python} -IS
"""`seedance`, run by the forked CLI server at {server} (tests/cli_forkserver.py)."""
import json, os, signal, socket, sys

def is_open(fd):
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True

streams = [fd for fd in (0, 1, 2) if is_open(fd)]
request = json.dumps({{
    "argv": sys.argv, "env": dict(os.environ), "cwd": os.getcwd(), "streams": streams,
    "sigint_ignored": signal.getsignal(signal.SIGINT) is signal.SIG_IGN,
    "blocked": sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])),
}}).encode()
pending, child = [], []

def forward(number, frame):
    if child:
        os.kill(child[0], number)
    else:
        pending.append(number)

for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    if signal.getsignal(number) is not signal.SIG_IGN:
        signal.signal(number, forward)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.connect({server!r})
socket.send_fds(server, [len(request).to_bytes(4, "big") + request], streams)
answers = server.makefile("rb")
pid = answers.readline()
if pid:
    child.append(int(pid))
    for number in pending:
        os.kill(child[0], number)
code = answers.readline()
if not code:
    sys.stderr.write("seedance: the CLI fork server went away\\n")
    sys.exit(1)
code = int(code)
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [-code])
    os.kill(os.getpid(), -code)
    code = 128 - code
sys.exit(code)
'''


class ForkServer:
    """The server process, and the folder holding the `seedance` launcher to put first on PATH."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.socket_path = str(folder / "cli.sock")
        Path(self.socket_path).unlink(missing_ok=True)
        self.bin = folder / "bin"
        self.bin.mkdir(exist_ok=True)
        launcher = self.bin / "seedance"
        launcher.write_text(LAUNCHER.format(python=sys.executable, server=self.socket_path), encoding="utf-8")
        launcher.chmod(0o755)
        self._process = subprocess.Popen(
            [sys.executable, __file__, self.socket_path],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C at the terminal stops the tests, not this server's commands
        )
        assert self._process.stdout is not None
        ready = self._process.stdout.readline()
        if ready != b"ready\n":
            self.close()
            raise RuntimeError(f"the CLI fork server did not start: {ready!r}")

    def path(self, env: dict[str, str]) -> str:
        """`env`'s PATH with the launcher's folder first."""
        return f"{self.bin}{os.pathsep}{env.get('PATH', os.defpath)}"

    def close(self) -> None:
        """Stop the server (commands still running go on to their end)."""
        self._process.kill()
        self._process.wait()
        Path(self.socket_path).unlink(missing_ok=True)
        if self._process.stdout is not None:
            self._process.stdout.close()


# --- the server process ------------------------------------------------------------------------------------


def _serve(path: str) -> list[str] | None:
    """Accept commands until the test process is gone; return the argv of a command in its fork (never in
    the server itself)."""
    _preload()
    gc.freeze()  # what the imports made is never collected in a fork: its pages stay shared, not copied
    tests = str(Path(__file__).resolve().parent)
    sys.path[:] = [entry for entry in sys.path if entry != tests]
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    listener.settimeout(1.0)
    parent = os.getppid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the per-command forks are reaped by the kernel
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:
                return None
            continue
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            return _command(conn)
        conn.close()


def _receive(conn: socket.socket) -> tuple[dict[str, object], list[int]]:
    conn.settimeout(None)
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "big"):
        more = conn.recv(1 << 16)
        if not more:
            raise EOFError("the launcher went away")
        data += more
    request: dict[str, object] = json.loads(data[4:])
    return request, fds


def _command(conn: socket.socket) -> list[str]:
    """In the fork that serves one launcher: fork the command, tell the launcher its pid and exit status."""
    try:
        request, fds = _receive(conn)
    except Exception:
        os._exit(1)
    pid = os.fork()
    if pid == 0:
        conn.close()
        return _become(request, fds)
    for fd in fds:
        os.close(fd)
    with contextlib.suppress(OSError):
        conn.sendall(f"{pid}\n".encode())
    _, status, usage = os.wait4(pid, 0)
    if os.environ.get(CPU_LOG):  # the server's own environment: set it for the whole test run
        with open(os.environ[CPU_LOG], "a", encoding="utf-8") as log:
            log.write(f"{usage.ru_utime + usage.ru_stime:.3f} s {request['argv'][1:]}\n")
    try:
        conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
    finally:
        os._exit(0)


def _become(request: dict[str, object], fds: list[int]) -> list[str]:
    """Take on the launcher's streams, environment, folder and signals; return its argv."""
    streams = request["streams"]
    assert isinstance(streams, list)
    for target, fd in zip(streams, fds, strict=True):
        os.dup2(fd, target)
    for fd in fds:
        if fd not in streams:
            os.close(fd)
    for target in {0, 1, 2} - set(streams):
        os.close(target)
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update(env)
    time.tzset()
    cwd = request["cwd"]
    assert isinstance(cwd, str)
    os.chdir(cwd)
    signal.signal(signal.SIGINT, signal.SIG_IGN if request["sigint_ignored"] else signal.default_int_handler)
    blocked = request["blocked"]
    assert isinstance(blocked, list)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    encoding, errors = sys.stdout.encoding, sys.stdout.errors  # from the locale, as at the server's start
    if env.get("PYTHONIOENCODING"):
        named, _, named_errors = str(env["PYTHONIOENCODING"]).partition(":")
        encoding, errors = named or encoding, named_errors or errors
    unbuffered = bool(env.get("PYTHONUNBUFFERED"))
    sys.stdin = sys.__stdin__ = _stdio(0, encoding, errors, write=False, unbuffered=False)
    sys.stdout = sys.__stdout__ = _stdio(1, encoding, errors, write=True, unbuffered=unbuffered)
    sys.stderr = sys.__stderr__ = _stdio(2, encoding, "backslashreplace", write=True, unbuffered=unbuffered)
    argv = request["argv"]
    assert isinstance(argv, list)
    return [str(arg) for arg in argv]


def _stdio(fd: int, encoding: str, errors: str, *, write: bool, unbuffered: bool) -> Any:
    """A standard stream over `fd` as Python's start-up makes it (None when the fd is closed)."""
    try:
        raw = io.FileIO(fd, "wb" if write else "rb", closefd=False)
    except OSError:
        return None
    buffer: Any = raw
    if not (write and unbuffered):  # PYTHONUNBUFFERED: stdout and stderr write through to the fd
        buffer = io.BufferedWriter(raw) if write else io.BufferedReader(raw)
    return io.TextIOWrapper(
        buffer,
        encoding=encoding,
        errors=errors,
        newline="\n",
        line_buffering=not unbuffered and (raw.isatty() or fd == 2),
        write_through=write and unbuffered,
    )


if __name__ == "__main__":
    command = _serve(sys.argv[1])
    if command is None:
        sys.exit(0)
    sys.argv = command
    from seedance.cli.main import main

    sys.exit(main())
