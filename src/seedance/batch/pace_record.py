"""The pace record: what every run on one account knows of its submit rate limit, shared between processes.

Two runs on one account (two batches, a batch and an agent) draw on one limit. Each keeps its pacing state
here, per account, and changes it only in an atomic read-modify-write (`PaceRecord.update`), so the runs
take turns from one schedule and learn from each other's 429s. The store is small and behind a protocol:
in memory (one process, and the tests), or an SQLite file in the user's seedance folder; a shared database
can take its place (a row per account, `SELECT ... FOR UPDATE`) when the journal moves to one.
Times are wall-clock seconds (`time.time()`): processes do not share a monotonic clock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

T = TypeVar("T")

PACE_FILE = "pace.db"
"""The shared record's file in the user's seedance folder (next to the journal)."""


@dataclass
class PaceState:
    """One account's pacing, as every run on it sees it."""

    next_free: float = 0.0
    """No submit before this (any run's)."""
    turns: list[float] = field(default_factory=list)
    """When the last submits were let go (any run's), to space the next ones."""
    departed: list[float] = field(default_factory=list)
    """When the last submits really left (after their journal write), which is what the gateway counts."""
    window: float = 1.0
    """The limit's window as the last 429's Retry-After suggests (at least 1 s)."""
    pace: float | None = None
    """Submits per second held just under the ceiling; None while still ramping up to find the limit."""
    ceiling: float | None = None
    """The rate at which 429s came: the account's limit as learnt."""
    ramp_started: float | None = None
    """When the ramp (doubling the rate until the first 429) began."""
    ramp_ended: float | None = None
    """When the submit went whose 429 ended the ramp (answers to earlier ones still count in the ceiling)."""
    quiet_since: float = 0.0
    """The last 429 that changed the pace, or the last probe: a probe comes `probe_gap` seconds after it."""
    probe_gap: float = 15.0
    """Seconds of quiet before probing above the ceiling; doubles each time a probe finds the same ceiling."""
    probe_step: float = 0.05
    """How far above the ceiling the next probe goes (0.05: 5 %)."""
    probing_since: float | None = None
    """When the probe in progress began (None when not probing)."""
    stepped_at: float = 0.0
    """When a stray 429 last lowered the ceiling."""
    steps: int = 0
    """How many stray 429s in a row (each soon after the last) lowered it: the next goes 2^steps as far."""
    calm_until: float = 0.0
    """429s before this say nothing new: they answer submits sent before the last change."""
    accepted: list[float] = field(default_factory=list)
    """When recent submits were accepted (the last few seconds), to measure the rate the gateway took."""
    limited: list[float] = field(default_factory=list)
    """When recent 429s came (the last few seconds)."""
    work: dict[str, list[float]] = field(default_factory=dict)
    """Each run's submits still to send, as it last said, and when: {run: [left, at]}. A probe pays only
    when the runs on the account have enough work left to use what it might find."""
    runs: dict[str, float] = field(default_factory=dict)
    """When each run last took a turn: {run: at}. Two or more taking turns hold a wider margin."""
    updated: float = 0.0
    """When a run last changed this state."""

    def to_json(self) -> str:
        """The state as one JSON object."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> PaceState:
        """A state from `to_json`'s text; a fresh state for anything unreadable (it is only a cache)."""
        try:
            data = json.loads(text)
            return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        except (ValueError, TypeError):
            return cls()


class PaceRecord(Protocol):
    """Where one account's pace state lives; `update` is atomic across every process that shares it."""

    def update(self, change: Callable[[PaceState], T]) -> T:
        """Apply `change` to the current state (it may mutate it) and store the result; return its value."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...


class MemoryPaceRecord:
    """A pace record for one process only (and for tests)."""

    def __init__(self, state: PaceState | None = None) -> None:
        self.state = state or PaceState()

    def update(self, change: Callable[[PaceState], T]) -> T:
        """Apply `change` to the state held here."""
        return change(self.state)

    def close(self) -> None:
        """Nothing to release."""


class SqlitePaceRecord:
    """A pace record in an SQLite file: a row per account, changed in short immediate transactions.

    If the file stops working mid-run (disk full, locked for long), the run goes on with the last state it
    read, alone: pacing is an optimisation, never a reason to stop a batch.
    """

    def __init__(self, path: Path, account: str) -> None:
        self.path, self.account = path, account
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db: sqlite3.Connection | None = sqlite3.connect(path, timeout=5.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a lost last update costs one 429, not money
        self._db.execute("CREATE TABLE IF NOT EXISTS pace (account TEXT PRIMARY KEY, state TEXT NOT NULL)")
        self._alone: MemoryPaceRecord | None = None
        self._last = PaceState()

    def update(self, change: Callable[[PaceState], T]) -> T:
        """Read the account's row, apply `change`, write it back, all in one transaction."""
        if self._alone is not None or self._db is None:
            return (self._alone or MemoryPaceRecord()).update(change)
        db, state, done, result = self._db, self._last, False, None
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT state FROM pace WHERE account = ?", (self.account,)).fetchone()
            state = PaceState.from_json(row[0]) if row else PaceState()
            result, done = change(state), True
            db.execute(
                "INSERT INTO pace (account, state) VALUES (?, ?) "
                "ON CONFLICT (account) DO UPDATE SET state = excluded.state",
                (self.account, state.to_json()),
            )
            db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            self._alone = MemoryPaceRecord(state)
            if not done:
                result = change(state)
        self._last = state
        return result  # type: ignore[return-value]  # set by change() on every path

    def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            self._db.close()
            self._db = None


def account_key(base_url: str, api_key: str) -> str:
    """Which account a pace belongs to, without the key: a digest of the gateway and the key."""
    return hashlib.sha256(f"{base_url.rstrip('/')}\n{api_key}".encode()).hexdigest()[:24]


def open_pace_record(folder: Path, base_url: str, api_key: str) -> PaceRecord:
    """The shared record for this account in `folder`; an in-memory one if the file cannot be used."""
    try:
        return SqlitePaceRecord(folder / PACE_FILE, account_key(base_url, api_key))
    except (OSError, sqlite3.Error):
        return MemoryPaceRecord()
