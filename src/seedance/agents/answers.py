"""How the tools describe things: a cost estimate, a finished job, a journal row, a job still running."""

from __future__ import annotations

from typing import Any

from seedance import pricing
from seedance.jobs import JobRecord
from seedance.models import Result
from seedance.request import VideoRequest
from seedance.states import JobState


def estimate_data(request: VideoRequest, *, emulated: bool = False) -> dict[str, Any]:
    """A request's cost estimate as the tools report it; on the local emulator it is free (and says so)."""
    cost = pricing.estimate(request)
    data = {
        "estimated_cost_usd": cost.usd,
        "estimated_cost_low_usd": cost.low_usd,
        "estimate": cost.describe(),
        "price_source": cost.price.source if cost.price else pricing.UNPUBLISHED,
        "warnings": request.warnings(),
    }
    if emulated:
        data.update(estimated_cost_usd=0.0, estimated_cost_low_usd=0.0, emulated=True,
                    estimate=f"free on the emulator (on the gateway: {cost.describe()})")  # fmt: skip
    return data


def result_data(result: Result) -> dict[str, Any]:
    """A finished job as the tools report it."""
    return {
        "ok": True,
        "status": "succeeded",
        "request_id": result.request_id,
        "local_id": result.local_id,
        "operation": result.operation,
        "video_url": result.video_url,
        "file": str(result.path) if result.path else None,
        "size_bytes": result.size_bytes,
        "sha256": result.sha256,
        "elapsed_s": result.elapsed_s,
        "warnings": result.warnings,
    }


def record_data(record: JobRecord) -> dict[str, Any]:
    """A journal row as the tools report it (what `seedance jobs --json` shows)."""
    return {
        "local_id": record.local_id,
        "request_id": record.request_id,
        "created_at": record.created_at,
        "model": record.model,
        "operation": record.operation,
        "state": record.state,
        "status": record.raw_status,
        "prompt": record.prompt,
        "file": record.output_path if record.state == JobState.DOWNLOADED else None,
        "video_url": record.video_url,
        "error": record.error,
        "estimated_cost_usd": 0.0 if record.emulated else record.estimated_cost_usd,
        "emulated": record.emulated,
    }


def still_running(request_id: str, local_id: str | None, *, emulated: bool = False) -> dict[str, Any]:
    """The answer when a bounded wait ends before the job does (not an error: the job is still paid for)."""
    return {
        "ok": True,
        "status": "still running",
        "request_id": request_id,
        "local_id": local_id,
        "next_step": f"call wait_for_job with job_id={request_id!r} (free); "
        f"the person can also run `seedance resume {request_id}{' --emulator' if emulated else ''}`",
    }


def still_downloading(request_id: str, video_url: str | None) -> dict[str, Any]:
    """The answer for a download cut short by the call's time bound: the part file stays for the next call."""
    return {
        "ok": True,
        "status": "downloading",
        "request_id": request_id,
        "video_url": video_url,
        "next_step": f"call download_video with job_id={request_id!r} (free; it resumes where it stopped)",
    }
