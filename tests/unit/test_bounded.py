"""Bounded reading: a source past its limit, or with a line past the line limit, is refused without being
held whole; devices and folders are refused at once; pipes are streamed."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from seedance import auth, errors
from seedance.bounded import TooLarge, read_file, read_stream


class Endless(io.RawIOBase):
    """A stream that never ends (like /dev/zero behind a pipe), counting what was read from it."""

    def __init__(self, pattern: bytes) -> None:
        self.pattern = pattern
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        chunk = (self.pattern * (size // len(self.pattern) + 1))[:size]
        buffer[:size] = chunk
        self.served += size
        return size


def test_an_endless_stream_is_refused_after_the_limit_only() -> None:
    """Endless short lines: refused once past the limit, having read at most one chunk more."""
    source = Endless(b'{"prompt": "a"}\n')
    with pytest.raises(TooLarge, match="larger than 3 MiB"):
        read_stream(io.BufferedReader(source), 3 * 1024 * 1024, "standard input", line_limit=1024)
    assert source.served <= 5 * 1024 * 1024


def test_one_endless_line_is_refused_at_the_line_limit_across_chunks() -> None:
    """No line break ever: refused once the line passes its limit, long before the file limit."""
    source = Endless(b"x")
    with pytest.raises(TooLarge, match="a line longer than 2 MiB"):
        read_stream(
            io.BufferedReader(source), 100 * 1024 * 1024, "the batch file", line_limit=2 * 1024 * 1024
        )
    assert source.served <= 4 * 1024 * 1024


@pytest.mark.parametrize("shift", [0, 1, 1000, 1024 * 512, 1024 * 1024 - 2])
def test_lines_at_the_limit_pass_wherever_the_chunks_cut_them(shift: int) -> None:
    """Lines exactly as long as the limit pass, wherever the 1 MiB read chunks cut them (short lines first
    shift them); one byte more is refused."""
    limit = 1024 * 1024
    data = b"a\n" * (shift // 2) + b"b" * limit + b"\n" + b"c" * limit
    assert read_stream(io.BytesIO(data), 10 * limit, "f", line_limit=limit) == data
    with pytest.raises(TooLarge):
        read_stream(io.BytesIO(data + b"c"), 10 * limit, "f", line_limit=limit)


def test_devices_and_folders_are_refused_and_pipes_are_read(tmp_path: Path) -> None:
    """/dev/zero and a folder: one line each; a FIFO is read to its end like a file."""
    with pytest.raises(errors.InputError, match="is a device"):
        read_file(Path("/dev/zero"), 1024, "the batch file")
    with pytest.raises(errors.InputError, match="is a folder"):
        read_file(tmp_path, 1024, "the batch file")
    fifo = tmp_path / "lines"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(b'{"prompt": "a"}\n'))
    writer.start()
    assert read_file(fifo, 1024, "the batch file") == b'{"prompt": "a"}\n'
    writer.join()


def test_a_huge_key_file_is_a_key_error_not_a_memory_error(tmp_path: Path) -> None:
    """A key file of 1 MiB (a log written there by mistake) is refused as not a key, without reading it all."""
    path = tmp_path / "api-key"
    path.write_bytes(b"k" * 1024 * 1024)
    path.chmod(0o600)
    with pytest.raises(errors.KeyMissingError, match="larger than 64 KiB"):
        auth.read_key_file(path)
