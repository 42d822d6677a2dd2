"""Where the journal's rows live: one small interface, two engines (SQLite on one machine, PostgreSQL when a
team shares one account). `Journal` writes its SQL once, with `?` placeholders; a store runs it.

A store gives connections for reading and transactions for writing. A *serial* write is one that decides
something for everyone (a submit's row after its checks, a batch line's claim, a budget's reservation): no
two serial writes run at once anywhere, so a check made inside one still holds when its row is written.
SQLite gets that from `BEGIN IMMEDIATE` (every write is serial); PostgreSQL from a transaction-scoped
advisory lock, so plain status updates from many machines never queue behind it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from seedance.errors import JournalError


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, args: Sequence[Any] = (), /) -> Cursor: ...


class Store(Protocol):
    """What the journal needs of a database."""

    engine: str
    """`sqlite` or `postgresql`."""
    where: str
    """The journal's place in words (a file, or a server URL without its password): for messages."""
    shared: bool
    """Other machines may write to it: a row's process can only be judged alive by its lease."""

    def read(self) -> AbstractContextManager[Connection]: ...

    def write(self, *, serial: bool = False) -> AbstractContextManager[Connection]: ...

    def nocase(self, column: str) -> str:
        """`column = ?` compared without case (macOS and Windows disks ignore it)."""
        ...


def is_server_url(location: str | Path) -> bool:
    """Whether a journal location names a PostgreSQL server rather than a file."""
    return str(location).startswith(("postgresql://", "postgres://"))


def shown_location(location: str | Path) -> str:
    """A journal location for messages: a server URL loses its password."""
    if is_server_url(location):
        from seedance.journal_postgres import shown_url

        return shown_url(str(location))
    return str(location)


def open_store(location: str | Path, now: str) -> Store:
    """The store at `location` (a file path, or a postgresql:// URL), its schema brought up to date."""
    if is_server_url(location):
        from seedance.journal_postgres import PostgresStore

        return PostgresStore.shared_store(str(location), now)
    return SqliteStore(Path(location), now)


class SqliteStore:
    """The journal in one SQLite file: WAL mode, short immediate transactions, a connection per use."""

    engine = "sqlite"
    shared = False

    def __init__(self, path: Path, now: str) -> None:
        from seedance.journal_schema import migrate

        self.path = path
        self.where = str(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.read() as db:
            migrate(db, now)  # type: ignore[arg-type]  # a sqlite3.Connection under the protocol

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection; any SQLite failure inside becomes one JournalError naming the file."""
        try:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            try:
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA foreign_keys=ON")
                db.execute("PRAGMA synchronous=NORMAL")
                yield db  # type: ignore[misc]  # sqlite3 takes wider arguments than the protocol names
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise JournalError(self.path, str(exc)) from None

    @contextmanager
    def write(self, *, serial: bool = False) -> Iterator[Connection]:
        with self.read() as db:
            db.execute("BEGIN IMMEDIATE")  # every SQLite write is serial: one writer at a time
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def nocase(self, column: str) -> str:
        return f"{column} = ? COLLATE NOCASE"
