"""Dialects: the status words, the URL's type and place, the id field and the polling URL can be respelled."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import plain_http
from seedance.emulator import EmulatorHandle, parse_dialect_assignments
from waiting import wait_for

from .conftest import SMALL, T2V


def run_job(
    client: httpx.Client, id_field: str = "request_id"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Submit and poll until the status word stops changing to a running one; return submit body and polls."""
    submitted = client.post(T2V, json=SMALL).json()
    polls: list[dict[str, Any]] = []

    def completed() -> bool:
        polls.append(client.get(f"/v2/requests/status/{submitted[id_field]}").json())
        return polls[-1]["status"].lower() in ("completed", "succeeded")

    wait_for(completed)
    return submitted, polls


@pytest.mark.parametrize(
    ("words", "queued", "done"), [("documented", "QUEUED", "COMPLETED"), ("lower", "queued", "completed"),
                                  ("succeeded", "queued", "succeeded")]
)  # fmt: skip
def test_status_words(
    words: str, queued: str, done: str, client: httpx.Client, emulator: EmulatorHandle
) -> None:
    """Submit and status answers use the dialect's words (`running` for PROCESSING in `succeeded`)."""
    emulator.configure(job_seconds=0.3, dialect={"status_words": words})
    submitted, polls = run_job(client)
    assert submitted["status"] == queued
    assert polls[-1]["status"] == done
    running = {"documented": "PROCESSING", "lower": "processing", "succeeded": "running"}[words]
    assert {p["status"] for p in polls} <= {queued, running, done}


def test_status_word_for_failures(client: httpx.Client, emulator: EmulatorHandle) -> None:
    """Failures are spelled by the dialect too."""
    emulator.configure(job_seconds=0.05, dialect={"status_words": "lower"})
    emulator.add_fault("fail:count=1,job_status=ERROR")
    request_id = client.post(T2V, json=SMALL).json()["request_id"]
    emulator.advance(0.1)
    assert client.get(f"/v2/requests/status/{request_id}").json()["status"] == "error"


def test_media_url_as_a_string(client: httpx.Client, emulator: EmulatorHandle) -> None:
    """`media_url=string` puts the URL in `output.media_url` as a plain string."""
    emulator.configure(job_seconds=0.05, dialect={"media_url": "string"})
    _, polls = run_job(client)
    url = polls[-1]["output"]["media_url"]
    assert isinstance(url, str)
    assert plain_http.get(url).status_code == 200


@pytest.mark.parametrize("field", ["video_url", "output_url", "url"])
def test_url_at_the_top_level(field: str, client: httpx.Client, emulator: EmulatorHandle) -> None:
    """Other URL locations put it at the top level and drop `output`."""
    emulator.configure(job_seconds=0.05, dialect={"url_field": field, "media_url": "string"})
    _, polls = run_job(client)
    assert "output" not in polls[-1]
    assert polls[-1][field].startswith(emulator.base_url + "/_media/")
    assert field not in polls[0] or polls[0]["status"] == "COMPLETED"


@pytest.mark.parametrize("field", ["task_id", "id"])
def test_id_field(field: str, client: httpx.Client, emulator: EmulatorHandle) -> None:
    """The job id is named `task_id` or `id` in submit and status answers."""
    emulator.configure(job_seconds=0.05, dialect={"id_field": field})
    submitted, polls = run_job(client, field)
    assert "request_id" not in submitted
    assert "request_id" not in polls[-1]
    assert polls[-1][field] == submitted[field]


def test_polling_url_legacy_none_and_other_host(client: httpx.Client, emulator: EmulatorHandle) -> None:
    """`legacy` points at /{base}/v1/result/{id}, `none` omits it, a URL points at that (foreign) base."""
    emulator.configure(dialect={"polling_url": "legacy"})
    legacy = client.post(T2V, json=SMALL).json()
    assert legacy["polling_url"] == f"{emulator.base_url}/seedance-2-0/v1/result/{legacy['request_id']}"
    assert client.get(legacy["polling_url"]).status_code == 200
    emulator.configure(dialect={"polling_url": "none"})
    assert "polling_url" not in client.post(T2V, json=SMALL).json()
    emulator.configure(dialect={"polling_url": "http://elsewhere.invalid:9/"})
    other = client.post(T2V, json=SMALL).json()
    assert other["polling_url"] == f"http://elsewhere.invalid:9/v2/requests/status/{other['request_id']}"


def test_dialect_assignments_parse_like_the_cli() -> None:
    """`--dialect NAME=VALUE` flags build a Dialect; unknown names or values are refused."""
    dialect = parse_dialect_assignments(["status-words=succeeded", "id_field=task_id", "polling_url=none"])
    assert (dialect.status_words, dialect.id_field, dialect.polling_url) == ("succeeded", "task_id", "none")
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_dialect_assignments(["colour=blue"])
    with pytest.raises(ValueError, match="polling_url"):
        parse_dialect_assignments(["polling_url=sideways"])
