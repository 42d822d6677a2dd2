"""Names for videos nobody named: `seedance-20261201-101500-a-cat.mp4`, never one another job has."""

from __future__ import annotations

import os
import unicodedata
from datetime import datetime
from pathlib import Path

from seedance.config import expand_home
from seedance.jobs.outputs import owner_of
from seedance.journal import Journal
from seedance.request import VideoRequest


def slug(text: str, words: int = 6, max_bytes: int = 60) -> str:
    """A short file-name-safe slug of a prompt: lower-case words joined by `-`.

    Accents are dropped (`café` -> `cafe`); letters of other scripts are kept (`猫が浜辺を歩く`) when the
    file system can name them. Only letters, digits, their combining marks and `-` survive, so no slug holds
    a separator, a dot or a control character; it is at most `max_bytes` bytes in UTF-8.
    """
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text.lower()):
        if unicodedata.category(char).startswith("M"):
            # A mark on a Latin letter is an accent to drop; on another script's letter it is part of it.
            if kept and not kept[-1].isascii() and kept[-1] != " ":
                kept.append(char)
        elif char.isalnum():
            kept.append(char)
        else:
            kept.append(" ")
    parts = unicodedata.normalize("NFC", "".join(kept)).split()[:words]
    try:
        os.fsencode("".join(parts))
    except UnicodeError:  # a file system encoding that cannot name these letters: keep the ASCII ones
        parts = "".join(c if c.isascii() else " " for c in " ".join(parts)).split()
    name = ""
    for char in "-".join(parts):
        if len((name + char).encode("utf-8")) > max_bytes:
            break
        name += char
    return name.rstrip("-") or "video"


def names_a_folder(output: str, path: Path | None = None) -> bool:
    """Whether `output` names a folder: a trailing separator (even for a folder not made yet), or a folder."""
    if output.endswith(("/", os.sep)) or (os.altsep is not None and output.endswith(os.altsep)):
        return True
    try:
        return (path or expand_home(output)).is_dir()
    except OSError:  # a name too long, no permission: the output check says so in one line
        return False


def names_itself(output: str | None) -> bool:
    """Whether the video's file name is ours to choose (no output given, or a folder)."""
    return output is None or names_a_folder(output)


def choose_target(output: str | None, request: VideoRequest, journal: Journal | None) -> Path:
    """Where the video goes: `output` (a file, or a folder to put it in), else a stamped name in the current
    folder, never one a file or another job's video already has (`-2`, `-3`, ... then)."""
    name = f"seedance-{datetime.now():%Y%m%d-%H%M%S}-{slug(request.prompt or request.op.kind.value)}.mp4"
    if output is None:
        return _unused(Path.cwd() / name, journal)
    path = expand_home(output)
    return _unused(path / name, journal) if names_a_folder(output, path) else path


def _unused(path: Path, journal: Journal | None) -> Path:
    candidate, n = path, 1
    while _exists(candidate) or (journal is not None and owner_of(journal, candidate.absolute()) is not None):
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long: said in one line by the output checks
        return False
