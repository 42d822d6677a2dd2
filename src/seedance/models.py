"""Typed models of what the gateway answers: job handles, statuses, results (and, from `seedance.request`,
the generation request, which is checked without pydantic)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from seedance.request import (
    VideoRequest,
    check_request,
    choose_operation,
    describe_validation_error,
    parse_request,
)

__all__ = [
    "Job",
    "JobStatus",
    "Result",
    "State",
    "VideoRequest",
    "check_request",
    "choose_operation",
    "describe_validation_error",
    "parse_request",
]


class State(StrEnum):
    """Where a job is: the closed family every gateway status spelling maps onto."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        """Whether the job will not change any more."""
        return self in (State.SUCCEEDED, State.FAILED)


class JobStatus(BaseModel):
    """A job's status as read from one status answer, normalised."""

    model_config = ConfigDict(defer_build=True)  # built on first use: keeps `--dry-run` and `--help` fast

    request_id: str | None
    """The gateway's request id, when the answer carried one."""
    state: State
    raw_status: str
    """The status word exactly as the gateway wrote it."""
    video_url: str | None = None
    """The result URL, once the job succeeded."""
    error: str | None = None
    """The gateway's reason, when the job failed."""
    charged: bool | None = None
    """Whether the job is charged, as far as the documentation tells (ERROR: no; FAILED: unknown)."""
    fetched_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    """When this status was read (result URLs may expire)."""
    run_seconds: float | None = None
    """The gateway's own run time (`completed_at - created_at`), when it reports both."""
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)
    """The answer's body as received."""


class Job(BaseModel):
    """A submitted job: enough to find it again from its request id alone."""

    model_config = ConfigDict(defer_build=True)  # built on first use: keeps `--dry-run` and `--help` fast

    request_id: str
    operation: str
    """The operation's catalog name, e.g. `2.0/text-to-video`."""
    polling_url: str | None = None
    """The polling URL the gateway gave (used only when it is on the configured gateway host)."""
    submitted_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    local_id: str | None = None
    """The journal row that records this job, when a journal is used."""
    estimated_cost_usd: float | None = None
    warnings: list[str] = Field(default_factory=list)
    """Things the user must know, e.g. that a retried submit may have queued a second job."""


class Result(BaseModel):
    """A finished job: its video URL and, once downloaded, the file."""

    model_config = ConfigDict(defer_build=True)  # built on first use: keeps `--dry-run` and `--help` fast

    request_id: str
    operation: str | None = None
    status: JobStatus
    video_url: str
    path: Path | None = None
    """Where the video was saved, once downloaded."""
    size_bytes: int | None = None
    sha256: str | None = None
    elapsed_s: float | None = None
    """Seconds from submit (or from the start of the wait) to the job's end."""
    local_id: str | None = None
    warnings: list[str] = Field(default_factory=list)
