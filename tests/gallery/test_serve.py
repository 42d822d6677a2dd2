"""The gallery server: loopback only, a fixed list of files (no path reaches anything else), byte ranges."""

from __future__ import annotations

import http.client
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_process import run_seedance
from seedance.gallery import GalleryServer, build_gallery
from seedance.journal import Journal

from .conftest import add_job, write_mp4


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[GalleryServer, str]]:
    """A gallery of one video (a secret file beside it) served on a free port, and the job's id."""
    (tmp_path / "secret.txt").write_text("not for the browser")
    journal = Journal()
    local_id = add_job(journal, video=write_mp4(tmp_path / "clip one.mp4"))
    gallery = build_gallery(tmp_path / "gallery.html", journal=journal)
    server = GalleryServer(gallery).start()
    yield server, local_id
    server.stop()


def get(
    server: GalleryServer, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Send one GET with `path` exactly as written (no normalisation by the client)."""
    headers = dict(headers or {})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", headers.pop("Host", f"127.0.0.1:{server.port}"))
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_the_page_poster_and_video_are_served(site: tuple[GalleryServer, str], tmp_path: Path) -> None:
    """The page (at / and by name), its poster and the video under media/ are answered, with their types."""
    server, local_id = site
    status, headers, page = get(server, "/")
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert get(server, "/gallery.html")[2] == page
    assert f'src="media/{local_id}/clip%20one.mp4"' in page.decode()
    status, headers, poster = get(server, f"/gallery_files/{local_id}.jpg")
    assert (status, headers["Content-Type"], poster[:3]) == (200, "image/jpeg", b"\xff\xd8\xff")
    status, headers, video = get(server, f"/media/{local_id}/clip%20one.mp4")
    assert (status, headers["Content-Type"]) == (200, "video/mp4")
    assert video == (tmp_path / "clip one.mp4").read_bytes()
    assert server.server_address[0] == "127.0.0.1"


OUTSIDE = (
    "/secret.txt",
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/gallery_files/../secret.txt",
    "/gallery_files/%2e%2e%2fsecret.txt",
    "/media/{id}/../../secret.txt",
    "/media/{id}/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/media/{id}/",
    "/media/{id}/secret.txt",
    "/{tmp}/secret.txt",
    "//{tmp}/clip%20one.mp4",
    "/seedance-home/jobs.db",
    "/gallery_files/",
)
"""Paths that try to reach files beside the gallery, or the journal itself."""


def test_no_other_path_reaches_the_disk(site: tuple[GalleryServer, str], tmp_path: Path) -> None:
    """Anything but the listed URLs is 404: dot segments, encoded slashes and absolute paths included."""
    server, local_id = site
    answers = {}
    for path in OUTSIDE:
        status, _, body = get(server, path.format(id=local_id, tmp=str(tmp_path).strip("/")))
        answers[path] = (status, b"not for the browser" in body)
    assert answers == dict.fromkeys(OUTSIDE, (404, False))


def test_another_host_name_is_refused(site: tuple[GalleryServer, str]) -> None:
    """A request naming another host (DNS rebinding) gets 421, not the page."""
    server, _ = site
    assert get(server, "/", {"Host": f"evil.example:{server.port}"})[0] == 421
    assert get(server, "/", {"Host": f"localhost:{server.port}"})[0] == 200


def test_videos_answer_byte_ranges(site: tuple[GalleryServer, str], tmp_path: Path) -> None:
    """Browsers seek with Range: first bytes, last bytes, and 416 past the end."""
    server, local_id = site
    data = (tmp_path / "clip one.mp4").read_bytes()
    url = f"/media/{local_id}/clip%20one.mp4"
    status, headers, body = get(server, url, {"Range": "bytes=0-99"})
    assert (status, body, headers["Content-Range"]) == (206, data[:100], f"bytes 0-99/{len(data)}")
    status, _, body = get(server, url, {"Range": "bytes=-10"})
    assert (status, body) == (206, data[-10:])
    status, headers, _ = get(server, url, {"Range": f"bytes={len(data)}-"})
    assert (status, headers["Content-Range"]) == (416, f"bytes */{len(data)}")
    for other in ("bytes=0-9,20-29", "items=0-9", "bytes=nonsense"):  # not ours to serve: the whole file
        status, _, body = get(server, url, {"Range": other})
        assert (status, body) == (200, data), other


def test_cli_says_what_to_fix_when_it_cannot_serve_or_write(cli_env: dict[str, str], tmp_path: Path) -> None:
    """A taken port and an impossible --out each give one line and exit code 2, never a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_cli(cli_env, "gallery", "--serve", "--port", str(port))
    (tmp_path / "a-file").write_text("x")
    unwritable = run_cli(cli_env, "gallery", "--out", "a-file/gallery.html")
    for done, says in ((busy, f"cannot serve on 127.0.0.1:{port}"), (unwritable, "cannot write the gallery")):
        assert done.returncode == 2, done.stderr
        assert says in done.stderr
        assert "Traceback" not in done.stderr


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `seedance ARGS` as a real subprocess."""
    return run_seedance(list(args), env, timeout=60)


def test_a_video_swapped_for_a_symlink_after_start_is_not_served(
    site: tuple[GalleryServer, str], tmp_path: Path, isolated_env: Path
) -> None:
    """The issue's exploit: once serving, the video is replaced by a symlink to the API key file (or to the
    journal): 404, never the key's bytes; the same for a hard copy of another file renamed over it."""
    server, local_id = site
    url = f"/media/{local_id}/clip%20one.mp4"
    key_file = isolated_env / ".pixazo" / "api-key"
    key_file.parent.mkdir()
    key_file.write_text("sk-the-secret-key\n")
    video = tmp_path / "clip one.mp4"
    assert get(server, url)[0] == 200
    original = video.read_bytes()
    video.unlink()
    video.symlink_to(key_file)
    status, _, body = get(server, url)
    assert (status, b"sk-the-secret-key" in body) == (404, False)
    video.unlink()
    impostor = tmp_path / "impostor"
    impostor.write_bytes(original[:-1] + b"\x00")  # same size, another file
    impostor.rename(video)
    assert get(server, url)[0] == 404
    assert get(server, url, {"Range": "bytes=0-9"})[0] == 404


def test_a_video_that_is_a_symlink_or_the_wrong_size_at_start_is_not_offered(tmp_path: Path) -> None:
    """A job's file that was already swapped when the server started (a symlink, or not the size the job
    downloaded) is left out of the table: 404."""
    journal = Journal()
    swapped = add_job(journal, video=write_mp4(tmp_path / "swapped.mp4"))
    (tmp_path / "swapped.mp4").rename(tmp_path / "elsewhere.mp4")
    (tmp_path / "swapped.mp4").symlink_to(tmp_path / "elsewhere.mp4")  # same bytes, through a link
    grown = add_job(journal, video=write_mp4(tmp_path / "grown.mp4"))
    with (tmp_path / "grown.mp4").open("ab") as handle:
        handle.write(b"appended after the download")
    gallery = build_gallery(tmp_path / "gallery.html", journal=journal)
    server = GalleryServer(gallery).start()
    try:
        assert get(server, f"/media/{swapped}/swapped.mp4")[0] == 404
        assert get(server, f"/media/{grown}/grown.mp4")[0] == 404
    finally:
        server.stop()
