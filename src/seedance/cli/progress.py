"""Live progress of the jobs a command follows: one line per job on a terminal, plain lines elsewhere.

On a terminal (stderr) each job's line shows its status and the seconds since the command began following
it, ticking every second whether or not the status changed, and, while its video downloads, the bytes, the
percentage and the speed (rich's live display redraws it; lines printed meanwhile go above it). When stderr
is not a terminal, a line is printed for each change of status and one when a download starts: no control
characters. With `--json` nothing is shown (stdout has the one JSON object, stderr stays quiet).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seedance.cli.output import OUT, human_size, literal

if TYPE_CHECKING:
    from seedance.models import JobStatus

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
REFRESH_PER_SECOND = 8


@dataclass
class JobLine:
    """What is known of one followed job, as drawn on its line."""

    label: str
    started: float
    status: str = "waiting"
    written: int | None = None
    """Bytes downloaded so far (None until the download starts)."""
    total: int | None = None
    download_started: float = 0.0
    download_offset: int = 0

    def text(self, now: float) -> str:
        """The line at monotonic time `now`."""
        elapsed = max(now - self.started, 0.0)
        if self.written is None:
            return f"{self.label}: {self.status} ({elapsed:.0f} s)"
        seconds = now - self.download_started
        speed = (self.written - self.download_offset) / seconds if seconds > 0.2 else None
        shown = human_size(self.written)
        if self.total:
            shown += f" of {human_size(self.total)} ({min(self.written / self.total, 1.0):.0%})"
        if speed is not None:
            shown += f", {human_size(int(speed))}/s"
        return f"{self.label}: downloading {shown} ({elapsed:.0f} s)"


class Progress:
    """The lines of the jobs a command follows; live on a terminal. Stop it (or use `with`) when done."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, live: bool | None = None) -> None:
        self.clock = clock
        self.lines: list[JobLine] = []
        self.live = (not OUT.json and sys.stderr.isatty()) if live is None else live
        self._display: Any = None

    def add(self, label: str, status: str = "waiting") -> JobLine:
        """Add a job's line (shown at once on a terminal)."""
        line = JobLine(literal(label), self.clock(), status)
        self.lines.append(line)
        if self.live and self._display is None:
            from rich.console import Console
            from rich.live import Live

            self._display = Live(
                self, console=Console(stderr=True), refresh_per_second=REFRESH_PER_SECOND, transient=True
            )
            self._display.start()
        return line

    def restart(self, line: JobLine) -> None:
        """Count the line's seconds from now (a job whose turn has come)."""
        line.started = self.clock()

    def update(self, line: JobLine, status: JobStatus) -> None:
        """A new status read for the job."""
        changed = status.raw_status != line.status
        line.status = literal(status.raw_status)
        if status.state.value == "succeeded":
            OUT.context["downloading"] = True  # done and paid for: an interrupt from now leaves a download
        if changed and not self.live and not OUT.json:
            OUT.info(line.text(self.clock()))

    def progress(self, line: JobLine, written: int, total: int | None) -> None:
        """Bytes of the job's video arrived."""
        OUT.context["downloading"] = True  # an interrupt now leaves a finished job to download again
        if line.written is None:
            line.download_started, line.download_offset = self.clock(), written
            if not self.live and not OUT.json:
                size = f" ({human_size(total)})" if total else ""
                OUT.info(f"{line.label}: downloading{size}")
        line.written, line.total = written, total

    def remove(self, line: JobLine) -> None:
        """Take a finished job's line off the display (the command prints its outcome itself)."""
        if line in self.lines:
            self.lines.remove(line)
        OUT.context.pop("downloading", None)

    def stop(self) -> None:
        """Remove the live display (idempotent)."""
        if self._display is not None:
            self._display.stop()
            self._display = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __rich__(self) -> Any:
        """What the live display draws now: a spinner, then one line per job."""
        from rich.text import Text

        now = self.clock()
        frame = SPINNER[int(now * 10) % len(SPINNER)]
        return Text("\n".join(f"{frame} {line.text(now)}" for line in self.lines))
