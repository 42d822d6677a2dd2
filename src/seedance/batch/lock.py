"""One run per batch at a time: an advisory lock on a file in the output folder, released by the OS on exit.

Two runs of the same batch at once would each see the other's lines as not yet sent and send them again; a
lock held by the kernel (not a pid written in a file) also ends with its process however it ends, so a run
that died mid-submit never blocks the next one (and never passes for alive after a container restart).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from seedance.errors import InputError

LOCK_NAME = ".seedance-batch.lock"


class BatchLock:
    """Held for the life of the process (or until `release`)."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise InputError naming the process that has it."""
        try:
            import fcntl
        except ImportError:  # no POSIX locks on this platform: run unguarded
            return
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise InputError(
                f"another `seedance batch` run ({holder}) is writing into {self.path.parent}",
                hint="wait for it to finish (or stop it), then run the batch again: nothing is sent twice",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Let the next run in (closing the file drops the lock)."""
        if self._file is not None:
            self._file.close()
            self._file = None
