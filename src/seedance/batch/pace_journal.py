"""The pace record in the journal's `pace` table: every machine sharing a journal (and so an account) paces
its submits from one schedule and learns from the others' 429s.

`update` reads the account's row and writes it back in one transaction: on PostgreSQL the row is read
`FOR UPDATE` (it is made first if missing, so there is always a row to lock), so two machines' updates take
turns; on SQLite the write transaction is already exclusive. The row is an ordinary (not serial) write: a
pace update never waits for a submit's checks. If the journal stops answering mid-run, the run goes on with
the last state it read, alone: pacing is an optimisation, never a reason to stop a batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from seedance.batch.pace_record import MemoryPaceRecord, PaceState, account_key
from seedance.errors import SeedanceError
from seedance.journal import Journal

T = TypeVar("T")


class JournalPaceRecord:
    """A `PaceRecord` stored in the journal, one row per account (a digest of gateway and key)."""

    def __init__(self, journal: Journal, account: str) -> None:
        self.journal, self.account = journal, account
        self._alone: MemoryPaceRecord | None = None
        self._last = PaceState()
        self._made = False

    @classmethod
    def for_account(cls, journal: Journal, base_url: str, api_key: str) -> JournalPaceRecord:
        """The record of the account that this gateway and key name (the key itself is never stored)."""
        return cls(journal, account_key(base_url, api_key))

    def update(self, change: Callable[[PaceState], T]) -> T:
        """Apply `change` to the account's stored state (it may mutate it), store it, return its value."""
        if self._alone is not None:
            return self._alone.update(change)
        lock = " FOR UPDATE" if self.journal.store.engine == "postgresql" else ""
        state, done, result = self._last, False, None
        try:
            with self.journal.store.write() as db:
                if not self._made:  # once per process: from then on the row is there to lock
                    db.execute(
                        "INSERT INTO pace (account, state_json) VALUES (?, ?) ON CONFLICT (account) DO NOTHING",
                        (self.account, PaceState().to_json()),
                    )
                    self._made = True
                row = db.execute(
                    "SELECT state_json FROM pace WHERE account = ?" + lock, (self.account,)
                ).fetchone()
                state = PaceState.from_json(row["state_json"]) if row else PaceState()
                result, done = change(state), True
                db.execute(
                    "UPDATE pace SET state_json = ? WHERE account = ?", (state.to_json(), self.account)
                )
        except SeedanceError:  # the journal failed (a JournalError): go on alone from the last state
            self._alone = MemoryPaceRecord(state)
            if not done:
                result = change(state)
        self._last = state
        return result  # type: ignore[return-value]  # set by change() on every path

    def close(self) -> None:
        """Nothing to release: the journal's connection is the process's."""
