"""How the tools describe things: a cost estimate, a finished job, a journal row, a job still running."""

from __future__ import annotations

from typing import Any

from seedance import pricing
from seedance.jobs import JobRecord, shapes
from seedance.models import Result
from seedance.request import VideoRequest


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
    """A finished job as the tools report it (`status` is the answer's kind here: succeeded)."""
    return {"ok": True, **shapes.result_fields(result), "status": "succeeded"}


def record_data(record: JobRecord) -> dict[str, Any]:
    """A journal row as the tools report it (what `seedance jobs --json` shows)."""
    return shapes.record_fields(record)


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
