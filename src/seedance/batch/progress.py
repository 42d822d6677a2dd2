"""How a running batch shows itself: a rich progress display on a terminal, one line per finished job otherwise.

With `--json`, each finished job is one JSON line on stdout (the summary is the last line); human text
always goes to stderr.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from seedance.batch.manifest import LineOutcome

Counts = Callable[[], dict[str, int]]


class BatchProgress:
    """Reports finished lines and keeps the live display (if any) up to date."""

    def __init__(
        self,
        total: int,
        *,
        live: bool,
        as_json: bool,
        emit: Callable[[dict[str, Any]], None],
        info: Callable[[str], None],
    ) -> None:
        self.total = total
        self.as_json = as_json
        self._emit, self._info = emit, info
        self.started = time.monotonic()
        self.finished_here = 0
        """Lines finished by this run (resumed ones that were already done are not counted in the rate)."""
        self._progress: Any = None
        self._task: Any = None
        self._said: set[str] = set()
        """Errors already shown: a batch-wide one (a bad key, no credits) ends many lines, and is said once."""
        if live and not as_json:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("batch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("ended"),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._task = self._progress.add_task("batch", total=total, detail="")
            self._progress.start()

    def finished(self, outcome: LineOutcome) -> None:
        """A line reached its end."""
        if not outcome.resumed or outcome.status != "downloaded":
            self.finished_here += 1
        if self.as_json:
            self._emit({"type": "job", **outcome.to_json()})
            return
        error = outcome.error
        if outcome.status in ("rejected", "not_submitted") and error:
            if error in self._said:
                if self._progress is not None:
                    return
                error = "(the same error as above)"
            self._said.add(outcome.error or "")
        if self._progress is None:
            where = outcome.file or error or ""
            self._info(f"line {outcome.line}: {outcome.status} {where}".rstrip())
        elif not outcome.ok:
            self._progress.console.print(f"line {outcome.line}: {outcome.status}: {outcome.error or ''}")

    def refresh(self, counts: dict[str, int]) -> None:
        """Redraw the live display from the runner's counts."""
        if self._progress is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.finished_here / elapsed * 60.0
        left = counts["queued"] + counts["running"]
        eta = f"{left / (rate / 60.0):.0f} s" if rate > 0 else "?"
        skipped = counts.get("skipped", 0)
        detail = (
            f"done {counts['done']}  running {counts['running']}  queued {counts['queued']}  "
            f"failed {counts['failed']}"
            + (f"  skipped {skipped}" if skipped else "")
            + f"  {rate:.1f}/min  ETA {eta}"
        )
        ended = counts["done"] + counts["failed"] + skipped
        self._progress.update(self._task, completed=ended, detail=detail)

    async def tick(self, counts: Counts, every: float = 0.5) -> None:
        """Refresh the display until cancelled (running and queued change between finished jobs)."""
        while True:
            self.refresh(counts())
            await asyncio.sleep(every)

    def stop(self) -> None:
        """Leave the display in place and stop redrawing it."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
