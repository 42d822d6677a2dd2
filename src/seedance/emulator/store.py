"""The jobs of the shared local emulator (`--emulator`), kept on disk so that every command sees the same ones.

Each `--emulator` command runs its own emulator for as long as it runs; what makes them one gateway is this
file: a job created by `generate --no-wait` is found again by `wait`, `status`, `download` and `resume` in
later commands (and after any restart), and its end follows from its creation time alone, so a job of 4 s is
finished 4 s after its submit whichever process is asked. One JSON line per job, appended with one `write`
call (O_APPEND), so that commands running at the same time never interleave half lines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from seedance.catalog import OPERATIONS_BY_NAME
from seedance.emulator.clock import EmulatorClock
from seedance.emulator.spec import JobRequest
from seedance.emulator.tasks import Job, Phase
from seedance.emulator.video import VideoSpec

JOBS_FILE = "jobs.jsonl"
VIDEOS_FOLDER = "videos"


class JobStore:
    """An append-only file of the jobs a shared emulator created, readable by any later emulator."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / JOBS_FILE
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def videos(self) -> Path:
        """Where the shared emulator caches its synthesised videos (each distinct video is encoded once)."""
        return self.folder / VIDEOS_FOLDER

    def save(self, job: Job) -> None:
        """Append one job (its request, timing, outcome and video spec; not its media or body)."""
        line = json.dumps(_dump(job), separators=(",", ":")) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    def find(self, request_id: str, base_url: str, clock: EmulatorClock) -> Job | None:
        """The job with this id, rebuilt to be served from `base_url` on `clock` (None if no emulator made it)."""
        found = None
        for data in self._lines():
            if data.get("request_id") == request_id:
                found = data
        return _load(found, base_url, clock) if found is not None else None

    def _lines(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        rows = []
        for line in text.splitlines():
            with contextlib.suppress(ValueError):  # a line cut short by a crash is skipped, not fatal
                data = json.loads(line)
                if isinstance(data, dict):
                    rows.append(data)
        return rows


def _dump(job: Job) -> dict[str, Any]:
    return {
        "request_id": job.request_id,
        "operation": job.operation.name,
        "request": dataclasses.asdict(job.request),
        "seconds": job.seconds,
        "queued_seconds": job.queued_seconds,
        "outcome": job.outcome,
        "fail_status": job.fail_status.value,
        "fail_message": job.fail_message,
        "video_spec": dataclasses.asdict(job.video_spec) if job.video_spec is not None else None,
        "created_wall": job.created_wall,
    }


def _load(data: dict[str, Any], base_url: str, clock: EmulatorClock) -> Job | None:
    """A Job from its line, with its monotonic times set so that it is as old as its wall-clock age."""
    op = OPERATIONS_BY_NAME.get(str(data.get("operation")))
    if op is None:  # a job of a version with other operations: this emulator cannot serve it
        return None
    try:
        created_wall = float(data["created_wall"])
        age = max(clock.time() - created_wall, 0.0)
        spec = data.get("video_spec")
        return Job(
            request_id=str(data["request_id"]),
            operation=op,
            request=JobRequest(**data["request"]),
            body={},
            base_url=base_url,
            seconds=float(data["seconds"]),
            queued_seconds=float(data["queued_seconds"]),
            outcome=data["outcome"],
            fail_status=Phase(data["fail_status"]),
            fail_message=str(data["fail_message"]),
            video_spec=VideoSpec(**spec) if spec else None,
            clock=clock.monotonic,
            created_wall=created_wall,
            created_mono=clock.monotonic() - age,
        )
    except (KeyError, TypeError, ValueError):
        return None
