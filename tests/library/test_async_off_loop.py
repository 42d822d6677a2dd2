"""The async client never blocks its event loop on the journal: while another process holds SQLite's write
lock, a submit waits for it in a worker thread and the loop keeps serving other tasks (an MCP server's
other calls, its progress notifications)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import anyio

from seedance.client import AsyncClient
from seedance.journal import Journal

REQUEST = {"prompt": "A cat", "duration": 4, "resolution": "480p"}
TICKS_WHILE_LOCKED = 5


def test_a_locked_journal_does_not_stall_the_event_loop(emulator: Any, tmp_path: Path) -> None:
    """Another connection holds the journal's write lock until the loop has ticked a few times. With the
    journal off the loop, the ticker ticks, the lock is released and the submit goes through; a client that
    waited for the lock on the loop would starve the ticker until the holder gave up."""
    path = tmp_path / "jobs.db"
    journal = Journal(path)
    ticks = 0
    locked, released = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def hold_the_lock() -> None:
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
        db.execute("BEGIN IMMEDIATE")
        locked.set()
        deadline = threading.Event()
        outcome["ticked"] = False
        for _ in range(1000):  # up to 10 s for the loop to tick while the lock is held
            if ticks >= TICKS_WHILE_LOCKED:
                outcome["ticked"] = True
                break
            deadline.wait(0.01)
        db.execute("ROLLBACK")
        db.close()
        released.set()

    async def main() -> str:
        nonlocal ticks

        async def ticker() -> None:
            nonlocal ticks
            while not released.is_set():
                ticks += 1
                await anyio.sleep(0.01)

        holder = threading.Thread(target=hold_the_lock)
        holder.start()
        await anyio.to_thread.run_sync(locked.wait)
        async with anyio.create_task_group() as group:
            group.start_soon(ticker)
            async with AsyncClient(
                api_key=emulator.api_key, base_url=emulator.base_url, poll_interval=0.05, journal=journal
            ) as client:
                job = await client.submit(REQUEST)
        holder.join()
        return job.request_id

    request_id = anyio.run(main)
    assert outcome["ticked"], "the event loop stood still while the journal was locked"
    assert journal.get(request_id) is not None
    assert sum(1 for r in emulator.requests if r.route == "submit") == 1
