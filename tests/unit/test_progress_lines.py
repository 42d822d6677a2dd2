"""What a followed job's line says: status and ticking seconds, then a download's bytes, percent and speed."""

from __future__ import annotations

from seedance.cli.progress import JobLine, Progress
from seedance.models import JobStatus, State


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_seconds_move_without_a_new_status() -> None:
    """The elapsed time is read when the line is drawn, not when the status last changed."""
    line = JobLine("job", started=100.0, status="PROCESSING")
    assert line.text(103.2) == "job: PROCESSING (3 s)"
    assert line.text(109.9) == "job: PROCESSING (10 s)"


def test_a_download_shows_bytes_percent_and_speed() -> None:
    """Halfway through a 2 MB download at 1 MB/s."""
    clock = Clock()
    progress = Progress(clock=clock, live=False)
    line = progress.add("job")
    clock.now = 104.0
    progress.progress(line, 0, 2_000_000)
    clock.now = 105.0
    progress.progress(line, 1_000_000, 2_000_000)
    assert line.text(clock.now) == "job: downloading 1.0 MB of 2.0 MB (50%), 1.0 MB/s (5 s)"


def test_every_job_has_its_own_line() -> None:
    """resume follows several jobs: one line each, the waiting ones too."""
    clock = Clock()
    progress = Progress(clock=clock, live=False)
    first, second = progress.add("job-1"), progress.add("job-2", "waiting its turn")
    progress.update(first, JobStatus(request_id="r", state=State.RUNNING, raw_status="PROCESSING"))
    clock.now = 102.0
    drawn = str(progress.__rich__())
    assert "job-1: PROCESSING (2 s)" in drawn
    assert "job-2: waiting its turn (2 s)" in drawn
    progress.remove(first)
    assert "job-1" not in str(progress.__rich__())
    assert second in progress.lines
