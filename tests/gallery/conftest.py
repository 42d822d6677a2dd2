"""Helpers for the gallery tests: real journal rows written through the journal's own API, real MP4 files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from seedance.journal import Journal
from seedance.models import JobStatus, State

XSS_PROMPT = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def write_mp4(path: Path, seconds: int = 1, size: tuple[int, int] = (320, 180)) -> Path:
    """Write a small real H.264 MP4 (a moving bar) with PyAV."""
    av = pytest.importorskip("av")
    np = pytest.importorskip("numpy")
    width, height = size
    fps = 12
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(seconds * fps):
            frame = np.full((height, width, 3), (30, 60, 120), dtype=np.uint8)
            x = (width - 20) * i // max(1, seconds * fps - 1)
            frame[:, x : x + 20] = (250, 200, 0)
            picture = av.VideoFrame.from_ndarray(frame, format="rgb24")
            picture.pts = i
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return path


def add_job(
    journal: Journal,
    *,
    prompt: str | None = "a cat surfing",
    model: str = "seedance-1.0-pro",
    operation: str = "text-to-video",
    state: str = "downloaded",
    video: Path | None = None,
    error: str | None = None,
    settings: dict[str, Any] | None = None,
) -> str:
    """Record one job in the journal the way the client does (submission, status, download)."""
    local_id = journal.record_submission(
        operation=operation,
        model=model,
        prompt=prompt,
        body={"prompt": prompt},
        settings={"prompt": prompt, "model": model, "duration": 5, "resolution": "720p", **(settings or {})},
        output_path=str(video) if video else None,
    )
    request_id = f"req-{local_id}"
    journal.mark_submitted(local_id, request_id=request_id, polling_url=None, attempts=1, warnings=[])
    if state in ("downloaded", "succeeded"):
        journal.record_status(
            local_id,
            JobStatus(
                request_id=request_id, state=State.SUCCEEDED, raw_status="COMPLETED", video_url="http://x/v"
            ),
        )
    if state == "failed":
        journal.record_status(
            local_id, JobStatus(request_id=request_id, state=State.FAILED, raw_status="FAILED", error=error)
        )
    if state == "downloaded":
        assert video is not None
        size = video.stat().st_size if video.exists() else 0
        journal.mark_downloaded(local_id, path=str(video), size=size, sha256="0" * 64)
    return local_id
