"""A job's life: QUEUED, then PROCESSING, then an end state once its time has passed and its video is ready."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from seedance.catalog import Operation
from seedance.emulator.cache import VideoFile
from seedance.emulator.spec import JobRequest
from seedance.emulator.video import VideoSpec


class Phase(StrEnum):
    """A job's status in the gateway's documented words (dialects respell them)."""

    QUEUED = "QUEUED"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    ERROR = "ERROR"


END_PHASES = frozenset({Phase.COMPLETED, Phase.FAILED, Phase.ERROR})

Outcome = Literal["complete", "failed", "stuck"]


def iso(timestamp: float | None) -> str | None:
    """Format a Unix time like the gateway: `2026-03-31T10:00:00.000Z`."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class WebhookResult:
    """What happened to a job's webhook delivery."""

    url: str
    suppressed: bool = False
    status_code: int | None = None
    error: str | None = None
    sent_at: float | None = None
    done: bool = False
    """Whether the delivery attempt is over (answered or failed)."""


@dataclass
class Job:
    """One accepted submit and everything needed to answer its status calls."""

    request_id: str
    operation: Operation
    request: JobRequest
    body: Any
    base_url: str
    """The gateway base URL the client used, for polling URLs."""
    seconds: float
    """The job's total time before it may end."""
    queued_seconds: float
    outcome: Outcome = "complete"
    fail_status: Phase = Phase.FAILED
    fail_message: str = ""
    video_spec: VideoSpec | None = None
    video: Future[VideoFile] | None = None
    webhook: WebhookResult | None = None
    clock: Callable[[], float] = time.monotonic
    """The emulator's monotonic clock (`EmulatorClock.monotonic`): phases and tokens are measured on it."""
    created_wall: float = field(default_factory=time.time)
    created_mono: float = field(default_factory=time.monotonic)
    video_done_mono: float | None = None
    tokens: dict[str, float] = field(default_factory=dict)
    """Media URL tokens issued by status calls, with the monotonic time each was issued."""

    def attach_video(self, future: Future[VideoFile]) -> None:
        """Follow the synthesis of this job's video (it may already be finished, from the cache)."""
        self.video = future
        future.add_done_callback(self._video_done)

    def _video_done(self, _: Future[VideoFile]) -> None:
        self.video_done_mono = self.clock()

    def phase(self, now: float | None = None) -> Phase:
        """The status at monotonic time `now`."""
        elapsed = (self.clock() if now is None else now) - self.created_mono
        if elapsed < self.queued_seconds:
            return Phase.QUEUED
        if self.outcome == "stuck" or elapsed < self.seconds:
            return Phase.PROCESSING
        if self.outcome == "failed":
            return self.fail_status
        if self.video is None or not self.video.done():
            return Phase.PROCESSING
        return Phase.ERROR if self.video_failed else Phase.COMPLETED

    @property
    def video_failed(self) -> bool:
        """Whether the synthesis raised (the job then ends in ERROR, as a system error would)."""
        return self.video is not None and self.video.done() and self.video.exception() is not None

    @property
    def video_file(self) -> VideoFile | None:
        """The finished video, or None while it is being made or if it failed."""
        if self.video is None or not self.video.done() or self.video.exception() is not None:
            return None
        return self.video.result()

    def error_text(self, phase: Phase) -> str | None:
        """The `error` field for `phase`."""
        if phase not in (Phase.FAILED, Phase.ERROR):
            return None
        if self.outcome == "failed":
            return self.fail_message
        return f"Video synthesis failed: {self.video.exception() if self.video else 'no video'}"

    def ended_mono(self, phase: Phase) -> float | None:
        """The monotonic time the job reached its end state, or None while it runs."""
        if phase not in END_PHASES:
            return None
        return max(self.created_mono + self.seconds, self.video_done_mono or 0.0)

    def timestamps(self, phase: Phase) -> tuple[str | None, str | None, str | None]:
        """`created_at`, `updated_at`, `completed_at` for `phase`, as the gateway writes them."""
        ended = self.ended_mono(phase)
        changed = {Phase.QUEUED: self.created_mono, Phase.PROCESSING: self.created_mono + self.queued_seconds}
        updated = changed.get(phase, ended if ended is not None else self.created_mono)
        to_wall = self.created_wall - self.created_mono
        return (
            iso(self.created_wall),
            iso(updated + to_wall),
            iso(ended + to_wall) if ended is not None else None,
        )

    def issue_token(self) -> str:
        """Issue a fresh media URL token (each status call after completion gets a new one)."""
        token = secrets.token_urlsafe(9)
        self.tokens[token] = self.clock()
        return token
