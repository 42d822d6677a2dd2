"""Read a batch file (JSONL, or CSV with a header) into checked requests, one per line, before anything is sent.

Every line goes through the same `VideoRequest` model as `seedance generate`, plus the local media checks,
so a batch is refused (with each bad line's number) before the first credit is spent. Relative media paths
are read from the batch file's folder. A line never chooses its output path: files are named from the line
number and a slug of the prompt (`0007-a-cat-walking.mp4`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedance import media
from seedance.errors import InputError
from seedance.models import VideoRequest, parse_request

ALIASES = {
    "ref_image": "ref_images",
    "ref_video": "ref_videos",
    "ref_audio": "ref_audios",
    "images": "ref_images",
    "edit": "edit_video",
    "audio": "generate_audio",
}
"""Other spellings of fields (the `generate` flag names, singular forms)."""

LIST_FIELDS = ("ref_images", "ref_videos", "ref_audios", "refs")
CSV_LIST_SEPARATOR = "|"
"""Separates several references in one CSV cell (`;` and `,` occur inside URLs and data URIs)."""

MEDIA_FIELDS: dict[str, media.MediaKind] = {
    "first_frame": "image",
    "last_frame": "image",
    "ref_images": "image",
    "ref_videos": "video",
    "ref_audios": "audio",
    "edit_video": "video",
}
_EXTENSIONS: dict[str, media.MediaKind] = {
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif"), "image"),
    **dict.fromkeys((".mp4", ".mov"), "video"),
    **dict.fromkeys((".mp3", ".wav"), "audio"),
}
_REFUSED = {"output", "out", "file", "path", "output_path"}


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


def read_batch(path: Path, batch_id: str = "") -> BatchFile:
    """Read and check every line of a batch file; raise InputError only when the file itself is unusable.

    `batch_id` names the batch in the journal (the CLI gives the id of the output folder: `prior.batch_id_for`).
    """
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the batch file {path}: {exc.strerror or exc}") from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text", hint="save the batch file as UTF-8") from None
    rows = _csv_rows(text, path) if _is_csv(path, text) else _jsonl_rows(text)
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


def _is_csv(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return False
    if path.suffix.lower() in (".csv", ".tsv"):
        return True
    first = next(
        (line.strip() for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#")), ""
    )
    return not first.startswith(
        "{"
    )  # JSONL may open with `#` comment lines; a CSV header never starts with {


def _jsonl_rows(text: str) -> list[tuple[int, dict[str, Any] | str]]:
    rows: list[tuple[int, dict[str, Any] | str]] = []
    # Lines end at "\n" only (a "\r" before it is dropped with the other edge whitespace). str.splitlines()
    # would also cut at U+2028, U+2029 and U+0085 (valid inside JSON strings) and at \x0b, \x0c, \x1c-\x1e
    # (which JSON wants escaped, but a line holding one is still one bad line): a line cut in two is reported
    # as broken, and every later line's number, so its output file name, would shift.
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            rows.append((number, f"not valid JSON: {exc.msg} (column {exc.colno})"))
            continue
        rows.append((number, data if isinstance(data, dict) else "not a JSON object ({...})"))
    return rows


def _csv_rows(text: str, path: Path) -> list[tuple[int, dict[str, Any] | str]]:
    dialect = "excel-tab" if "\t" in re.split(r"[\r\n]", text, maxsplit=1)[0] else "excel"
    _allow_fields_of(len(text))
    # newline="": records end at "\n", "\r\n" or a lone "\r" (old Mac), and line breaks inside quoted cells
    # are kept as they are.
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    rows: list[tuple[int, dict[str, Any] | str]] = []
    start = 1
    try:
        if not reader.fieldnames:
            return rows
        start = reader.line_num + 1  # the header has been read: the first record starts on the next line
        for record in reader:
            number, start = start, reader.line_num + 1
            row = _csv_row(record)
            if row is not None:
                rows.append((number, row))
    except csv.Error as exc:
        raise InputError(
            f"{path}: line {start} is not readable as CSV: {exc}", hint="save the batch file as CSV (UTF-8)"
        ) from None
    return rows


def _allow_fields_of(size: int) -> None:
    """Let the csv module read a cell as long as the whole file (its default limit is 131072 characters).

    The limit is process-wide, so it is only ever raised; a C long caps it on some platforms.
    """
    wanted = min(size + 1, 2**31 - 1)
    if csv.field_size_limit() < wanted:
        csv.field_size_limit(wanted)


def _csv_row(record: dict[str | Any, Any]) -> dict[str, Any] | str | None:
    """One CSV record's fields, a problem, or None for a record whose cells are all empty."""
    if None in record:
        return "more cells than the header has columns"
    data: dict[str, Any] = {}
    for key, value in record.items():
        value = (value or "").strip()
        if not value:  # an empty cell means "not given", so the model's default applies
            continue
        name = _field_name(key or "")
        data[key] = [v.strip() for v in value.split(CSV_LIST_SEPARATOR)] if name in LIST_FIELDS else value
    return data or None


def _field_name(key: str) -> str:
    name = key.strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(name, name)


def check_line(data: dict[str, Any], base: Path) -> VideoRequest:
    """Turn one line's fields into a checked VideoRequest (media files checked, paths made absolute)."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        name = _field_name(str(key))
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
    for name in MEDIA_FIELDS:
        if name in fields:
            fields[name] = _absolute(fields[name], base)
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


def _absolute(value: Any, base: Path) -> Any:
    """Local paths are read relative to the batch file's folder, and kept absolute in the journal."""
    if isinstance(value, list):
        return [_absolute(v, base) for v in value]
    if isinstance(value, str) and value and not media.is_url(value):
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else (base / path).resolve())
    return value
