"""The journal on a PostgreSQL server (psycopg 3), for a team that shares one account from many machines.

One connection per process and server, used by one thread at a time (a reentrant lock: a check run inside a
write transaction reads through the same connection, so it sees the transaction). Serial writes take a
transaction-scoped advisory lock, keyed by the schema, so two machines' submits decide one after the other.
The server's password is registered as a secret: it never appears in a message.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from seedance.errors import InputError, JournalError, register_secret

SERIAL_LOCK = 0x5EED
"""The advisory lock's first key (the second is the schema's hash): serial writes of one journal."""
HINT = "check SEEDANCE_JOURNAL (the server must be reachable and the user allowed to create tables)"
_QUOTED_OR_MARK = re.compile(r"'(?:[^']|'')*'|\?|%")


def _to_format(sql: str) -> str:
    """SQLite's `?` placeholders as psycopg's `%s` (and a literal % doubled), leaving quoted text alone."""

    def swap(match: re.Match[str]) -> str:
        text = match.group(0)
        return "%s" if text == "?" else "%%" if text == "%" else text

    return _QUOTED_OR_MARK.sub(swap, sql)


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{netloc[-1]}"))


class _Conn:
    """A psycopg connection speaking with `?` placeholders, as the journal's SQL is written."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, args: Sequence[Any] = (), /) -> Any:
        return self.conn.execute(_to_format(sql), tuple(args))


class PostgresStore:
    engine = "postgresql"
    shared = True
    _open: ClassVar[dict[tuple[str, int], PostgresStore]] = {}
    _open_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def shared_store(cls, url: str, now: str) -> PostgresStore:
        """The process's store for this server (one connection, its schema checked once)."""
        key = (url, os.getpid())  # a forked child needs its own connection
        with cls._open_lock:
            store = cls._open.get(key)
            if store is None:
                store = cls._open[key] = cls(url, now)
            return store

    def __init__(self, url: str, now: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise InputError(
                "a journal on PostgreSQL needs psycopg", hint="pip install 'seedance[postgres]'"
            ) from None
        self._psycopg = psycopg
        password = urlsplit(url).password
        if password:
            register_secret(password)
        self.url = url
        self.where = shown_url(url)
        self._lock = threading.RLock()
        self._conn: Any = None
        from seedance.journal_schema import migrate_postgres

        with self.write() as db:
            migrate_postgres(db, now)

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed or self._conn.broken:
            from psycopg.rows import dict_row

            self._conn = self._psycopg.connect(
                self.url, autocommit=True, row_factory=dict_row, connect_timeout=10
            )
        return self._conn

    @contextmanager
    def read(self) -> Iterator[_Conn]:
        with self._lock:
            try:
                yield _Conn(self._connection())
            except self._psycopg.Error as exc:
                raise self._error(exc) from None

    @contextmanager
    def write(self, *, serial: bool = False) -> Iterator[_Conn]:
        with self._lock:
            try:
                conn = self._connection()
                with conn.transaction():
                    if serial:
                        conn.execute(
                            "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", (SERIAL_LOCK,)
                        )
                    yield _Conn(conn)
            except self._psycopg.Error as exc:
                raise self._error(exc) from None

    def nocase(self, column: str) -> str:
        return f"lower({column}) = lower(?)"

    def _error(self, exc: Exception) -> JournalError:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        error = JournalError(self.where, reason)
        error._hint = HINT
        return error
