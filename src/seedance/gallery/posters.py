"""Poster frames: one small JPEG per video, decoded and encoded locally with PyAV (no Pillow, no ffmpeg CLI).

PyAV is optional: without it, or without the video file, `make_poster` says why in `Poster.note` and the page
shows that note where the picture would be. Posters are reused while they are newer than their video.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

POSTER_WIDTH = 480
"""The width of poster images in pixels (height follows the video's aspect ratio, rounded to even)."""

POSTER_AT = 0.25
"""Where in the video the poster frame is taken, as a share of its length (capped at one second in)."""


@dataclass(frozen=True)
class Poster:
    """What is known about one job's video file: its poster (or why there is none) and its measured length."""

    path: Path | None
    """The poster JPEG, or None when none could be made."""
    note: str | None
    """Why there is no poster (or video); None when all is well."""
    video_exists: bool
    """Whether the video file is on disk."""
    duration_s: float | None = None
    """The video's length measured from the file, when PyAV could read it."""


def make_poster(video: Path | None, target: Path) -> Poster:
    """Write the poster of `video` to `target` (a .jpg), or return a Poster whose note says why not."""
    if video is None:
        return Poster(None, "no video file was saved for this job", False)
    if not video.is_file():
        return Poster(None, f"video file missing: {video}", False)
    try:
        import av
    except ImportError:
        return Poster(None, "no poster: PyAV is not installed (pip install av)", True)
    try:
        with av.open(str(video)) as container:
            if not container.streams.video:
                return Poster(None, "no poster: the file has no video stream", True)
            duration = container.duration / av.time_base if container.duration else None
            if _is_fresh(target, video):
                return Poster(target, None, True, duration)
            frame = _frame_at(container, min(1.0, (duration or 0.0) * POSTER_AT))
            if frame is None:
                return Poster(None, "no poster: no frame could be decoded", True, duration)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_jpeg(av, frame))
            return Poster(target, None, True, duration)
    except (av.FFmpegError, OSError, ValueError) as exc:
        return Poster(None, f"no poster: the video could not be read ({exc})", True)


def _is_fresh(poster: Path, video: Path) -> bool:
    try:
        return poster.stat().st_mtime >= video.stat().st_mtime
    except OSError:
        return False


def _frame_at(container: Any, seconds: float) -> Any:
    """Return the first decoded frame at or after `seconds` (or the last one before the end)."""
    stream = container.streams.video[0]
    if seconds > 0 and stream.time_base:
        container.seek(int(seconds / stream.time_base), stream=stream, backward=True)
    found = None
    for frame in container.decode(stream):
        found = frame
        if frame.time is None or frame.time >= seconds:
            break
    return found


def _jpeg(av: Any, frame: Any) -> bytes:
    """Encode one frame as a baseline JPEG of POSTER_WIDTH pixels wide with PyAV's MJPEG encoder."""
    width = min(POSTER_WIDTH, frame.width)
    height = max(2, round(frame.height * width / frame.width / 2) * 2)
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuvj420p"
    codec.time_base = Fraction(1, 25)
    codec.options = {"qmin": "2", "qmax": "6"}
    small = frame.reformat(width=width, height=height, format="yuvj420p")
    small.pts = None
    return b"".join(bytes(packet) for packet in (*codec.encode(small), *codec.encode(None)))
