"""Local media inputs: check a file (exists, type by content, size) and turn it into a `data:` URI.

URLs (`http(s)://`, `data:`) pass through unchanged; anything else must be a readable local file.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Literal

from seedance import catalog
from seedance.errors import InputError

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


def check_file(value: str, kind: MediaKind) -> tuple[Path, str, int]:
    """Check a local media file; return (path, mime type, size). Raise InputError saying what to fix."""
    path = Path(value).expanduser()
    if not path.is_file():
        raise InputError(
            f"{kind} file not found: {value}", hint="give an existing file path or an https:// URL"
        )
    size = path.stat().st_size
    with path.open("rb") as fh:
        mime = sniff_mime(fh.read(16))
    allowed, max_bytes = _LIMITS[kind]
    if mime not in allowed:
        found = mime or "not a known media type"
        names = ", ".join(t.split("/")[1] for t in allowed)
        raise InputError(f"{value}: expected a {kind} ({names}), found {found}")
    if size > max_bytes:
        raise InputError(
            f"{value}: {size / 1e6:.1f} MB is over the {max_bytes // (1024 * 1024)} MB limit for a {kind}"
        )
    if size == 0:
        raise InputError(f"{value}: the file is empty")
    return path, mime, size


def to_url(value: str, kind: MediaKind) -> str:
    """Return a URL for a media reference: URLs unchanged, local files as checked base64 `data:` URIs."""
    if is_url(value):
        return value
    path, mime, _ = check_file(value, kind)
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def summarize_data_uri(url: str) -> str:
    """Shorten a `data:` URI to its type, size and sha256, for dry runs and the journal; other URLs unchanged."""
    match = re.match(r"^data:([^;,]+)?(;base64)?,", url)
    if not match:
        return url
    payload = url[match.end() :]
    raw = base64.b64decode(payload) if match.group(2) else payload.encode()
    digest = hashlib.sha256(raw).hexdigest()
    return f"data:{match.group(1) or ''};base64,<{len(raw)} bytes sha256={digest}>"
