"""The shapes of submit and status answers: the documented one, or a dialect a tolerant client must read."""

from __future__ import annotations

from typing import Any

from seedance import catalog
from seedance.emulator.options import Dialect
from seedance.emulator.tasks import Job, Phase

STATUS_WORDS: dict[str, dict[Phase, str]] = {
    "documented": {p: p.value for p in Phase},
    "lower": {p: p.value.lower() for p in Phase},
    "succeeded": {
        Phase.QUEUED: "queued",
        Phase.PROCESSING: "running",
        Phase.COMPLETED: "succeeded",
        Phase.FAILED: "failed",
        Phase.ERROR: "error",
    },
}


def status_word(dialect: Dialect, phase: Phase) -> str:
    """Spell `phase` in the dialect's words."""
    return STATUS_WORDS[dialect.status_words][phase]


def api_base(job: Job) -> str:
    """The first path segment of the job's submit path (`seedance-2-0`, `byteplus`...)."""
    return job.operation.path.strip("/").split("/")[0]


def polling_url(dialect: Dialect, job: Job) -> str | None:
    """The `polling_url` of a submit answer, or None when the dialect omits it."""
    status_path = catalog.STATUS_PATH.format(request_id=job.request_id)
    if dialect.polling_url == "documented":
        return job.base_url + status_path
    if dialect.polling_url == "legacy":
        return f"{job.base_url}/{api_base(job)}/v1/result/{job.request_id}"
    if dialect.polling_url == "none":
        return None
    return dialect.polling_url + status_path


def submit_body(dialect: Dialect, job: Job) -> dict[str, Any]:
    """The answer to an accepted submit."""
    body: dict[str, Any] = {dialect.id_field: job.request_id, "status": status_word(dialect, Phase.QUEUED)}
    url = polling_url(dialect, job)
    if url is not None:
        body["polling_url"] = url
    return body


def status_body(dialect: Dialect, job: Job, phase: Phase, media_url: str | None) -> dict[str, Any]:
    """The answer to a status call (also the webhook's body); `media_url` is given once the job is COMPLETED."""
    created, updated, completed = job.timestamps(phase)
    body: dict[str, Any] = {
        dialect.id_field: job.request_id,
        "status": status_word(dialect, phase),
        "model_id": job.request.model_id,
        "error": job.error_text(phase),
    }
    url_value: list[str] | str | None = None
    if media_url is not None:
        url_value = [media_url] if dialect.media_url == "list" else media_url
    if dialect.url_field == "output.media_url":
        body["output"] = None if url_value is None else {"media_url": url_value, "media_type": "video/mp4"}
    elif url_value is not None:
        body[dialect.url_field] = url_value
    body.update(created_at=created, updated_at=updated, completed_at=completed)
    return body
