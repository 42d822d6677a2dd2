"""The API key never shows: not on stdout or stderr, not in logs, not in any byte of the journal (database and
write-ahead log), not in `--dry-run`, not in an exception's str, repr, dict or traceback, even when the
gateway itself echoes the key back in its answers."""

from __future__ import annotations

import json
import logging
import sqlite3
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cli_inprocess import run_seedance_here as run_seedance
from faults.harness import ARGS, Answer, Run, Seen, journal_path, mp4_bytes, serve
from seedance import Client, errors
from seedance.journal import Journal

REQUEST = {"prompt": "A cat", "resolution": "480p", "duration": 4}


@contextmanager
def journal_kept_open(env: dict[str, str]) -> Iterator[Path]:
    """Hold a connection on the journal so SQLite keeps its -wal file after the CLI exits (it is then read)."""
    path = journal_path(env)
    Journal(path)
    db = sqlite3.connect(path)
    db.execute("SELECT count(*) FROM jobs").fetchall()
    try:
        yield path
    finally:
        db.close()


def journal_bytes(path: Path) -> bytes:
    """Every byte of the journal: the database, its write-ahead log and its shared-memory index."""
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    assert files[1].exists()
    assert files[1].stat().st_size > 0
    return b"".join(f.read_bytes() for f in files if f.exists())


def echoing(key_of: Callable[[Seen], str | None], submit: Answer | None = None) -> Callable[[Seen], Answer]:
    """A gateway that puts the key it was sent into every answer; `submit` replaces the submit answer."""

    def respond(seen: Seen) -> Answer:
        key = key_of(seen) or ""
        if seen.method == "POST":
            return submit or Answer(
                400, {"error": "Invalid parameter", "message": f"key {key} is not allowed"}
            )
        return Answer(200, {"status": "FAILED", "error": f"rejected for key {key}"})

    return respond


def test_a_successful_run_leaves_no_key_in_output_or_journal(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """A whole generate: the key is in no output and in no byte of the journal or its WAL."""
    with journal_kept_open(gateway_env) as path:
        run = seedance(*ARGS[:1], "A zebra-striped-marker cat", *ARGS[2:], "-o", str(tmp_path / "cat.mp4"))
        assert run.code == 0, run.stderr
        stored = journal_bytes(path)
    assert b"zebra-striped-marker" in stored  # the prompt is there: these are the journal's bytes
    assert emulator.api_key.encode() not in stored
    assert emulator.api_key not in run.stdout + run.stderr


def test_a_key_echoed_by_the_gateway_is_redacted_everywhere(
    seedance: Callable[..., Run], cli_env: dict[str, str], secret_key: str, tmp_path: Path
) -> None:
    """The gateway answers 400 with our key in the message: exit 6, the message kept, the key replaced by ***,
    in the output and in the journal."""
    env = {**cli_env, "PIXAZO_API_KEY": secret_key}
    with serve(echoing(lambda s: s.key)) as gateway:
        env["SEEDANCE_BASE_URL"] = gateway.url
        with journal_kept_open(env) as path:
            run = seedance(*ARGS, env=env)
            stored = journal_bytes(path)
    assert run.code == 6, run.stderr
    assert gateway.keys_seen() == [secret_key]  # it really was sent the key, and echoed it
    assert "key *** is not allowed" in run.json()["error"]["message"]
    assert secret_key not in run.stdout + run.stderr
    assert b"is not allowed" in stored
    assert secret_key.encode() not in stored


@pytest.mark.parametrize(("flag", "as_json"), [(False, False), (True, True)], ids=["env-human", "flag-json"])
def test_dry_run_shows_the_header_but_never_the_key(
    flag: bool, as_json: bool, seedance: Callable[..., Run], cli_env: dict[str, str], secret_key: str
) -> None:
    """`--dry-run` prints the request with its key header masked, whether the key came from env or flag."""
    env = {**cli_env, "PIXAZO_API_KEY": secret_key}
    args = [
        "generate",
        "A cat",
        "--dry-run",
        *(["--json"] if as_json else []),
        *(["--api-key", secret_key] if flag else []),
    ]
    run = seedance(*args, env=env)
    assert run.code == 0, run.stderr
    assert "Ocp-Apim-Subscription-Key" in run.stdout
    assert "***" in run.stdout
    assert secret_key not in run.stdout + run.stderr


SUBMIT_ANSWERS = {
    "400": Answer(400, {"error": "Invalid parameter", "message": "{key} is not allowed"}),
    "401": Answer(401, {"statusCode": 401, "message": "Access denied due to invalid key {key}"}),
    "429": Answer(429, {"message": "rate limited for {key}"}, {"Retry-After": "0"}),
    "500-html": Answer(500, "<html><body>upstream said {key}</body></html>", {"Content-Type": "text/html"}),
    "202-no-id": Answer(202, {"status": "QUEUED", "note": "accepted {key}"}),
    "failed-job": Answer(202, {"request_id": "r-1", "status": "QUEUED"}),
}


@pytest.mark.parametrize("name", SUBMIT_ANSWERS)
def test_errors_never_carry_the_key(
    name: str, secret_key: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever error a key-echoing gateway causes, its str, repr, dict, body and traceback hold no key; nor
    does any log record the libraries wrote at DEBUG level."""
    template = SUBMIT_ANSWERS[name]

    def submit_answer(seen: Seen) -> Answer:
        body = template.payload().decode().replace("{key}", seen.key or "")
        return Answer(template.status, body, template.headers)

    def respond(seen: Seen) -> Answer:
        if seen.method == "POST":
            return submit_answer(seen)
        if "media" in seen.path:
            return Answer(200, mp4_bytes())
        return echoing(lambda s: s.key)(seen)

    caplog.set_level(logging.DEBUG)
    with (
        serve(respond) as gateway,
        Client(
            api_key=secret_key,
            base_url=gateway.url,
            journal=Journal(tmp_path / "jobs.db"),
            sleep=lambda s: None,
        ) as client,
    ):
        with pytest.raises(errors.SeedanceError) as caught:
            client.generate(REQUEST, tmp_path / "cat.mp4")
        shown = [repr(client), repr(client.settings)]
    assert secret_key in gateway.keys_seen()
    exc = caught.value
    shown += [
        str(exc),
        repr(exc),
        json.dumps(exc.to_dict()),
        str(getattr(exc, "body", "")),
        repr(exc.args),
        "".join(traceback.format_exception(exc)),
    ]
    shown += [record.getMessage() for record in caplog.records]
    assert caplog.records  # httpx does log each request: the check below reads real records
    assert not [text for text in shown if secret_key in text]
    assert "***" in str(exc) + str(getattr(exc, "body", ""))


def test_redacting_an_answer_keeps_it_valid_json_whatever_the_secret_looks_like() -> None:
    """A secret spelled like a JSON word or number is removed from strings only: the structure survives."""
    for secret in ("true", "null", "1234"):
        errors.register_secret(secret)
    data = {"ok": True, "gone": None, "count": 1234, "message": "it is true: null 1234", "list": ["true"]}
    safe = errors.redact_data(data)
    assert safe == {"ok": True, "gone": None, "count": 1234, "message": "it is ***: *** ***", "list": ["***"]}
    assert json.loads(json.dumps(safe)) == safe


def test_a_failed_jobs_error_that_echoes_the_key_is_stored_redacted(
    emulator: Any, cli_env: dict[str, str]
) -> None:
    """The gateway fails the job with a reason that contains our key: not a byte of the key in the journal
    (database and write-ahead log), and `jobs show` prints the reason with *** in its place."""
    env = {**cli_env, "SEEDANCE_BASE_URL": emulator.base_url, "PIXAZO_API_KEY": emulator.api_key}
    emulator.add_fault("fail", count=1, message=f"job failed for key {emulator.api_key}")

    with journal_kept_open(env) as path:
        failed = run_seedance(list(ARGS), env)
        stored = journal_bytes(path)
    assert failed.returncode == 8, failed.stderr
    assert emulator.api_key.encode() not in stored
    assert b"job failed for key ***" in stored
    shown = run_seedance(["jobs", "show", json.loads(failed.stdout)["local_id"]], env)
    assert "job failed for key ***" in shown.stdout
    assert emulator.api_key not in shown.stdout + shown.stderr
