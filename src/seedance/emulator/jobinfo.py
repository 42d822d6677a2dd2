"""The internal view of a job that tests inspect: its status, timing, fault, webhook and video file."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from seedance.emulator.tasks import Job


class JobInfo(BaseModel):
    """A snapshot of one job's internal state (`GET /_emulator/jobs/{id}`, `handle.job(id)`)."""

    request_id: str
    operation: str
    """The catalog operation name, e.g. `2.0/text-to-video`."""
    submit_path: str
    model_id: str
    status: str
    """The documented status word at the time of the snapshot."""
    outcome: str
    """`complete`, `failed` or `stuck` (the last two come from fault rules)."""
    error: str | None
    prompt: str
    caption: str | None
    duration: int
    resolution: str
    ratio: str
    width: int | None
    height: int | None
    fps: int | None
    generate_audio: bool
    job_seconds: float
    body: Any
    """The submit body as received."""
    video_ready: bool
    video_path: str | None
    """Where the MP4 is on disk (shared by every job with the same video spec)."""
    sha256: str | None
    file_size: int | None
    synthesis_seconds: float | None
    media_urls_issued: int
    webhook_url: str | None
    webhook_suppressed: bool
    webhook_status_code: int | None
    webhook_error: str | None
    webhook_sent: bool
    """Whether the delivery attempt is over (see `webhook_status_code` / `webhook_error` for how it went)."""
    created_at: str | None
    updated_at: str | None
    completed_at: str | None


def job_info(job: Job) -> JobInfo:
    """Describe `job` as it stands now."""
    phase = job.phase()
    spec, video, hook = job.video_spec, job.video_file, job.webhook
    created, updated, completed = job.timestamps(phase)
    return JobInfo(
        request_id=job.request_id,
        operation=job.operation.name,
        submit_path=job.operation.path,
        model_id=job.request.model_id,
        status=phase.value,
        outcome=job.outcome,
        error=job.error_text(phase),
        prompt=job.request.prompt,
        caption=spec.caption if spec else None,
        duration=job.request.duration,
        resolution=job.request.resolution,
        ratio=job.request.ratio,
        width=spec.width if spec else None,
        height=spec.height if spec else None,
        fps=spec.fps if spec else None,
        generate_audio=job.request.generate_audio,
        job_seconds=job.seconds,
        body=job.body,
        video_ready=video is not None,
        video_path=str(video.path) if video else None,
        sha256=video.sha256 if video else None,
        file_size=video.size if video else None,
        synthesis_seconds=video.seconds if video else None,
        media_urls_issued=len(job.tokens),
        webhook_url=hook.url if hook else None,
        webhook_suppressed=bool(hook and hook.suppressed),
        webhook_status_code=hook.status_code if hook else None,
        webhook_error=hook.error if hook else None,
        webhook_sent=bool(hook and hook.done),
        created_at=created,
        updated_at=updated,
        completed_at=completed,
    )
