"""The tolerant readers accept every spelling of ids, statuses, URLs and errors the gateway may use."""

from __future__ import annotations

import pytest

from seedance import parsing
from seedance.models import State

URL = "https://cdn.example/v1/req/output.mp4"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"request_id": "seedance-2-0_abc"}, "seedance-2-0_abc"),
        ({"task_id": "t1"}, "t1"),
        ({"id": 42}, "42"),
        ({"data": {"status": "queued", "task_id": "nested"}}, "nested"),
        ({"request_id": True}, None),
        ({"status": "QUEUED"}, None),
        ("not a dict", None),
    ],
)
def test_find_id_accepts_every_id_spelling(body: object, expected: str | None) -> None:
    """request_id, task_id and id are all read; booleans and missing ids are not."""
    assert parsing.find_id(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        {"status": "COMPLETED", "output": {"media_url": [URL], "media_type": "video/mp4"}},
        {"status": "COMPLETED", "output": {"media_url": URL}},
        {"status": "completed", "video_url": URL},
        {"status": "succeeded", "output_url": URL},
        {"status": "done", "url": URL},
        {"status": "ready", "output": URL},
        {"status": "success", "output": [URL]},
        {"data": {"status": "SUCCEEDED", "content": {"video_url": URL}}},
    ],
)
def test_parse_status_finds_the_url_in_every_dialect(body: dict[str, object]) -> None:
    """The video URL is found at output.media_url (list or string), video_url, output_url or url."""
    status = parsing.parse_status(body)
    assert status is not None
    assert status.state is State.SUCCEEDED
    assert status.video_url == URL


@pytest.mark.parametrize(
    ("word", "state"),
    [
        ("QUEUED", State.QUEUED),
        ("pending", State.QUEUED),
        ("PROCESSING", State.RUNNING),
        ("running", State.RUNNING),
        ("In-Progress", State.RUNNING),
        ("Completed", State.SUCCEEDED),
        ("SUCCEEDED", State.SUCCEEDED),
        ("FAILED", State.FAILED),
        ("error", State.FAILED),
        ("CANCELLED", State.FAILED),
        ("canceled", State.FAILED),
        ("something-new", State.RUNNING),
    ],
)
def test_status_words_are_case_insensitive(word: str, state: State) -> None:
    """Every spelling maps onto the closed family; an unknown word is treated as still running."""
    assert parsing.classify_status(word) is state


def test_failed_status_carries_the_reason_and_charge() -> None:
    """An ERROR is documented as not charged; FAILED's charge is unknown; the reason is kept."""
    error = parsing.parse_status({"status": "ERROR", "error": "system fault", "output": None})
    failed = parsing.parse_status({"status": "FAILED", "error": {"message": "content policy"}})
    assert error is not None
    assert failed is not None
    assert (error.state, error.error, error.charged) == (State.FAILED, "system fault", False)
    assert (failed.error, failed.charged) == ("content policy", None)


def test_non_http_urls_are_not_taken_as_results() -> None:
    """A javascript: or file: URL in a status answer is not a video URL."""
    status = parsing.parse_status({"status": "COMPLETED", "video_url": "file:///etc/passwd"})
    assert status is not None
    assert status.video_url is None


@pytest.mark.parametrize("body", [None, [], {"foo": 1}, {"status": 5}, "x"])
def test_parse_status_returns_none_for_non_status_bodies(body: object) -> None:
    """Bodies that are not status answers are recognised as such rather than guessed at."""
    assert parsing.parse_status(body) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b'{"error": "Insufficient Balance", "message": "Your wallet does not have enough balance."}',
            "Insufficient Balance: Your wallet does not have enough balance.",
        ),
        (b'{"statusCode": 401, "message": "Access denied"}', "Access denied"),
        (b"<html><body>502 Bad Gateway</body></html>", "an HTML error page"),
        (b"", "no message"),
        (b"plain words", "plain words"),
    ],
)
def test_error_text_keeps_the_gateway_message_verbatim(raw: bytes, expected: str) -> None:
    """Error bodies are shown as the gateway wrote them, HTML pages summarised."""
    assert parsing.error_text(raw) == expected
