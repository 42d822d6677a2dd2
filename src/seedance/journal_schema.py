"""The journal's schema as named migrations, applied in order and recorded by name (as simonw/llm does).

A migration is appended, never edited: a journal records which ones it has, so any older journal (rows and
all) is brought up to date when it is opened, in one transaction. Journals from before migrations had names
counted them in `PRAGMA user_version`; those counts are read once as the first names.
"""

from __future__ import annotations

import sqlite3
from typing import Any

FIRST: tuple[tuple[str, str], ...] = (
    (
        "m001_jobs_and_history",
        """
    CREATE TABLE jobs (
        local_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        operation TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt TEXT,
        request_json TEXT NOT NULL,
        settings_json TEXT NOT NULL,
        state TEXT NOT NULL,
        request_id TEXT UNIQUE,
        polling_url TEXT,
        raw_status TEXT,
        video_url TEXT,
        video_url_at TEXT,
        error TEXT,
        charged INTEGER,
        estimated_cost_usd REAL,
        submit_attempts INTEGER NOT NULL DEFAULT 0,
        warnings_json TEXT NOT NULL DEFAULT '[]',
        output_path TEXT,
        want_download INTEGER NOT NULL DEFAULT 1,
        bytes_downloaded INTEGER,
        sha256 TEXT,
        downloaded_at TEXT,
        submitted_at TEXT,
        finished_at TEXT,
        elapsed_s REAL,
        batch_id TEXT,
        batch_line INTEGER,
        pid INTEGER,
        gateway TEXT
    );
    CREATE INDEX jobs_state ON jobs(state);
    CREATE INDEX jobs_created ON jobs(created_at);
    CREATE INDEX jobs_batch ON jobs(batch_id, batch_line);
    CREATE TABLE history (
        local_id TEXT NOT NULL REFERENCES jobs(local_id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        state TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX history_job ON history(local_id);
    """,
    ),
    (
        "m002_ephemeral_gateway_and_output_index",
        """
    ALTER TABLE jobs ADD COLUMN ephemeral_gateway INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX jobs_output ON jobs(output_path COLLATE NOCASE);
    """,
    ),
)
"""The first releases' migrations, as SQLite runs them (PostgreSQL gets them translated)."""

LATER: tuple[tuple[str, str], ...] = (
    (
        "m003_who_follows_and_team_tables",
        """
    ALTER TABLE jobs ADD COLUMN user_name TEXT;
    ALTER TABLE jobs ADD COLUMN host TEXT;
    ALTER TABLE jobs ADD COLUMN follower TEXT;
    ALTER TABLE jobs ADD COLUMN lease_until TEXT;
    CREATE TABLE budgets (
        scope TEXT PRIMARY KEY,
        amount_usd DOUBLE PRECISION NOT NULL,
        period TEXT NOT NULL,
        set_at TEXT NOT NULL,
        set_by TEXT
    );
    CREATE TABLE claims (
        batch_id TEXT NOT NULL,
        line INTEGER NOT NULL,
        worker TEXT NOT NULL,
        lease_until TEXT NOT NULL,
        PRIMARY KEY (batch_id, line)
    );
    CREATE TABLE pace (account TEXT PRIMARY KEY, state_json TEXT NOT NULL)
    """,
    ),
    (
        "m004_claim_outcomes",
        """
    ALTER TABLE claims ADD COLUMN outcome_json TEXT
    """,
    ),
)
"""Migrations written once for both engines (portable SQL: TEXT, INTEGER, BIGINT, DOUBLE PRECISION)."""

MIGRATIONS = FIRST + LATER
"""(name, SQL) in the order they apply, as SQLite runs them."""


def _in_postgres_words(script: str) -> str:
    """A first-release SQLite migration as PostgreSQL runs it: `rowid` made explicit (SQLite has it built
    in), REAL as a double (PostgreSQL's REAL is 4 bytes), byte counts as BIGINT, NOCASE as lower()."""
    return (
        script.replace("CREATE TABLE jobs (\n", "CREATE TABLE jobs (\n        rowid BIGSERIAL UNIQUE,\n")
        .replace("CREATE TABLE history (\n", "CREATE TABLE history (\n        rowid BIGSERIAL PRIMARY KEY,\n")
        .replace(" REAL", " DOUBLE PRECISION")
        .replace("bytes_downloaded INTEGER", "bytes_downloaded BIGINT")
        .replace("(output_path COLLATE NOCASE)", "(lower(output_path))")
    )


POSTGRES_MIGRATIONS: tuple[tuple[str, str], ...] = (
    *((name, _in_postgres_words(script)) for name, script in FIRST),
    *LATER,
)
"""The same migrations in PostgreSQL's words (`rowid` made explicit: SQLite has it built in)."""


def migrate(db: sqlite3.Connection, now: str) -> list[str]:
    """Apply the migrations `db` lacks, in one immediate transaction; return the names applied.

    A journal that has them all is seen with a plain read: opening the journal takes no write lock (every
    command opens it, often several times; a write lock each time made concurrent processes queue)."""
    if _is_current(db):
        return []
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        applied = {row[0] for row in db.execute("SELECT name FROM migrations")}
        if not applied:  # numbered before names: the first `user_version` migrations are in
            counted = db.execute("PRAGMA user_version").fetchone()[0]
            for name, _ in MIGRATIONS[:counted]:
                db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, now))
                applied.add(name)
        done = _apply(db, MIGRATIONS, applied, now)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")  # still said, for tools that read it
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return done


def _is_current(db: sqlite3.Connection) -> bool:
    try:
        applied = {row[0] for row in db.execute("SELECT name FROM migrations")}
    except sqlite3.OperationalError:  # no migrations table yet
        return False
    return applied >= {name for name, _ in MIGRATIONS}


MIGRATION_LOCK = 0x5EED + 1
"""The advisory lock's first key while migrating (`journal_postgres.SERIAL_LOCK` is 0x5EED)."""


def migrate_postgres(db: Any, now: str) -> list[str]:
    """Apply the PostgreSQL migrations `db` lacks, inside the caller's transaction (serialized by an advisory
    lock: two machines opening a new journal at once apply them once)."""
    db.execute("SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))", (MIGRATION_LOCK,))
    db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    applied = {row["name"] for row in db.execute("SELECT name FROM migrations").fetchall()}
    return _apply(db, POSTGRES_MIGRATIONS, applied, now)


def _apply(db: Any, migrations: tuple[tuple[str, str], ...], applied: set[str], now: str) -> list[str]:
    """Run the migrations not in `applied`, in order, each recorded by name; return the names run."""
    done = []
    for name, script in migrations:
        if name in applied:
            continue
        for statement in filter(str.strip, script.split(";")):
            db.execute(statement)
        db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, now))
        done.append(name)
    return done
