"""The download target writes real files: whole, hashed, renamed into place, resumable, past the writeback step."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from seedance.download import WRITEBACK_BYTES, DownloadTarget
from seedance.errors import DownloadError

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


def test_a_full_disk_is_a_download_error_that_names_the_file_and_keeps_the_job() -> None:
    """Writing into /dev/full (a real ENOSPC) ends in DownloadError (exit 10) with the job id in its remedy."""
    target = DownloadTarget(Path("video.mp4"), request_id="pixazo-123")
    target.part_path.symlink_to("/dev/full")
    target.begin(200, {"content-length": str(2 * WRITEBACK_BYTES)})

    def fill() -> None:
        for _ in range(2 * WRITEBACK_BYTES // 65536):
            target.write(content(65536))

    with pytest.raises(DownloadError) as caught:
        fill()
    target.close(quiet=True)  # what the drivers do after a failed transfer: no second error hides the first
    error = caught.value
    assert error.exit_code == 10
    assert target.part_path.name in error.message
    assert "No space left on device" in error.message
    assert "`seedance download pixazo-123`" in error.remedy
    assert not Path("video.mp4").exists()


WRITEBACK_FLUSH_FAILS = """
import resource, signal, sys
from pathlib import Path
from seedance.download import WRITEBACK_BYTES, DownloadTarget
from seedance.errors import DownloadError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (WRITEBACK_BYTES - 10, resource.RLIM_INFINITY))
target = DownloadTarget(Path(sys.argv[1]), request_id="pixazo-9")
target.begin(200, {})
target.write(b"\\x00\\x00\\x00\\x18ftypisom" + bytes(WRITEBACK_BYTES - 4016))  # straight to the file
try:
    target.write(bytes(5000))  # a short read stays in the buffer until the writeback step flushes it
except DownloadError as exc:
    target.close(quiet=True)
    print(exc.exit_code, exc.message, "|", exc.remedy)
"""


def test_a_disk_error_while_handing_bytes_to_the_disk_is_a_download_error(tmp_path: Path) -> None:
    """The writeback step flushes a short buffered read; a file-size limit hit there is a DownloadError too."""
    done = subprocess.run(
        [sys.executable, "-c", WRITEBACK_FLUSH_FAILS, str(tmp_path / "video.mp4")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("10 could not write "), done.stdout
    assert re.search(r"video\.mp4\.[0-9a-f]{8}\.part: File too large", done.stdout), done.stdout
    assert "`seedance download pixazo-9`" in done.stdout
    assert "Traceback" not in done.stderr


def test_two_downloads_of_one_job_never_write_into_one_part_file(tmp_path: Path) -> None:
    """While one download holds a job's part file, a second (same job, same path) is refused with a
    DownloadError saying so (exit 10); once the first is saved, the part file is free again."""
    data = content(200_000)
    first = DownloadTarget(tmp_path / "video.mp4", request_id="pixazo-7")
    second = DownloadTarget(tmp_path / "video.mp4", request_id="pixazo-7")
    first.begin(200, {"content-length": str(len(data))})
    with pytest.raises(DownloadError) as caught:
        second.begin(200, {"content-length": str(len(data))})
    assert caught.value.exit_code == 10
    assert "another download of this job is writing" in caught.value.message
    first.write(data)
    first.finish()
    second.begin(200, {"content-length": str(len(data))})  # free again
    second.write(data)
    path, _, _ = second.finish()
    assert path.read_bytes() == data
