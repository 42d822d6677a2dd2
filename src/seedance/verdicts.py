"""When a wait for a job is over, and how: one pure decision for the client's wait and the batch's poller.

After each status answer the waiter asks `judge`: keep waiting, or stop with the finished status (it has a
video URL) or with the error to raise or record. A job that says it is done but gives no usable video URL is
looked at a few more times (a status written before its output), then left as not ready: it succeeded and is
paid for, so the advice is to look again later, never to generate it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from seedance import errors
from seedance.models import JobStatus, State

LOOKS_WITHOUT_URL = 3
"""How many more status answers a done job may give without its video URL before the wait gives up."""


@dataclass(frozen=True)
class Verdict:
    """What to do after one status answer."""

    over: bool
    status: JobStatus | None = None
    """The finished job, with its video URL (when the wait ended well)."""
    error: errors.SeedanceError | None = None
    """Why the wait ended without a video: GenerationFailed, NotReadyError (done, no URL) or PollTimeout."""
    looks_without_url: int = 0
    """How many answers so far said done without a URL (hand it back to the next `judge`)."""


def judge(
    status: JobStatus, *, request_id: str, looks_without_url: int, elapsed: float, timeout: float
) -> Verdict:
    """Decide whether waiting for `request_id` is over after `status`, `elapsed` seconds into a wait that
    may last `timeout` seconds."""
    if status.state is State.FAILED:
        failed = errors.GenerationFailed(
            f"the job ended {status.raw_status}: {status.error}",
            request_id=request_id,
            status=status.raw_status,
        )
        return Verdict(True, error=failed)
    if status.state is State.SUCCEEDED:
        if status.video_url:
            return Verdict(True, status=status)
        looks_without_url += 1
        if looks_without_url > LOOKS_WITHOUT_URL:
            # The job succeeded (and is paid for): its video may still appear. Never advise a new job.
            missing = errors.NotReadyError(
                f"the job is {status.raw_status} but the gateway gave no usable video URL",
                request_id=request_id,
                hint=f"the video may still appear: check again later with `seedance wait {request_id}` "
                "(or on your dashboard); do not resubmit, the job is done and paid for",
            )
            return Verdict(True, error=missing, looks_without_url=looks_without_url)
    if elapsed >= timeout:
        late = errors.PollTimeout(
            f"gave up waiting after {elapsed:.0f} s; the job was still {status.raw_status}",
            request_id=request_id,
        )
        return Verdict(True, error=late, looks_without_url=looks_without_url)
    return Verdict(False, looks_without_url=looks_without_url)
