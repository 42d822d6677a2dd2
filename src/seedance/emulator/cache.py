"""Make each distinct video once, in worker threads, and hand every job that asks for it the same file."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from seedance.emulator.video import VideoSpec, synthesize

FORMAT_VERSION = "1"
"""Bump when `video.py` draws differently, so files cached on disk by an older version are not reused."""


@dataclass(frozen=True)
class VideoFile:
    """A finished video on disk."""

    path: Path
    size: int
    sha256: str
    seconds: float
    """How long the synthesis took (0 when the file came from the disk cache)."""


class VideoCache:
    """Synthesised videos keyed by `VideoSpec`: 200 identical jobs share one encode and one file."""

    def __init__(self, directory: Path | None = None, workers: int = 2) -> None:
        self._owned = directory is None
        self.directory = (
            Path(tempfile.mkdtemp(prefix="seedance-emulator-")) if directory is None else directory
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="seedance-video")
        self._futures: dict[VideoSpec, Future[VideoFile]] = {}
        self._lock = threading.Lock()

    def get(self, spec: VideoSpec) -> Future[VideoFile]:
        """Return the (possibly still running) synthesis of `spec`; a failed one is retried on the next call."""
        with self._lock:
            future = self._futures.get(spec)
            if future is None or (future.done() and future.exception() is not None):
                if self._path(spec).exists():  # made before (a shared folder): ready at once, no worker
                    future = Future()
                    future.set_result(self._make(spec))
                else:
                    future = self._executor.submit(self._make, spec)
                self._futures[spec] = future
            return future

    def _path(self, spec: VideoSpec) -> Path:
        key = hashlib.sha256(f"{FORMAT_VERSION}|{spec!r}".encode()).hexdigest()[:24]
        return self.directory / f"{key}.mp4"

    def _make(self, spec: VideoSpec) -> VideoFile:
        path = self._path(spec)
        key = path.stem
        started = time.perf_counter()
        made = not path.exists()
        if made:
            # Write under a private name and rename: another process sharing `cache_dir` never sees half a file.
            partial = self.directory / f"{key}.{os.getpid()}.{threading.get_ident()}.part"
            try:
                synthesize(spec, partial)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
        digest = hashlib.sha256()
        with path.open("rb") as source:
            while block := source.read(1 << 20):
                digest.update(block)
        seconds = time.perf_counter() - started if made else 0.0
        return VideoFile(path, path.stat().st_size, digest.hexdigest(), seconds)

    def close(self) -> None:
        """Stop the workers (abandoning queued syntheses) and delete the folder if this cache created it."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._owned:
            shutil.rmtree(self.directory, ignore_errors=True)
