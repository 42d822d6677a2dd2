"""The one closed vocabulary of a journaled job's states, with the questions the code asks of them.

submitting -> queued -> running -> succeeded -> downloaded
    |            \\________\\__________> failed
    +-> rejected (the gateway refused the submit: nothing made)
    +-> unknown  (the submit may or may not have been made: never resent)
"""

from __future__ import annotations

from enum import StrEnum


class JobState(StrEnum):
    """Where a paid job stands in the journal (a `str`: rows and JSON keep the plain word)."""

    SUBMITTING = "submitting"
    """The row is written and the submit is on its way: the gateway may be making the job."""
    UNKNOWN = "unknown"
    """The submit got no usable answer: the job may exist and be paid for."""
    REJECTED = "rejected"
    """The gateway refused the submit: nothing was made."""
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    """Done upstream; its video is not saved yet."""
    FAILED = "failed"
    DOWNLOADED = "downloaded"

    @property
    def is_in_flight(self) -> bool:
        """Submitted or being submitted, not ended: something will still happen to it."""
        return self in _IN_FLIGHT

    @property
    def may_repeat(self) -> bool:
        """An identical request now would most likely pay for this job again (a call given up on)."""
        return self in _IN_FLIGHT or self is JobState.UNKNOWN

    @property
    def owns_output(self) -> bool:
        """Its output file is its own: a video will be saved there, or was (if the file is still there)."""
        return self in _IN_FLIGHT or self in (JobState.SUCCEEDED, JobState.DOWNLOADED)

    @property
    def is_resumable(self) -> bool:
        """`seedance resume` has work to do on it (waiting; or downloading, when a download is wanted)."""
        return self in _IN_FLIGHT or self is JobState.SUCCEEDED

    @property
    def is_prunable(self) -> bool:
        """It ended and nothing is left to check: pruning old rows may delete it."""
        return self in (JobState.REJECTED, JobState.FAILED, JobState.DOWNLOADED)


_IN_FLIGHT = frozenset({JobState.SUBMITTING, JobState.QUEUED, JobState.RUNNING})
