"""The download target writes real files: whole, hashed, renamed into place, resumable, past the writeback step."""

from __future__ import annotations

import hashlib
from pathlib import Path

from seedance.download import WRITEBACK_BYTES, DownloadTarget

MP4_HEAD = b"\x00\x00\x00\x18ftypisom"


def content(size: int) -> bytes:
    """An MP4-looking byte string of `size` bytes with varied content (so a hash catches any reordering)."""
    body = bytes(range(256)) * (size // 256 + 1)
    return (MP4_HEAD + body)[:size]


def test_a_file_larger_than_the_writeback_step_arrives_whole() -> None:
    """Bytes handed to the disk early are still all there, in order, with the right sha256."""
    data = content(WRITEBACK_BYTES + 3 * 65536 + 17)
    target = DownloadTarget(Path("video.mp4"))
    target.begin(200, {"content-length": str(len(data))})
    for start in range(0, len(data), 65536):
        target.write(data[start : start + 65536])
    path, size, digest = target.finish()
    assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())
    assert path.read_bytes() == data
    assert not target.part_path.exists()


def test_a_resumed_download_appends_after_what_is_on_disk() -> None:
    """After a 206 that starts where the part file ends, the result is the whole file and its hash."""
    data = content(300_000)
    target = DownloadTarget(Path("out") / "video.mp4")
    target.part_path.parent.mkdir()
    target.part_path.write_bytes(data[:120_000])
    assert target.request_headers() == {"Range": "bytes=120000-"}
    target.begin(206, {"content-range": f"bytes 120000-{len(data) - 1}/{len(data)}"})
    target.write(data[120_000:])
    path, size, digest = target.finish()
    assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())
    assert path.read_bytes() == data
