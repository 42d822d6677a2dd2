"""The gallery page without a browser: escaping, order, filters, failures, missing files, the CLI."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from seedance.cli.gallery_cmd import gallery as gallery_command
from seedance.errors import InputError
from seedance.gallery import build_gallery
from seedance.journal import Journal

from .conftest import XSS_PROMPT, add_job, write_mp4


class Tags(HTMLParser):
    """Collects every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def cards(tags: Tags) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in tags.tags if tag == "article"]


def test_user_strings_are_escaped(tmp_path: Path) -> None:
    journal = Journal()
    video = write_mp4(tmp_path / "a <b>.mp4")
    add_job(journal, prompt=XSS_PROMPT, video=video, settings={"ratio": '"><script>alert(3)</script>'})
    add_job(journal, state="failed", error="<b>boom</b><script>alert(4)</script>")
    html = build_gallery(tmp_path / "gallery.html", journal=journal).page.read_text()
    tags = parse(html)
    assert [t for t, _ in tags.tags].count("script") == 1  # only the page's own
    assert not [a for t, a in tags.tags if t == "img"]
    assert not [t for t, _ in tags.tags if t == "b"]
    text = "".join(tags.text)
    assert XSS_PROMPT in text
    assert "<b>boom</b><script>alert(4)</script>" in text
    assert '"><script>alert(3)</script>' in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    # The file name with < and > is escaped in the text and URL-quoted in the video's src.
    sources = [a["src"] for t, a in tags.tags if t == "video"]
    assert sources == ["a%20%3Cb%3E.mp4"]


def test_the_page_allows_only_its_own_script(tmp_path: Path) -> None:
    journal = Journal()
    add_job(journal, state="failed", error="x")
    html = build_gallery(tmp_path / "g.html", journal=journal).page.read_text()
    csp = next(a["content"] for t, a in parse(html).tags if t == "meta" and a.get("http-equiv"))
    assert csp is not None
    assert "script-src 'sha256-" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "http://" not in html.split("<body>")[0]
    assert "https://" not in html


def test_cards_are_newest_first_with_one_card_per_job(tmp_path: Path) -> None:
    journal = Journal()
    video = write_mp4(tmp_path / "v.mp4")
    ids = [add_job(journal, prompt=f"prompt {n}", video=video) for n in range(4)]
    built = build_gallery(tmp_path / "gallery.html", journal=journal)
    found = [a["id"] for a in cards(parse(built.page.read_text()))]
    assert found == [f"job-{i}" for i in reversed(ids)]
    assert [e.record.local_id for e in built.entries] == list(reversed(ids))


def test_filters_list_every_status_and_model(tmp_path: Path) -> None:
    journal = Journal()
    video = write_mp4(tmp_path / "v.mp4")
    add_job(journal, video=video, model="seedance-1.0-pro")
    add_job(journal, video=video, model="seedance-1.0-lite-t2v")
    add_job(journal, state="failed", model="seedance-1.0-pro", error="nope")
    tags = parse(build_gallery(tmp_path / "gallery.html", journal=journal).page.read_text())
    selects = [a["id"] for t, a in tags.tags if t == "select"]
    assert selects == ["filter-status", "filter-model"]
    values = [a["value"] for t, a in tags.tags if t == "option"]
    assert values == ["", "downloaded", "failed", "", "seedance-1.0-lite-t2v", "seedance-1.0-pro"]
    assert sorted((a["data-status"], a["data-model"]) for a in cards(tags)) == [
        ("downloaded", "seedance-1.0-lite-t2v"),
        ("downloaded", "seedance-1.0-pro"),
        ("failed", "seedance-1.0-pro"),
    ]


def test_failed_job_shows_its_error_and_no_player(tmp_path: Path) -> None:
    journal = Journal()
    add_job(journal, state="failed", error="content policy violation")
    html = build_gallery(tmp_path / "gallery.html", journal=journal).page.read_text()
    assert re.search(r'<p class="error" role="alert">content policy violation</p>', html)
    assert "generation failed: no video" in html
    assert "<video" not in html


def test_poster_time_taken_and_settings_are_shown(tmp_path: Path) -> None:
    journal = Journal()
    local_id = add_job(journal, video=write_mp4(tmp_path / "v.mp4", seconds=2), settings={"ratio": "16:9"})
    built = build_gallery(tmp_path / "out" / "gallery.html", journal=journal)
    poster = tmp_path / "out" / "gallery_files" / f"{local_id}.jpg"
    assert built.posters == [poster]
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    html = built.page.read_text()
    tags = parse(html)
    video = next(a for t, a in tags.tags if t == "video")
    assert video["poster"] == f"gallery_files/{local_id}.jpg"
    assert video["src"] == "../v.mp4"
    assert "<dt>Duration</dt><dd>2.0 s</dd>" in html
    assert "<dt>ratio</dt><dd>16:9</dd>" in html
    assert "<dt>resolution</dt><dd>720p</dd>" in html
    assert f"<code>req-{local_id}</code>" in html
    record = journal.get(local_id)
    assert record is not None
    assert record.elapsed_s is not None
    assert f"<dt>Time taken</dt><dd>{record.elapsed_s:.1f} s</dd>" in html


def test_missing_video_file_is_said_on_the_card(tmp_path: Path) -> None:
    journal = Journal()
    video = write_mp4(tmp_path / "gone.mp4")
    add_job(journal, video=video)
    video.unlink()
    built = build_gallery(tmp_path / "gallery.html", journal=journal)
    html = built.page.read_text()
    assert f"video file missing: {video}" in html
    assert "<video" not in html
    assert built.posters == []


def test_an_unreadable_video_gets_a_note_but_keeps_its_player(tmp_path: Path) -> None:
    journal = Journal()
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    add_job(journal, video=broken)
    html = build_gallery(tmp_path / "gallery.html", journal=journal).page.read_text()
    assert "no poster: the video could not be read" in html
    assert '<video controls preload="none" playsinline src="broken.mp4">' in html


def test_empty_journal_builds_an_empty_page(tmp_path: Path) -> None:
    built = build_gallery(tmp_path / "gallery.html", journal=Journal())
    html = built.page.read_text()
    assert built.entries == ()
    assert '<p class="empty-state" id="none-shown">No jobs match.</p>' in html


def test_cli_writes_the_page_and_reports_json(tmp_path: Path) -> None:
    journal = Journal()
    add_job(journal, video=write_mp4(tmp_path / "v.mp4"))
    add_job(journal, state="failed", error="x")
    result = CliRunner().invoke(gallery_command, ["--out", "site/index.html", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] is True
    assert data["jobs"] == 2
    assert data["posters"] == 1
    assert Path(data["page"]) == tmp_path / "site" / "index.html"
    assert Path(data["files"]) == tmp_path / "site" / "index_files"
    assert len(list((tmp_path / "site" / "index_files").glob("*.jpg"))) == 1


@pytest.mark.parametrize("limit", [1, 2])
def test_cli_limit_keeps_the_newest(tmp_path: Path, limit: int) -> None:
    journal = Journal()
    ids = [add_job(journal, state="failed", error=f"e{n}") for n in range(3)]
    result = CliRunner().invoke(gallery_command, ["--limit", str(limit)])
    assert result.exit_code == 0, result.output
    found = [a["id"] for a in cards(parse((tmp_path / "gallery.html").read_text()))]
    assert found == [f"job-{i}" for i in reversed(ids)][:limit]


def test_a_file_at_a_failed_jobs_path_is_not_shown_as_its_video(tmp_path: Path) -> None:
    """The path a failed job asked for may hold an older job's video: the failed card must not play it."""
    journal = Journal()
    video = write_mp4(tmp_path / "cat.mp4")
    add_job(journal, video=video, prompt="first")
    add_job(journal, state="failed", error="nope", video=video, prompt="second")
    html = build_gallery(tmp_path / "gallery.html", journal=journal).page.read_text()
    assert html.count("<video") == 1
    assert "generation failed: no video" in html


def test_a_video_overwritten_by_a_later_job_is_not_shown_as_the_earlier_one(tmp_path: Path) -> None:
    """When the file's size no longer matches what the job downloaded, the card says so instead of playing it."""
    journal = Journal()
    video = write_mp4(tmp_path / "cat.mp4", seconds=1)
    first = add_job(journal, video=video, prompt="first")
    write_mp4(video, seconds=2)
    add_job(journal, video=video, prompt="second")
    built = build_gallery(tmp_path / "gallery.html", journal=journal)
    html = built.page.read_text()
    assert html.count("<video") == 1
    assert f"the file at {video} has changed since this job downloaded it" in html
    assert [e.record.local_id for e in built.entries if e.video is None] == [first]


def test_unset_options_show_the_models_defaults(tmp_path: Path) -> None:
    """Options a job left unset show the model's default, marked so; a failed job shows no file row."""
    journal = Journal()
    add_job(
        journal,
        model="2.0",
        state="failed",
        error="x",
        video=tmp_path / "never.mp4",
        settings={"duration": None, "resolution": None},
    )
    html = build_gallery(tmp_path / "gallery.html", journal=journal).page.read_text()
    assert "<dt>duration</dt><dd>5 (default)</dd>" in html
    assert "<dt>resolution</dt><dd>720p (default)</dd>" in html
    assert "<dt>ratio</dt><dd>adaptive (default)</dd>" in html
    assert "<dt>Duration</dt><dd>5 s (the model&#x27;s default)</dd>" in html
    assert "never.mp4" not in html


def test_a_refused_submit_is_not_a_card(tmp_path: Path) -> None:
    """A submit the gateway turned away (a 429, a 401) made no job: no card for it."""
    journal = Journal()
    kept = add_job(journal, video=write_mp4(tmp_path / "v.mp4"))
    refused = journal.record_submission(operation="text-to-video", model="2.0", prompt="turned away",
                                        body={}, settings={})  # fmt: skip
    journal.mark_rejected(refused, "rate limited (429)")
    built = build_gallery(tmp_path / "gallery.html", journal=journal)
    assert [entry.record.local_id for entry in built.entries] == [kept]
    newest = build_gallery(tmp_path / "gallery.html", journal=journal, limit=1)  # the refusal is newer
    assert [entry.record.local_id for entry in newest.entries] == [kept]  # --limit counts jobs only


def test_the_page_never_replaces_a_file_that_is_not_a_gallery(tmp_path: Path) -> None:
    """--out onto a batch file (or any other file) is refused and the file kept; the gallery's own page is
    rebuilt in place."""
    other = tmp_path / "jobs.jsonl"
    other.write_text('{"prompt": "a cat"}\n')
    with pytest.raises(InputError, match="is not a gallery page"):
        build_gallery(other, journal=Journal())
    assert other.read_text() == '{"prompt": "a cat"}\n'
    page = tmp_path / "gallery.html"
    build_gallery(page, journal=Journal())
    build_gallery(page, journal=Journal())  # its own page: rebuilt
    assert page.exists()
