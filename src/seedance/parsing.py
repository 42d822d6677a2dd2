"""Read gateway answers tolerantly: ids, status words, result URLs and error messages in every known spelling.

Pure functions over decoded JSON; the reference notes say field names and status strings vary, so each
reader accepts every spelling seen in the documentation, the seed skill and public callers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from seedance.models import JobStatus, State

SUCCESS_WORDS = frozenset(
    {"completed", "complete", "succeeded", "success", "successful", "ready", "done", "finished"}
)
FAILURE_WORDS = frozenset(
    {
        "failed",
        "failure",
        "error",
        "errored",
        "cancelled",
        "canceled",
        "expired",
        "rejected",
        "timeout",
        "timed_out",
    }
)
QUEUED_WORDS = frozenset(
    {"queued", "pending", "submitted", "waiting", "in_queue", "inqueue", "created", "accepted"}
)
ID_FIELDS = ("request_id", "task_id", "id", "requestId", "taskId")
URL_FIELDS = ("media_url", "video_url", "output_url", "url", "videoUrl", "outputUrl")
WRAPPERS = ("data", "result", "task")


def decode_json(body: bytes) -> Any:
    """Decode a JSON body; return None when it is empty or not JSON."""
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _unwrap(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """Some gateways nest the payload under `data`/`result`/`task`; return the level that carries a status."""
    if "status" in body or "state" in body:
        return body
    for key in WRAPPERS:
        inner = body.get(key)
        if isinstance(inner, Mapping) and ("status" in inner or "state" in inner):
            return inner
    return body


def find_id(body: Any) -> str | None:
    """Return the request id from a submit or status answer (`request_id`, `task_id` or `id`)."""
    if not isinstance(body, Mapping):
        return None
    for level in (body, _unwrap(body)):
        for key in ID_FIELDS:
            value = level.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
    return None


def _first_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value if value.lower().startswith(("http://", "https://")) else None
    if isinstance(value, list):
        for item in value:
            url = _first_url(item)
            if url:
                return url
    if isinstance(value, Mapping):
        return find_url(value)
    return None


def find_url(body: Any) -> str | None:
    """Return the video URL: `output.media_url` (list or string), `video_url`, `output_url` or `url`."""
    if not isinstance(body, Mapping):
        return None
    level = _unwrap(body)
    output = level.get("output")
    if isinstance(output, str | list):
        return _first_url(output)
    for container in (output, level.get("content"), level):
        if isinstance(container, Mapping):
            for key in URL_FIELDS:
                url = _first_url(container.get(key))
                if url:
                    return url
    return None


def find_error(body: Any) -> str | None:
    """Return the gateway's error text from a status or error answer, if any."""
    if not isinstance(body, Mapping):
        return None
    level = _unwrap(body)
    for key in (
        "error",
        "error_message",
        "errorMessage",
        "fail_reason",
        "failure_reason",
        "message",
        "detail",
    ):
        value = level.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, Mapping):
            inner = value.get("message") or value.get("msg") or value.get("code")
            if isinstance(inner, str) and inner.strip():
                return inner.strip()
    return None


def classify_status(word: str) -> State:
    """Map a status word of any spelling onto the closed family; unknown words count as running."""
    key = word.strip().lower().replace("-", "_").replace(" ", "_")
    if key in SUCCESS_WORDS:
        return State.SUCCEEDED
    if key in FAILURE_WORDS:
        return State.FAILED
    if key in QUEUED_WORDS:
        return State.QUEUED
    return State.RUNNING


def parse_status(body: Any) -> JobStatus | None:
    """Read a status answer into a JobStatus; None when the body is not a status answer at all."""
    if not isinstance(body, Mapping):
        return None
    level = _unwrap(body)
    raw_word = level.get("status", level.get("state"))
    url = find_url(body)
    if not isinstance(raw_word, str) or not raw_word.strip():
        if url is None:
            return None
        raw_word = "completed"  # no status word but a video: treat as done
    state = classify_status(raw_word)
    error = find_error(body) if state is State.FAILED else None
    # Documented: ERROR is not charged; whether FAILED is charged is not stated; success is charged.
    charged = {
        State.SUCCEEDED: True,
        State.FAILED: False if raw_word.strip().lower() == "error" else None,
    }.get(state)
    return JobStatus(
        run_seconds=run_seconds(level) if state.is_final else None,
        request_id=find_id(body),
        state=state,
        raw_status=raw_word.strip(),
        video_url=url if state is State.SUCCEEDED else None,
        error=(error or f"the job ended {raw_word.strip()}") if state is State.FAILED else None,
        charged=charged,
        raw=dict(body),
    )


def error_text(body: bytes, limit: int = 300) -> str:
    """Return an error answer's message verbatim: `error: message` from JSON, else the start of the text."""
    data = decode_json(body)
    if isinstance(data, Mapping):
        error, message = data.get("error"), data.get("message")
        parts = [str(p).strip() for p in (error, message) if isinstance(p, str) and p.strip()]
        if isinstance(error, Mapping):
            parts = [str(error.get("message") or error.get("code") or "")]
        if parts:
            return ": ".join(dict.fromkeys(parts))[:limit]
    text = body.decode("utf-8", "replace").strip()
    if text.lower().startswith(("<!doctype", "<html")):
        return "an HTML error page"
    return " ".join(text.split())[:limit] or "no message"


def run_seconds(body: Mapping[str, Any]) -> float | None:
    """`completed_at - created_at` in seconds, when the answer carries both as ISO times."""
    from datetime import datetime

    try:
        start = datetime.fromisoformat(str(body["created_at"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(body["completed_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError, TypeError):
        return None
    seconds = (end - start).total_seconds()
    return seconds if 0 <= seconds < 7 * 24 * 3600 else None
