"""Run `seedance ARGS` inside the test process, as a subprocess would see it, without starting Python again.

Most CLI tests are about what a command prints, exits with and leaves on disk, not about being a process:
they run here (about 0.3 s less each than a subprocess). What a process would give a command is set up for
the one call and put back after it: exactly the environment it is handed (nothing else of the test's), the
time zone, the working folder, a closed (or given) standard input, captured stdout/stderr, Python's default
warning filters (not pytest's `error`), signal handlers and the CLI's module state (`cli.app.run` resets
`OUT`). A bug that would print a traceback and exit 1 in a process does so here too.

Keep real subprocesses (`cli_process.run_seedance`) for what only a process has: exit codes seen by a shell,
signals (Ctrl-C, SIGKILL), a terminal (pty), the MCP stdio server, argv/environment bytes that are not UTF-8.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

from seedance.cli.main import main

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Stream(io.TextIOWrapper):
    """A text stream over bytes, like a pipe's: UTF-8, line breaks as written, no terminal."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__(
            io.BytesIO(data), encoding="utf-8", errors="strict", newline="\n", write_through=True
        )

    def text(self) -> str:
        self.flush()
        raw = self.buffer
        assert isinstance(raw, io.BytesIO)
        return raw.getvalue().decode("utf-8", "replace")


@contextlib.contextmanager
def _process_like(
    env: dict[str, str], cwd: Path | None, stdin: str | None
) -> Iterator[tuple[_Stream, _Stream]]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_handlers = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    out, err = _Stream(), _Stream()
    try:
        os.environ.clear()
        os.environ.update(env)
        time.tzset()  # TZ as the process would read it at start
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin, sys.stdout, sys.stderr = _Stream((stdin or "").encode()), out, err
        with warnings.catch_warnings():
            warnings.resetwarnings()  # Python's own defaults, as a fresh process has them
            warnings.filterwarnings("default", category=DeprecationWarning, module="__main__", append=True)
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.filterwarnings("ignore", category=category, append=True)
            yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        for sig, handler in saved_handlers.items():
            if handler is not None:
                signal.signal(sig, handler)
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        time.tzset()


def run_seedance_here(
    args: list[str], env: dict[str, str], *, cwd: Path | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `seedance ARGS` in this process with `env` as its whole environment; never raises on exit codes."""
    with _process_like(env, cwd, input) as (out, err):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        except Exception:  # what a process would print before exiting 1
            traceback.print_exc(file=sys.stderr)
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        return subprocess.CompletedProcess(["seedance", *args], code, out.text(), err.text())
