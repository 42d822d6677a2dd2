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
        self.problem = ""
        """Why the lock could not be taken on this file system (the run then goes on unguarded)."""

    @property
    def held(self) -> bool:
        """Whether this process holds the lock."""
        return self._file is not None

    def acquire(self) -> bool:
        """Take the lock; False where the platform or file system has no locks (see `problem`).

        Raise InputError naming the process that holds it, or when the lock file cannot be opened.
        """
        try:
            import fcntl
        except ImportError:
            self.problem = "this platform has no file locks"
            return False
        try:
            handle = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot open the batch's lock file {self.path}: {exc.strerror or exc}",
                hint=f"remove what is at {self.path}, or choose another --out folder",
            ) from None
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
        except OSError as exc:  # e.g. a network file system without locks
            handle.close()
            self.problem = f"cannot lock {self.path} ({exc.strerror or exc})"
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        """Let the next run in (closing the file drops the lock)."""
        if self._file is not None:
            self._file.close()
            self._file = None
