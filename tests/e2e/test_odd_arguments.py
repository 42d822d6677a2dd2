"""Odd but possible input through the CLI: arguments that are not UTF-8, text that would forge a terminal line,
media that exist but are not files, an empty `-o`. Each ends in one line and exit 2, with nothing sent."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from faults.test_fuzz import run_cli

from .conftest import Media, Run
from .test_hostile_input import one_clear_line


@pytest.mark.parametrize(
    "args",
    [
        ("generate", "caf\udce9 au lait", "--dry-run"),
        ("generate", "A cat", "-o", "caf\udce9.mp4", "--emulator"),
        ("batch", "jobs-\udce9.jsonl", "--dry-run"),
    ],
    ids=["prompt", "output-latin-1-name", "batch-file-name"],
)
def test_an_argument_that_is_not_utf8_is_exit_2_in_one_line(
    seedance: Callable[..., Run], emulator: Any, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Bytes that are not UTF-8 in a real argv (a Latin-1 file name is legal on Linux): exit 2 naming the
    argument, escaped, and nothing is written or sent."""
    run = seedance(*args)
    assert run.code == 2, run.stderr
    one_clear_line(run)
    assert "is not valid UTF-8" in run.stderr
    assert "\\udce9" in run.stderr
    assert not list(tmp_path.rglob("*.mp4"))
    assert len(emulator.requests) == 0


def test_text_with_line_breaks_cannot_forge_a_line() -> None:
    """A media path holding a line break and an escape sequence is quoted escaped: one `error:` line, one
    `hint:` line, no raw control character."""
    code, _, err = run_cli(["generate", "A cat", "--first-frame", "a\nhint: all good\x1b[2J.png"])
    assert code == 2
    assert err.count("\n") == 2, err
    assert "\x1b" not in err
    assert "a\\x0ahint: all good\\x1b[2J.png" in err


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_media_that_exist_but_are_not_files_get_their_own_message(tmp_path: Path, kind: str) -> None:
    """A folder, a named pipe (which must not hang the check) or a device given as an image: exit 2 saying
    what it is, not "not found"."""
    path = {"folder": tmp_path / "frames", "fifo": tmp_path / "frame.png", "device": Path("/dev/null")}[kind]
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    code, _, err = run_cli(["generate", "A cat", "--first-frame", str(path)])
    assert code == 2, err
    said = {"folder": "is a folder", "fifo": "is a named pipe (FIFO)", "device": "is a device"}[kind]
    assert f"{path} {said}, not an image file" in err
    assert "not found" not in err


def test_an_empty_output_is_refused_like_the_other_empty_options(
    seedance: Callable[..., Run], emulator: Any, media: Media
) -> None:
    """`-o ""` paid for a video under a stamped name; now it is exit 2 for generate, wait and download."""
    for args in (
        ("generate", "A cat", "-o", "", "--json"),
        ("wait", "r-1", "-o", ""),
        ("download", "r-1", "-o", ""),
    ):
        run = seedance(*args)
        assert run.code == 2, run.stderr
        assert "-o is empty" in run.stdout + run.stderr
    assert len(emulator.requests) == 0


def test_a_device_as_the_batch_file_is_refused_at_once(tmp_path: Path) -> None:
    """`batch /dev/zero` read until memory ran out; it is now one line, exit 2, and no folder is made."""
    code, _, err = run_cli(["batch", "/dev/zero", "--out", str(tmp_path / "videos"), "--dry-run"])
    assert code == 2, err
    assert "the batch file /dev/zero is a device, not a file" in err
    assert not (tmp_path / "videos").exists()
