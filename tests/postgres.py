"""A real PostgreSQL server for the tests, and a fresh schema per test.

`$SEEDANCE_TEST_POSTGRES` (a URL; `.ci/run` starts a server and sets it) is used when set. Otherwise the
first pytest worker to need one starts a throwaway server in a temporary folder (Debian's `initdb` and
`pg_ctl`, run as the `postgres` user when the tests run as root) and the session's other workers use it too
(a file lock decides who starts it); the session stops it at its end (`stop_session_server`). Where no server
can be had (no PostgreSQL installed), the tests that need one skip, saying why.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

URL_ENV = "SEEDANCE_TEST_POSTGRES"


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_server() -> tuple[str, Path, list[str]]:
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip(f"no PostgreSQL here (initdb/pg_ctl not found) and {URL_ENV} not set")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="seedance-pg-"))
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        if shutil.which("runuser") is None:
            pytest.skip("tests run as root and runuser is missing: cannot start PostgreSQL")
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    port = _free_port()
    data = folder / "data"
    run = {"check": True, "capture_output": True, "timeout": 60}
    subprocess.run(
        [*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
        **run,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        [*as_user, pg_ctl, "-D", str(data), "-w", "-l", str(folder / "log"), "start", "-o", options], **run
    )
    return f"postgresql://postgres@127.0.0.1:{port}/postgres", folder, [*as_user, pg_ctl, "-D", str(data)]


SERVER_FILE = "postgres-server.json"
"""In the session's shared temporary folder: the server's URL, folder and stop command, once started."""


def session_folder(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder every xdist worker of this session shares (the controller's own)."""
    base = factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a PostgreSQL server for this test session (skips when none can be had)."""
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        return url
    shared = session_folder(tmp_path_factory)
    with open(shared / "postgres.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker starts it; the others wait, then read its URL
        record = shared / SERVER_FILE
        if record.exists():
            started = json.loads(record.read_text())
            if started.get("skip"):
                pytest.skip(started["skip"])
            return str(started["url"])
        try:
            url, folder, pg_ctl = _start_server()
        except pytest.skip.Exception as exc:
            record.write_text(json.dumps({"skip": str(exc.msg)}))
            raise
        except (subprocess.SubprocessError, OSError) as exc:
            record.write_text(json.dumps({"skip": f"PostgreSQL could not start here: {exc}"}))
            pytest.skip(f"PostgreSQL could not start here: {exc}")
        record.write_text(json.dumps({"url": url, "folder": str(folder), "pg_ctl": pg_ctl}))
        return url


def stop_session_server(shared: Path) -> None:
    """Stop the server this session started, if it did (called once, by the controller, at the end)."""
    record = shared / SERVER_FILE
    if not record.exists():
        return
    started = json.loads(record.read_text())
    if "pg_ctl" in started:
        subprocess.run([*started["pg_ctl"], "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(started["folder"], ignore_errors=True)
    record.unlink()


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A URL whose journal lives in a schema of its own (made empty for this test)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{postgres_server}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def journal_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The journal suite's journal: an SQLite file, then a PostgreSQL schema (the same tests on both)."""
    if request.param == "sqlite":
        return str(tmp_path / "jobs.db")
    url: str = request.getfixturevalue("postgres_url")
    return url
