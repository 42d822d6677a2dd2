"""Progress notifications while a tool waits for a video: the agent's client sees the job's state as it goes.

The server sets a reporter for each tool call (the MCP SDK's `Context.report_progress`, a no-op when the
client asked for no progress); a wait feeds `WaitProgress` its status updates and it reports each change, and
every few seconds when nothing changes, so a client that resets its timeout on progress does not give up.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar

import anyio

from seedance.models import JobStatus

Reporter = Callable[[float, float | None, str | None], Awaitable[None]]
reporter: ContextVar[Reporter | None] = ContextVar("seedance_progress_reporter", default=None)
"""Where the current tool call's progress goes (None: nowhere)."""

REPORT_EVERY = 5.0
"""Seconds between two reports when the state has not changed."""
LOOK_EVERY = 0.25
"""Seconds between two looks at the state (a change is reported within this)."""


class WaitProgress:
    """The state of one job as a tool call waits for it, reported while `reporting()` is open."""

    def __init__(self, job: str, total_seconds: float) -> None:
        self.job = job
        self.total_seconds = total_seconds
        self.state = "submitted"
        self._started = 0.0
        self._told: str | None = None
        self._told_at = float("-inf")

    def update(self, status: JobStatus) -> None:
        """The client's `on_update`: remember the state the gateway reported."""
        self.state = status.state.value

    @contextlib.asynccontextmanager
    async def reporting(self) -> AsyncIterator[None]:
        """Report in the background while the block runs, and its last state when it ends (nothing at all
        without a reporter)."""
        report = reporter.get()
        if report is None:
            yield
            return
        self._started = anyio.current_time()
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self._report_until_cancelled, report)
                try:
                    yield
                finally:
                    tasks.cancel_scope.cancel()
        except BaseExceptionGroup as group:  # the block's own error, wrapped by the task group: unwrap it
            if len(group.exceptions) == 1:
                raise group.exceptions[0] from None
            raise
        if self.state != self._told:
            await self._report(report)

    async def _report_until_cancelled(self, report: Reporter) -> None:
        while True:
            elapsed = anyio.current_time() - self._started
            due = self.state != self._told or elapsed - self._told_at >= REPORT_EVERY
            if due and not await self._report(report):
                return
            await anyio.sleep(LOOK_EVERY)

    async def _report(self, report: Reporter) -> bool:
        """Send the state now; False when the client cannot take it (the wait goes on without reports)."""
        value = round(anyio.current_time() - self._started, 2)
        if value <= self._told_at:  # progress must grow with every notification, as rounded too
            value = round(self._told_at + 0.01, 2)
        try:
            await report(value, self.total_seconds, f"job {self.job}: {self.state}")
        except Exception:  # the client went away or refuses them
            return False
        self._told, self._told_at = self.state, value
        return True
