"""Read a batch file (JSONL, CSV with a header, or a .txt of prompts) into checked requests, before any send.

Every line goes through the same `VideoRequest` model as `seedance generate`, plus the local media checks,
so a batch is refused (with each bad line's number) before the first credit is spent. Relative media paths
are read from the batch file's folder. A line never chooses its output path: files are named from the line
number and a slug of the prompt (`0007-a-cat-walking.mp4`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedance import catalog, media
from seedance.batch.rows import ALIASES, CSV_LIST_SEPARATOR, LIST_FIELDS, field_name, split_rows
from seedance.bounded import MIB, read_file
from seedance.errors import InputError, shown
from seedance.request import MEDIA_KINDS, VideoRequest, parse_request

__all__ = [
    "ALIASES",
    "CSV_LIST_SEPARATOR",
    "LIST_FIELDS",
    "BatchFile",
    "BatchLine",
    "LineProblem",
    "read_batch",
]

MEDIA_FIELDS: dict[str, media.MediaKind] = MEDIA_KINDS
_EXTENSIONS: dict[str, media.MediaKind] = {
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif"), "image"),
    **dict.fromkeys((".mp4", ".mov"), "video"),
    **dict.fromkeys((".mp3", ".wav"), "audio"),
}
_REFUSED = {"output", "out", "file", "path", "output_path"}

MAX_BATCH_BYTES = 256 * MIB
"""The largest batch file read (a device or an endless pipe is refused once past it)."""
MAX_LINE_BYTES = max(catalog.MAX_IMAGE_BYTES, catalog.MAX_VIDEO_BYTES, catalog.MAX_AUDIO_BYTES) * 4 // 3 + MIB
"""The longest line read: room for the largest media file inline as a base64 `data:` URI."""


@dataclass(frozen=True)
class BatchLine:
    """One checked line of the batch file."""

    number: int
    """The line's number in the file (1-based; for CSV, the line the record starts on)."""
    request: VideoRequest
    name: str
    """The output file name, e.g. `0007-a-cat-walking.mp4`."""


@dataclass(frozen=True)
class LineProblem:
    """A line that cannot be run, and why."""

    number: int
    message: str
    prompt: str | None = None


@dataclass(frozen=True)
class BatchFile:
    """A parsed batch file: its good lines, its bad lines, and the batch's id in the journal."""

    path: Path
    batch_id: str
    lines: list[BatchLine]
    problems: list[LineProblem]


def slug(text: str | None, limit: int = 40) -> str:
    """A short, safe, lower-case slug of a prompt (ASCII letters, digits and dashes only)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0] if "-" in words[:limit] else words[:limit]
    return words.strip("-") or "video"


def output_name(number: int, prompt: str | None) -> str:
    """The file name for a line: its number (4 digits at least) and a slug of its prompt."""
    return f"{number:04d}-{slug(prompt)}.mp4"


def read_batch(path: Path, batch_id: str = "", content: bytes | None = None) -> BatchFile:
    """Read and check every line of a batch file; raise InputError only when the file itself is unusable.

    `batch_id` names the batch in the journal (the CLI gives the id of the output folder: `prior.batch_id_for`).
    `content` is the file's bytes when they come from elsewhere (standard input); `path` then only names it
    (relative media paths are read from its folder).
    """
    if content is None:
        content = read_file(path, MAX_BATCH_BYTES, "the batch file", line_limit=MAX_LINE_BYTES)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{shown(path)} is not UTF-8 text (line {line})", hint="save the batch file as UTF-8"
        ) from None
    rows = split_rows(path, text)
    lines: list[BatchLine] = []
    problems: list[LineProblem] = []
    for number, data in rows:
        if isinstance(data, str):
            problems.append(LineProblem(number, data))
            continue
        try:
            request = check_line(data, path.parent)
        except InputError as exc:
            prompt = data.get("prompt") if isinstance(data.get("prompt"), str) else None
            problems.append(LineProblem(number, exc.message, prompt))
            continue
        lines.append(BatchLine(number, request, output_name(number, request.prompt)))
    if not lines and not problems:
        raise InputError(f"{path} has no jobs", hint="write one JSON object per line, or a CSV with a header")
    return BatchFile(path, batch_id, lines, problems)


def check_line(data: dict[str, Any], base: Path) -> VideoRequest:
    """Turn one line's fields into a checked VideoRequest (media files checked, paths made absolute)."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        name = field_name(str(key))
        if name in _REFUSED:
            raise InputError(
                f"{key}: a batch line cannot choose its output path; files are named from the line number "
                "and the prompt (use --out DIR for the folder)"
            )
        if name in ("ref_images", "ref_videos", "ref_audios") and name in fields:
            fields[name] = _as_list(fields[name]) + _as_list(value)
        else:
            fields[name] = value
    for ref in _as_list(fields.pop("refs", [])):
        name = _ref_field(ref)
        fields[name] = [*_as_list(fields.get(name)), ref]
    if isinstance(fields.get("extend_video"), str):  # a file, a URL, or a journal job id (chaining)
        from seedance.extension import resolve_source

        fields["extend_video"] = resolve_source(fields["extend_video"], base).send
    for name in MEDIA_FIELDS:
        if name in fields:
            fields[name] = media.absolute(fields[name], base)  # kept absolute in the journal
    request = parse_request(fields)
    for name, kind in MEDIA_FIELDS.items():
        for value in _as_list(getattr(request, name)):
            if not media.is_url(value):
                media.check_file(value, kind)
    return request


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _ref_field(ref: Any) -> str:
    text = str(ref)
    if text.startswith("data:"):
        kind = text[5:].split("/", 1)[0]
    else:
        kind = _EXTENSIONS.get(Path(text.split("?", 1)[0]).suffix.lower(), "")
    if kind not in ("image", "video", "audio"):
        raise InputError(
            f"refs: cannot tell whether {text[:80]!r} is an image, a video or audio; "
            "list it under ref_images, ref_videos or ref_audios"
        )
    return f"ref_{kind}s"
