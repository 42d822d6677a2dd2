"""Serve a built gallery on 127.0.0.1: the page, its posters and the journal's videos, and nothing else.

The server answers from a fixed table built at start (URL path -> file or bytes); a request for any other
path is 404, and no request path is ever joined to a folder, so nothing else on disk can be reached. A file
is served only while it is the very file recorded at start (device, inode, size, modification time, checked
on the opened file, never through a symlink): a video swapped for a symlink to the key file, or replaced by
another file, is 404. A video must also have the size its job downloaded, per the journal.
Videos support single byte ranges so browsers can seek. Requests naming another host are refused
(DNS rebinding), and the server binds to the loopback interface only.
"""

from __future__ import annotations

import mimetypes
import os
import stat
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from seedance.gallery.build import Gallery

HOST = "127.0.0.1"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Resource:
    """One thing the server may answer with: a file on disk or bytes in memory, and its content type."""

    content_type: str
    path: Path | None = None
    data: bytes | None = None
    identity: tuple[int, int, int, int] | None = None
    """(device, inode, size, mtime in ns) of the file at start: what it must still be when served."""


def site_table(gallery: Gallery) -> dict[str, Resource]:
    """The complete list of URL paths (decoded, with a leading slash) the server answers, and what with."""
    page = Resource("text/html; charset=utf-8", data=gallery.render(served=True).encode("utf-8"))
    table = {"/": page, "/" + gallery.page.name: page}
    for entry in gallery.entries:
        poster = entry.poster.path
        if poster is not None and (identity := file_identity(poster)) is not None:
            table[f"/{gallery.files_dir.name}/{poster.name}"] = Resource("image/jpeg", poster, None, identity)
        media = gallery.media_path(entry)
        if media is not None and entry.video is not None:
            identity = file_identity(entry.video, size=entry.record.bytes_downloaded)
            if identity is not None:
                kind = mimetypes.guess_type(entry.video.name)[0] or "video/mp4"
                table["/" + media] = Resource(kind, entry.video, None, identity)
    return table


def file_identity(path: Path, size: int | None = None) -> tuple[int, int, int, int] | None:
    """The identity of the regular file at `path` (not through a symlink), or None when it is not one, or
    not of the expected `size` (a video is served only as big as its job downloaded it)."""
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or (size is not None and info.st_size != size):
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def open_recorded(resource: Resource) -> int | None:
    """Open a resource's file for reading; None unless the opened file is the one recorded at start.

    The check is made on the open descriptor (fstat), so the file read is the file checked: swapping the path
    for a symlink (refused by O_NOFOLLOW) or another file (another inode) between check and read gets nothing.
    """
    assert resource.path is not None
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(resource.path, flags)
    except OSError:
        return None
    info = os.fstat(fd)
    if (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns) != resource.identity or not stat.S_ISREG(
        info.st_mode
    ):
        os.close(fd)
        return None
    return fd


class GalleryServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 for one gallery; port 0 picks a free port (see `url`)."""

    daemon_threads = True

    def __init__(self, gallery: Gallery, port: int = 0) -> None:
        self.table = site_table(gallery)
        self._thread: threading.Thread | None = None
        super().__init__((HOST, port), _Handler)

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The page's URL."""
        return f"http://{HOST}:{self.port}/"

    def start(self) -> GalleryServer:
        """Serve in a background thread (for tests and embedding); `stop()` ends it."""
        # A short poll interval so `stop()` returns promptly (the default waits up to half a second).
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="seedance-gallery", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser dropping a video request midway is normal: say nothing; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: GalleryServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the CLI prints the URL, not one line per request."""

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, *, body: bool) -> None:
        allowed = {f"{HOST}:{self.server.port}", f"localhost:{self.server.port}"}
        if self.headers.get("Host", "") not in allowed:
            return self._plain(421, "wrong host", body)
        resource = self.server.table.get(unquote(urlsplit(self.path).path))
        if resource is None:
            return self._plain(404, "not found", body)
        if resource.data is not None:
            return self._send(200, resource.content_type, len(resource.data), {}, body, data=resource.data)
        fd = open_recorded(resource)
        if fd is None:
            return self._plain(404, "not found", body)
        with os.fdopen(fd, "rb") as source:
            return self._answer_file(resource, source, body)

    def _answer_file(self, resource: Resource, source: Any, body: bool) -> None:
        size = os.fstat(source.fileno()).st_size
        start, end = 0, size - 1
        status, extra = 200, {"Accept-Ranges": "bytes"}
        wanted = self.headers.get("Range")
        parsed = _parse_range(wanted, size) if wanted else None
        if parsed == UNSATISFIABLE:
            extra["Content-Range"] = f"bytes */{size}"
            return self._send(416, "text/plain", 0, extra, body)
        if isinstance(parsed, tuple):  # otherwise (several ranges, another unit, nonsense): the whole file
            start, end = parsed
            status, extra["Content-Range"] = 206, f"bytes {start}-{end}/{size}"
        return self._send(
            status, resource.content_type, end - start + 1, extra, body, source=source, start=start
        )

    def _plain(self, status: int, text: str, body: bool) -> None:
        data = text.encode()
        self._send(status, "text/plain; charset=utf-8", len(data), {}, body, data=data)

    def _send(
        self,
        status: int,
        content_type: str,
        length: int,
        headers: dict[str, str],
        body: bool,
        *,
        data: bytes | None = None,
        source: Any = None,
        start: int = 0,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not body or length == 0:
            return
        try:
            if data is not None:
                self.wfile.write(data)
            elif source is not None:
                source.seek(start)
                _copy(source, self.wfile, length)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _copy(source: Any, target: Any, length: int) -> None:
    left = length
    while left > 0:
        chunk = source.read(min(_CHUNK, left))
        if not chunk:
            break
        target.write(chunk)
        left -= len(chunk)


UNSATISFIABLE = "unsatisfiable"


def _parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; UNSATISFIABLE when it lies past the file; None when
    it is not one we serve (several ranges, another unit, nonsense): the server may then send the whole file
    (RFC 9110), which every client takes."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if not first:
            count = int(last)
            return (max(0, size - count), size - 1) if count > 0 and size > 0 else UNSATISFIABLE
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None
    return (start, end) if 0 <= start <= end else UNSATISFIABLE
