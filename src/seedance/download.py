"""Download a result safely: a `.part` file beside the target, HTTP Range resume, checks, atomic rename.

`DownloadTarget` owns the file (no network); `download_flow` decides retries, resumes and one URL refresh
through the status endpoint when a result URL has expired; the drivers in `transport.py` move the bytes.
The API key is never sent with media requests: results live on a public CDN, not on the gateway.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from seedance import errors, protocol
from seedance.protocol import Flow, Settings, Sleep

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one download per job is then up to the user
    fcntl = None  # type: ignore[assignment]

CHUNK = 1024 * 1024
WRITEBACK_BYTES = 8 * 1024 * 1024
"""Hand written bytes to the disk every this many bytes, so the final fsync has little left to do."""
MP4_BRANDS = (b"ftyp",)
FIXES = {
    errno.ENOSPC: "free some disk space",
    errno.EDQUOT: "free some disk space",
    errno.EFBIG: "free some disk space (or raise the file size limit)",
    errno.EACCES: "make the folder writable",
    errno.EPERM: "make the folder writable",
    errno.EROFS: "save on a writable file system",
    errno.ENAMETOOLONG: "use a shorter file name",
    errno.EISDIR: "move the folder in the way",
}
"""What to do about a file-system error, by errno; anything else: `fix that`."""


@dataclass
class DownloadTarget:
    """The file being written: knows how much is on disk, hashes as it goes, and finishes atomically."""

    path: Path
    request_id: str | None = None
    total: int | None = None
    _fh: BinaryIO | None = field(default=None, repr=False)
    _hash: Any = field(default=None, repr=False)
    _written: int = 0
    _handed_to_disk: int = 0
    _lock_fd: int | None = field(default=None, repr=False)
    on_progress: Callable[[int, int | None], None] | None = field(default=None, repr=False)
    """Called after each chunk with the bytes on disk so far and the whole size (None when not told)."""

    @property
    def part_path(self) -> Path:
        """The temporary file beside the target, kept after a failure so the next attempt can resume.

        Its name carries a tag of the job's request id: a part left by another job at the same path (an
        interrupted `-o cat.mp4`, then a new job to `-o cat.mp4`) is never resumed into this one.
        """
        return self.path.with_name(part_name(self.path.name, self.request_id))

    def offset(self) -> int:
        """Bytes already on disk from an earlier attempt."""
        with self._disk("open"):
            return self.part_path.stat().st_size if self.part_path.exists() else 0

    def request_headers(self) -> dict[str, str]:
        """Headers for the next media request: a Range when a partial file exists.

        The part file is taken first: what is on disk, and a 416's discard of it, are this download's alone.
        """
        with self._disk("open"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._hold()
        offset = self.offset()
        return {"Range": f"bytes={offset}-"} if offset else {}

    def begin(self, status_code: int, headers: Mapping[str, str]) -> None:
        """Open the part file for an answer: append after a matching 206, start over after a 200."""
        with self._disk("open"):
            self._begin(status_code, headers)

    def _begin(self, status_code: int, headers: Mapping[str, str]) -> None:
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._hold()
        offset = self.offset()
        start = 0
        if status_code == 206:
            match = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", headers.get("content-range", ""))
            if match and int(match.group(1)) == offset:
                start = offset
                if match.group(3) != "*":
                    self.total = int(match.group(3))
        if start == 0:
            length = headers.get("content-length")
            self.total = int(length) if length and length.isdigit() and status_code == 200 else self.total
        self._hash = hashlib.sha256()
        if start:
            with self.part_path.open("rb") as existing:
                for block in iter(lambda: existing.read(CHUNK), b""):
                    self._hash.update(block)
        self._fh = self.part_path.open("ab" if start else "wb")
        self._written = self._handed_to_disk = start

    def write(self, chunk: bytes) -> None:
        """Append bytes to the part file and the running hash."""
        assert self._fh is not None and self._hash is not None
        with self._disk("write"):
            self._fh.write(chunk)
        self._hash.update(chunk)
        self._written += len(chunk)
        if self.on_progress is not None:
            self.on_progress(self._written, self.total)
        if self._written - self._handed_to_disk >= WRITEBACK_BYTES:
            self._start_writeback()

    def _start_writeback(self) -> None:
        # The fsync before the rename (a renamed file must be whole after a crash) waits for the disk to
        # write everything still dirty: about a third of a second for 200 MB here. Starting the writeback of
        # each step while bytes still arrive overlaps it with the transfer. On Linux, POSIX_FADV_DONTNEED
        # starts the writeback of the range (it drops only pages already clean, i.e. none of these). It is
        # a hint: where it is missing or refused, the fsync simply does all the work.
        assert self._fh is not None
        if hasattr(os, "posix_fadvise"):
            with self._disk("write"):
                self._fh.flush()  # a short last read can still be in the buffer: the disk may be full now
            offset = self._handed_to_disk
            with contextlib.suppress(OSError):
                os.posix_fadvise(self._fh.fileno(), offset, self._written - offset, os.POSIX_FADV_DONTNEED)
        self._handed_to_disk = self._written

    def close(self, *, quiet: bool = False) -> None:
        """Flush, sync and close the part file, keeping it for a resume.

        `quiet` is for a transfer that already failed: a second error from the file must not hide the first.
        """
        if self._fh is not None:
            fh, self._fh = self._fh, None
            try:
                with self._disk("write"):
                    try:
                        fh.flush()
                        os.fsync(fh.fileno())
                    finally:
                        with contextlib.suppress(OSError):
                            fh.close()
            except errors.DownloadError:
                if not quiet:
                    raise

    @property
    def complete(self) -> bool:
        """Whether every expected byte is on disk (unknown length: whatever arrived)."""
        return self.total is None or self._written >= self.total

    def finish(self) -> tuple[Path, int, str]:
        """Check the part file (length, MP4 signature), rename it into place; return (path, size, sha256)."""
        self.close()
        with self._disk("save"):
            size = self.offset()
            if self.total is not None and size != self.total:
                raise self._error(f"the download stopped at {size} of {self.total} bytes")
            with self.part_path.open("rb") as fh:
                head = fh.read(12)
            if head[4:8] not in MP4_BRANDS:
                with contextlib.suppress(
                    errors.DownloadError
                ):  # the useless file stays: still the error to tell
                    self.discard()
                raise self._error("the downloaded file is not an MP4 video (no ftyp box at its start)")
            digest = self._hash.hexdigest() if self._hash is not None else sha256_of(self.part_path)
            os.replace(self.part_path, self.path)
        self.release()
        return self.path, size, digest

    def discard(self) -> None:
        """Remove the part file (its content is useless)."""
        self.close()
        with self._disk("remove"):
            self.part_path.unlink(missing_ok=True)
        self.release()

    def _hold(self) -> None:
        """Take this job's part file for this download alone (an advisory lock, dropped by `release` or when
        the process ends): two commands, or two agent calls, downloading one job never write into one file."""
        if self._lock_fd is not None or fcntl is None:
            return
        fd = os.open(self.part_path, os.O_RDWR | os.O_CREAT, 0o644)
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # e.g. a device: nothing to guard, and shared by all
            os.close(fd)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if not isinstance(exc, BlockingIOError):  # no locks on this file system (some NFS): go unguarded
                return
            again = f"`seedance download {self.request_id}`" if self.request_id else "the download"
            raise self._error(
                f"another download of this job is writing {self.part_path} right now",
                hint=f"let it finish; if nothing else is downloading it, run {again} again",
            ) from None
        self._lock_fd = fd

    def release(self) -> None:
        """Let another download of this job take the part file (after the rename, or a failure). A part
        file still empty (taken, then nothing came) is removed: there is nothing to resume."""
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            with contextlib.suppress(OSError):
                held = os.fstat(fd)
                if held.st_size == 0 and os.stat(self.part_path).st_ino == held.st_ino:
                    self.part_path.unlink()
            os.close(fd)

    def _error(self, message: str, hint: str | None = None) -> errors.DownloadError:
        return errors.DownloadError(message, request_id=self.request_id, hint=hint)

    @contextlib.contextmanager
    def _disk(self, doing: str) -> Iterator[None]:
        """Turn a file-system failure (disk full, folder removed, no permission) into a DownloadError."""
        try:
            yield
        except OSError as exc:
            where = self.path if doing == "save" else self.part_path
            again = f"`seedance download {self.request_id}`" if self.request_id else "the download"
            fix = FIXES.get(exc.errno or 0, "fix that")
            raise self._error(
                f"could not {doing} {where}: {exc.strerror or exc}",
                hint=f"{fix} or choose another -o path, then run {again} again (the job itself succeeded)",
            ) from None


def part_name(name: str, request_id: str | None) -> str:
    """`cat.mp4.1a2b3c4d.part`: the partial download of `name` for one job (always PART_SUFFIX_BYTES longer)."""
    tag = hashlib.sha256((request_id or "").encode()).hexdigest()[:8]
    return f"{name}.{tag}.part"


PART_SUFFIX_BYTES = len(part_name("", None))
"""How many bytes a part file's name adds to the video's: a name must leave room for them."""


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FetchMedia:
    """Ask the driver to GET `url` (no key) into `target`, resuming from what is on disk."""

    url: str
    target: DownloadTarget


@dataclass(frozen=True)
class MediaOutcome:
    """What the driver saw: the HTTP status, and the error if the body stopped early."""

    status_code: int
    error: str | None = None


def download_flow(
    settings: Settings,
    request_id: str,
    url: str,
    target: DownloadTarget,
    polling_url: str | None = None,
    attempts: int = 4,
) -> Flow:
    """Fetch `url` into `target`; return (path, size, sha256, url used). Resume, refresh an expired URL once."""
    refreshed = False
    last = ""
    for attempt in range(attempts):
        outcome: MediaOutcome = yield FetchMedia(url, target)
        if outcome.status_code in (200, 206) and outcome.error is None and target.complete:
            path, size, digest = target.finish()
            return path, size, digest, url
        if outcome.status_code in (403, 404, 410) and not refreshed:
            # Result URLs expire (BytePlus deletes them after 24 h); the status endpoint may hand out a fresh one.
            refreshed = True
            status = yield from protocol.status_flow(settings, request_id, polling_url)
            if not status.video_url:
                break
            url = status.video_url
            last = f"the result URL answered {outcome.status_code}"
            continue
        if outcome.status_code == 416:
            target.discard()  # our partial file does not match the remote one: start over
            last = "the server refused to resume (416)"
            continue
        if outcome.status_code not in (200, 206):
            last = f"the result URL answered {outcome.status_code}"
            break
        last = outcome.error or "the connection closed before the whole file arrived"
        if attempt + 1 < attempts:  # no pause after the last attempt: nothing follows it but the error
            yield Sleep(min(0.5 * 2**attempt, 5.0))
    hint = None
    if "answered 40" in last and refreshed:
        hint = "the result URL has expired and the gateway gave no fresh one; the video may be gone"
    raise errors.DownloadError(f"could not download the video: {last}", request_id=request_id, hint=hint)
