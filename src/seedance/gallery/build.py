"""Build the gallery from the journal: read the jobs, make the posters, write the page next to them.

Layout written: the page (default `gallery.html`) and a folder beside it named after the page's stem plus
`_files` (`gallery_files/<local_id>.jpg`) holding the posters. The page links each video by a relative URL
from the page's folder, so it plays when opened from disk; `render(served=True)` links the same videos under
`media/<local_id>/<file name>`, the only video URLs the gallery server answers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from seedance.errors import InputError
from seedance.gallery.page import GENERATOR, CardView, render_page
from seedance.gallery.posters import Poster, make_poster
from seedance.journal import JobRecord, Journal
from seedance.states import JobState

MEDIA_PREFIX = "media"
"""The URL folder under which the gallery server serves the journal's videos."""


@dataclass(frozen=True)
class Entry:
    """One job on the page: its record, its poster facts, and its video file when that is on disk."""

    record: JobRecord
    poster: Poster
    video: Path | None
    """The video file (absolute), None when the job has none or it is gone."""


@dataclass(frozen=True)
class Gallery:
    """A built gallery: where the page and posters are, and the entries shown, newest first."""

    page: Path
    """The HTML file written."""
    files_dir: Path
    """The folder of posters beside the page."""
    entries: tuple[Entry, ...]
    journal_path: str
    generated_at: datetime

    @property
    def posters(self) -> list[Path]:
        """The poster files the page uses."""
        return [e.poster.path for e in self.entries if e.poster.path is not None]

    def render(self, *, served: bool = False) -> str:
        """The page's HTML; `served` links videos under `media/` (for the server) instead of relative paths."""
        cards = [
            CardView(
                record=entry.record,
                poster=entry.poster,
                video_src=self._video_src(entry, served),
                poster_src=self._relative(entry.poster.path) if entry.poster.path else None,
            )
            for entry in self.entries
        ]
        return render_page(cards, generated_at=self.generated_at, journal_path=str(self.journal_path))

    def media_path(self, entry: Entry) -> str | None:
        """The URL path (no leading slash, not quoted) under which the server offers the entry's video."""
        if entry.video is None:
            return None
        return f"{MEDIA_PREFIX}/{entry.record.local_id}/{entry.video.name}"

    def _video_src(self, entry: Entry, served: bool) -> str | None:
        if entry.video is None:
            return None
        if served:
            return quote(self.media_path(entry) or "")
        return self._relative(entry.video)

    def _relative(self, target: Path) -> str:
        """A URL for `target` relative to the page's folder (a file URL when there is no relative path)."""
        try:
            relative = os.path.relpath(target.resolve(), self.page.parent.resolve())
        except ValueError:  # another drive on Windows
            return target.resolve().as_uri()
        return quote(Path(relative).as_posix())


def build_gallery(
    out: Path | str = "gallery.html",
    *,
    journal: Journal | None = None,
    limit: int | None = None,
    user: str | None = None,
    host: str | None = None,
) -> Gallery:
    """Write the gallery page for the journal's jobs (newest first, at most `limit`; only those submitted by
    `user` and from `host` when given) and return what was built."""
    journal = journal if journal is not None else Journal()
    page = Path(out).expanduser().absolute()
    files_dir = page.parent / f"{page.stem}_files"
    _check_replaceable(page)
    records = sorted(
        journal.jobs(limit=limit, made_only=True, user=user, host=host),
        key=lambda r: r.created_at,
        reverse=True,
    )
    entries = tuple(_entry(record, files_dir) for record in records)
    gallery = Gallery(page, files_dir, entries, journal.where, datetime.now(UTC))
    page.parent.mkdir(parents=True, exist_ok=True)
    _write_text(page, gallery.render())
    return gallery


def _check_replaceable(page: Path) -> None:
    """Refuse to write over a file that is not a gallery page (a batch file, a manifest, anything else)."""
    if not page.exists():
        return
    try:
        with page.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"cannot read {page}: {exc.strerror or exc}", hint="choose another --out") from None
    if f'<meta name="generator" content="{GENERATOR}">'.encode() not in head:
        raise InputError(
            f"{page} exists and is not a gallery page; nothing was written",
            hint="choose another --out file (a gallery page is rebuilt in place)",
        )


def _entry(record: JobRecord, files_dir: Path) -> Entry:
    # Only a downloaded job made its file: for any other state, a file at `output_path` (the path asked for
    # at submission) is someone else's video, e.g. an earlier job's that used the same name.
    if record.state != JobState.DOWNLOADED:
        return Entry(record, Poster(None, None, False), None)
    video = Path(record.output_path).expanduser().absolute() if record.output_path else None
    if video is not None and _replaced(video, record.bytes_downloaded):
        note = f"the file at {video} has changed since this job downloaded it (overwritten by a later job?)"
        return Entry(record, Poster(None, note, False), None)
    poster = make_poster(video, files_dir / f"{record.local_id}.jpg")
    return Entry(record, poster, video if poster.video_exists else None)


def _replaced(video: Path, size: int | None) -> bool:
    """Whether the file is there but not the size the job downloaded (so it is not this job's video)."""
    try:
        return size is not None and video.stat().st_size != size
    except OSError:
        return False  # missing: make_poster says so


def _write_text(path: Path, text: str) -> None:
    """Write a file whole or not at all (a reader never sees half a page)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
