"""Read a file a user (or another program) gave us with a bound on its size, in time and in memory.

Every file seedance reads that it did not write itself in the same process goes through here: a batch
file (or standard input), the key file, the price file, a batch folder's marker and manifest. A device
(`/dev/zero`, `/dev/urandom`) or a folder is refused at once; a pipe or standard input is streamed and
refused as soon as it passes the limit, so an endless source costs at most `limit` bytes of memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from seedance.errors import InputError, shown

KIB = 1024
MIB = 1024 * KIB
_CHUNK = MIB


class TooLarge(InputError):
    """The source holds more than the limit allows (or one line longer than the line limit)."""


def read_file(
    path: Path, limit: int, what: str, *, line_limit: int | None = None, follow_symlinks: bool = True
) -> bytes:
    """The bytes of `path` (a regular file or a pipe), at most `limit`; InputError naming `what` otherwise.

    `follow_symlinks=False` refuses a symlink in the open itself (no window between a check and the read).
    """
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise InputError(f"{what} {shown(path)} is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {shown(path)}: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise InputError(f"{what} {shown(path)} is a folder, not a file")
        raise InputError(
            f"{what} {shown(path)} is a device, not a file", hint="give a file, or pipe the lines in with -"
        )
    with os.fdopen(fd, "rb") as stream:
        return read_stream(stream, limit, f"{what} {shown(path)}", line_limit=line_limit)


def read_stream(stream: BinaryIO, limit: int, what: str, *, line_limit: int | None = None) -> bytes:
    """Read `stream` to its end, refusing it (InputError) once it passes `limit` bytes, or once one line
    passes `line_limit` bytes: the whole source never has to be in memory to be refused."""
    chunks: list[bytes] = []
    total = 0
    line = 0  # bytes since the last line break
    while chunk := stream.read(min(_CHUNK, limit + 1 - total)):
        total += len(chunk)
        if total > limit:
            raise TooLarge(
                f"{what} is larger than {_size(limit)}",
                hint="split it into smaller files",
            )
        if line_limit is not None:
            parts = chunk.split(b"\n")  # parts[0] goes on with the line the last chunk ended in
            longest = line + len(parts[0])
            line = longest if len(parts) == 1 else len(parts[-1])
            longest = max(longest, line, *(len(part) for part in parts[1:-1]))
            if longest > line_limit:
                raise TooLarge(
                    f"{what} has a line longer than {_size(line_limit)}",
                    hint="one job per line: a line holds one JSON object (media as paths or URLs)",
                )
        chunks.append(chunk)
    return b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // KIB} KiB"
