"""Webhook delivery: once a job ends, POST its final status body to the `X-Webhook-URL` it was submitted with."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from seedance.emulator.dialects import status_body
from seedance.emulator.tasks import END_PHASES, Job, Phase

if TYPE_CHECKING:
    import httpx

    from seedance.emulator.state import EmulatorState


def media_url(state: EmulatorState, job: Job) -> str:
    """Issue a fresh token for the job's video and return its URL (under `media_base_url` if set)."""
    base = state.options.media_base_url or job.base_url
    return f"{base}/_media/{job.request_id}/{job.issue_token()}/output.mp4"


def final_body(state: EmulatorState, job: Job, phase: Phase) -> dict[str, object]:
    """The status body for an ended job, with a freshly issued media URL when it completed."""
    url = media_url(state, job) if phase is Phase.COMPLETED else None
    return status_body(state.options.dialect, job, phase, url)


async def deliver_when_done(state: EmulatorState, job: Job, client: httpx.AsyncClient) -> None:
    """Wait for `job` to end, then POST its status body once; the outcome is kept in `job.webhook`."""
    import httpx

    assert job.webhook is not None
    end = job.created_mono + job.seconds
    while (left := end - state.clock.monotonic()) > 0:  # in short steps: a test may advance the clock
        await asyncio.sleep(min(left, 0.02))
    if job.video is not None:
        await asyncio.wait([asyncio.wrap_future(job.video)])
    phase = job.phase()
    while phase not in END_PHASES:  # the video finished a hair before the job's clock says so
        await asyncio.sleep(0.01)
        phase = job.phase()
    if state.job(job.request_id) is not job or job.webhook.suppressed:
        return
    body = final_body(state, job, phase)
    job.webhook.sent_at = state.clock.time()
    try:
        response = await client.post(job.webhook.url, json=body, timeout=state.options.webhook_timeout)
        job.webhook.status_code = response.status_code
    except httpx.HTTPError as exc:  # a receiver that is down must not disturb the emulator
        job.webhook.error = f"{type(exc).__name__}: {exc}"
    finally:
        job.webhook.done = True
