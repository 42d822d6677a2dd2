"""Local media inputs: check a file (exists, type by content, size) and turn it into a `data:` URI.

`http(s)://` URLs pass through unchanged; `data:` URIs are checked like files (type, base64, size); anything
else must be a readable local file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Any, Literal

from seedance import catalog
from seedance.config import expand_home
from seedance.errors import InputError, shown

MediaKind = Literal["image", "video", "audio"]

_LIMITS: dict[MediaKind, tuple[tuple[str, ...], int]] = {
    "image": (catalog.IMAGE_TYPES, catalog.MAX_IMAGE_BYTES),
    "video": (catalog.VIDEO_TYPES, catalog.MAX_VIDEO_BYTES),
    "audio": (catalog.AUDIO_TYPES, catalog.MAX_AUDIO_BYTES),
}


def sniff_mime(head: bytes) -> str | None:
    """Return the MIME type of a file from its first bytes, or None when it is not a known media type."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def is_url(value: str) -> bool:
    """Whether a media reference is a URL to pass through rather than a local path."""
    return bool(re.match(r"(?i)^(https?://|data:)", value))


def absolute(value: Any, base: Path | None = None, *, resolve: bool = False) -> Any:
    """A media value (or list of them) with its local paths made absolute against `base` (None: the current
    folder, looked up only for a relative path); URLs as given. `resolve` also resolves paths given absolute
    (symlinks, `..`), so that one file has one name; relative ones always are."""
    if isinstance(value, list):
        return [absolute(v, base, resolve=resolve) for v in value]
    if isinstance(value, str) and value and not is_url(value):
        path = expand_home(value)
        if path.is_absolute():
            return str(path.resolve() if resolve else path)
        return str(((Path.cwd() if base is None else base) / path).resolve())
    return value


_NAMED: dict[MediaKind, str] = {"image": "an image", "video": "a video", "audio": "an audio file"}
_SHORT = {"quicktime": "mov", "mpeg": "mp3"}
_ALIASES = {
    "image/jpg": "image/jpeg",
    "audio/mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
}
MIB = 1024 * 1024


def _formats(kind: MediaKind) -> str:
    return ", ".join(_SHORT.get(t.split("/")[1], t.split("/")[1]) for t in _LIMITS[kind][0])


def _too_big(where: str, size: int, kind: MediaKind) -> InputError:
    """The size-limit error, in MiB throughout (the limits are binary: 30 MiB is 30 x 1024 x 1024 bytes)."""
    limit = _LIMITS[kind][1]
    shown = f"{size / MIB:.1f}" if round(size / MIB, 1) > limit / MIB else f"{size / MIB:.3f}"
    return InputError(
        f"{where}: {shown} MiB is over the {limit / MIB:g} MiB limit for {_NAMED[kind]}",
        hint="use a smaller file (shorter, or more compressed)",
    )


def _open_media(value: str, kind: MediaKind) -> tuple[int, os.stat_result]:
    """Open a local media file for reading; return (descriptor, its stat). Raise InputError saying what to fix.

    The checks are made on the opened file (fstat), so what is read is what was checked, even if the path
    is swapped meanwhile; O_NONBLOCK keeps a FIFO from hanging the open (it is then refused as not a file).
    """
    path = expand_home(value)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(
            f"{kind} file not found: {shown(value)}", hint="give an existing file path or an https:// URL"
        ) from None
    except IsADirectoryError:
        raise _not_a_file(value, kind, "a folder") from None
    except OSError as exc:  # no permission, an I/O error: say which file, in one line
        raise InputError(
            f"cannot read the {kind} file {shown(value)}: {exc.strerror or exc}",
            hint="give a file you can read",
        ) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _not_a_file(value, kind, _file_type(info.st_mode))
    return fd, info


def _file_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_a_file(value: str, kind: MediaKind, what: str) -> InputError:
    return InputError(
        f"{shown(value)} is {what}, not {_NAMED[kind]} file",
        hint=f"give the path of {_NAMED[kind]} file (a regular file) or an https:// URL",
    )


def _read_checked(value: str, kind: MediaKind, *, whole: bool) -> tuple[Path, str, int, bytes]:
    """Open, check and read a media file in one go: (path, mime type, size, bytes read).

    `whole` reads the whole file (bounded by the kind's size limit), else only its first bytes for the type.
    """
    fd, info = _open_media(value, kind)
    allowed, max_bytes = _LIMITS[kind]
    try:
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(max_bytes + 1 if whole else 16)
    except OSError as exc:
        raise InputError(
            f"cannot read the {kind} file {shown(value)}: {exc.strerror or exc}",
            hint="give a file you can read",
        ) from None
    size = len(data) if whole else info.st_size
    mime = sniff_mime(data[:16])
    if mime not in allowed:
        found = mime or "not a known media type"
        raise InputError(f"{shown(value)}: expected {_NAMED[kind]} ({_formats(kind)}), found {found}")
    if size > max_bytes:
        raise _too_big(shown(value), size, kind)
    if size == 0:
        raise InputError(f"{shown(value)}: the file is empty")
    return expand_home(value), mime, size, data


def check_file(value: str, kind: MediaKind) -> tuple[Path, str, int]:
    """Check a local media file; return (path, mime type, size). Raise InputError saying what to fix."""
    path, mime, size, _ = _read_checked(value, kind, whole=False)
    return path, mime, size


def check_data_uri(value: str, kind: MediaKind) -> str:
    """Check a `data:` URI given for a media slot; return it tidied (`data:TYPE;base64,PAYLOAD`).

    It must be base64, of a media type of the slot's kind, decode to a non-empty file under the size limit,
    and its bytes must be such a file. Raise InputError (one line, without echoing the payload) otherwise.
    """
    head, comma, payload = value.partition(",")
    params = [p.strip().lower() for p in head[len("data:") :].split(";")]
    allowed, max_bytes = _LIMITS[kind]
    example = f"data:{allowed[0]};base64,..."
    if not comma or "base64" not in params[1:]:
        raise InputError(f"a data: URI for {_NAMED[kind]} must be base64, like {example}")
    declared = _ALIASES.get(params[0], params[0])
    if declared not in allowed:
        raise InputError(
            f"a data: URI of type {params[0] or '(none)'!r} cannot be {_NAMED[kind]} ({_formats(kind)})",
            hint=f"start it like {example}",
        )
    payload = "".join(payload.split())  # line breaks from a pasted value are not part of the data
    if len(payload) // 4 * 3 > max_bytes + 2:
        raise _too_big(f"data:{declared} URI", len(payload) // 4 * 3, kind)
    try:
        raw = base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise InputError(f"the data:{declared} URI is not valid base64 ({exc})") from exc
    if not raw:
        raise InputError(f"the data:{declared} URI is empty")
    if len(raw) > max_bytes:
        raise _too_big(f"data:{declared} URI", len(raw), kind)
    found = sniff_mime(raw[:16])
    if found not in allowed:
        raise InputError(
            f"the data:{declared} URI does not hold {_NAMED[kind]} ({_formats(kind)}): "
            f"found {found or 'not a known media type'}"
        )
    return f"data:{declared};base64,{payload}"


def check(value: str, kind: MediaKind) -> str:
    """Check a media reference as `to_url` would, without reading or encoding a local file; return it as is.

    For checks before anything else (the key, the network): a missing file is the thing to fix first.
    """
    if value[:5].lower() == "data:":
        check_data_uri(value, kind)
    elif not is_url(value):
        check_file(value, kind)
    return value


def to_url(value: str, kind: MediaKind) -> str:
    """Return a URL for a media reference: http(s) URLs unchanged, `data:` URIs checked, local files as
    checked base64 `data:` URIs."""
    if value[:5].lower() == "data:":
        return check_data_uri(value, kind)
    if is_url(value):
        return value
    _, mime, _, raw = _read_checked(value, kind, whole=True)  # what is sent is what was checked
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"


def summary_url(value: str, kind: MediaKind) -> str:
    """What the journal keeps of a media reference once sent (`summarize_data_uri` of what `to_url` would
    send), computed without base64: a local file becomes its type, size and sha256, wherever it lies."""
    if value[:5].lower() == "data:":
        return summarize_data_uri(value)
    if is_url(value):
        return value
    _, mime, size, raw = _read_checked(value, kind, whole=True)
    return f"data:{mime};base64,<{size} bytes sha256={hashlib.sha256(raw).hexdigest()}>"


def summarize_data_uri(url: str) -> str:
    """Shorten a `data:` URI to its type, size and sha256, for dry runs and the journal; other URLs unchanged."""
    match = re.match(r"^data:([^;,]+)?(;base64)?,", url)
    if not match:
        return url
    payload = url[match.end() :]
    try:
        raw = base64.b64decode(payload) if match.group(2) else payload.encode()
    except (binascii.Error, ValueError):
        return f"data:{match.group(1) or ''};base64,<not valid base64, {len(payload)} characters>"
    digest = hashlib.sha256(raw).hexdigest()
    return f"data:{match.group(1) or ''};base64,<{len(raw)} bytes sha256={digest}>"
