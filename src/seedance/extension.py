"""Video extension: which clip an `--extend VIDEO` names, and where `--join` writes the clip made longer.

VIDEO is a file, an http(s) URL, or the id of a journal job whose video we have (its local id, request id
or a unique prefix). Chaining works by id: the job's saved video is sent (for a joined job, the bare new
segment it saved beside the joined file: upstream takes a source clip of at most 30 s), and `--join` then
appends the next segment to that job's joined file, so a chain of extensions grows one video.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seedance import media
from seedance.errors import InputError

SEGMENT_SUFFIX = ".segment"
"""`-o long.mp4 --join` keeps the bare new segment as `long.segment.mp4` (what the gateway returned)."""


@dataclass(frozen=True)
class ExtendSource:
    """The clip to send for an extension, and the video `--join` puts before the new segment."""

    send: str
    """A URL or an absolute file path: what goes into the request's `extend_video`."""
    join_base: str
    """What the joined file starts with: the source itself, or the joined file of the job extended."""
    job: str | None = None
    """The local id of the journal job named, if VIDEO was a job id."""


def segment_path(target: Path) -> Path:
    """Where the bare segment of a joined extension is kept: beside the joined file, `NAME.segment.mp4`."""
    return target.with_name(target.stem + SEGMENT_SUFFIX + target.suffix)


def joined_path(segment: Path) -> Path | None:
    """The joined file a bare segment belongs to, if it was kept under the `segment_path` name and exists."""
    if not segment.stem.endswith(SEGMENT_SUFFIX):
        return None
    joined = segment.with_name(segment.stem.removesuffix(SEGMENT_SUFFIX) + segment.suffix)
    return joined if joined.is_file() else None


def resolve_source(value: str, base: Path | None = None) -> ExtendSource:
    """Read an `--extend` value: a URL as given, a file made absolute, or a journal job's saved video."""
    value = value.strip()
    if not value:
        raise InputError("--extend is empty; give a video file, an http(s) URL or a job id")
    if media.is_url(value):
        return ExtendSource(value, value)
    path = Path(media.absolute(value, base, resolve=True))
    if path.is_file():
        return ExtendSource(str(path), str(path))
    return _from_journal(value)


def _from_journal(key: str) -> ExtendSource:
    from seedance.journal import Journal

    journal = Journal()
    record = journal.get(key)
    if record is None:
        several = journal.ambiguous(key)
        if several:
            raise InputError(
                f"--extend: {key!r} matches several jobs ({', '.join(several)}); give more of the id"
            )
        raise InputError(
            f"--extend: {key!r} is not a file, a URL or the id of a job in the journal",
            hint="give the clip to continue as a file, an http(s) URL, or a job id from `seedance jobs`",
        )
    saved = Path(record.output_path) if record.output_path else None
    if saved is None or not saved.is_file():
        raise InputError(
            f"--extend: job {record.local_id} has no saved video here (it is {record.state})",
            hint=f"`seedance download {record.local_id}` saves it first (or pass its video URL)",
        )
    joined = joined_path(saved)
    return ExtendSource(str(saved), str(joined or saved), record.local_id)
