"""The gallery in a real headless Chromium: jobs made against the emulator, served by `seedance gallery --serve`.

Skipped only when no chromium binary is installed (`.ci/run` installs Debian's). The module shares one
browser (starting one takes about a second), driven over the DevTools pipe (see `chromium.py`).
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from seedance.client import Client
from seedance.errors import GenerationFailed
from seedance.journal import Journal

from .chromium import Browser, find_chromium

PHONE = {"width": 390, "height": 844}
"""An iPhone-sized viewport: the page must be readable at this width without sideways scrolling."""

SMALL = {"resolution": "480p", "duration": 4}
"""The smallest videos the 2.x models make: 480p, 4 s (cheap to synthesise)."""

PWN = "document.title='pwned'"

CARDS_JS = """(async () => {
  const width = (src) => new Promise((done) => {
    const image = new Image();
    image.onload = () => done(image.naturalWidth);
    image.onerror = () => done(0);
    image.src = src;
  });
  return Promise.all([...document.querySelectorAll('article.card')].map(async (card) => {
    const video = card.querySelector('video');
    const error = card.querySelector('.error');
    return {
      id: card.id, status: card.dataset.status, model: card.dataset.model,
      prompt: card.querySelector('.prompt').textContent, error: error && error.textContent,
      poster: video && video.getAttribute('poster'), posterWidth: video ? await width(video.poster) : 0,
    };
  }));
})()"""
"""Every card's facts, and the pixel width of its poster as the browser decoded it (0: did not load)."""

PLAY_JS = """(async () => {
  const video = document.querySelector('article.card video');
  const facts = () => ({
    currentTime: video.currentTime, readyState: video.readyState, width: video.videoWidth,
    error: video.error && video.error.code, h264: video.canPlayType('video/mp4; codecs="avc1.42E01E"'),
  });
  try { await video.play(); } catch (e) { return {...facts(), playError: String(e)}; }
  const start = performance.now();
  while (video.currentTime === 0 && performance.now() - start < 5000) {
    await new Promise((tick) => setTimeout(tick, 50));
  }
  video.pause();
  return facts();
})()"""
"""Play the first card's video until its clock moves; return what the element reports."""

FILTER_JS = """((id, value) => {
  const select = document.getElementById(id);
  select.value = value;
  select.dispatchEvent(new Event('change'));
  const shown = [...document.querySelectorAll('article.card')].filter((c) => !c.hidden).map((c) => c.id);
  select.value = '';
  select.dispatchEvent(new Event('change'));
  return shown;
})"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium (throwaway profile) for this module's tests, or a skip saying how to get one."""
    binary = find_chromium()
    if binary is None:
        pytest.skip("no chromium binary: install Debian's `chromium` (.ci/run does) to run the browser tests")
    folder = tmp_path_factory.mktemp("chromium")
    started = Browser(binary, folder / "profile", folder / "chromium.log")
    yield started
    started.close()


@pytest.fixture
def client(emulator: Any) -> Iterator[Client]:
    """A library client on the emulator, recording every job in this test's journal."""
    emulator.configure(fps=12)  # half the frames to synthesise; still a real H.264 video with sound
    with Client(
        api_key=emulator.api_key, base_url=emulator.base_url, journal=Journal(), poll_interval=0.05
    ) as made:
        yield made


def make_video(client: Client, prompt: str, path: Path, model: str = "2.0") -> str:
    """Generate one small video through the emulator; return its journal id."""
    result = client.generate({"prompt": prompt, "model": model, **SMALL}, path, timeout=60)
    assert result.local_id is not None
    return result.local_id


def make_failure(client: Client, emulator: Any, message: str) -> str:
    """Generate a job the emulator fails with `message`; return its journal id."""
    emulator.add_fault("fail", count=1, message=message)
    with pytest.raises(GenerationFailed):
        client.generate({"prompt": "this one fails", **SMALL}, Path("never.mp4"), timeout=60)
    return Journal().jobs(limit=1)[0].local_id


def video_width(path: Path) -> int:
    """The frame width of an MP4, read with PyAV."""
    import av

    with av.open(str(path)) as container:
        return int(container.streams.video[0].width)


def remote(urls: list[str], *, allowed: str) -> list[str]:
    """The URLs not under `allowed` (data: URLs are Chromium's own player icons, not fetched from anywhere)."""
    assert urls, "the browser requested nothing at all"
    return [u for u in urls if not u.startswith((allowed, "data:"))]


@contextmanager
def served(env: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Run `seedance gallery --serve --json` as a real subprocess; yield its JSON line (url, page...)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "seedance", "gallery", "--serve", "--json"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        assert line, f"`seedance gallery --serve` printed nothing: {process.poll()=}"
        yield json.loads(line)
    finally:
        process.terminate()
        process.communicate(timeout=10)  # reaps it and closes both pipes


def test_gallery_plays_in_headless_chromium(
    emulator: Any, client: Client, browser: Browser, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """Every job is a card (newest first), every poster loads, a video plays, filters work, nothing is remote."""
    fox = make_video(client, "a red fox in the snow", tmp_path / "fox.mp4")
    failed = make_failure(client, emulator, "content policy violation")
    owl = make_video(client, "an owl at dusk", tmp_path / "owl.mp4", model="2.0-fast")

    with served(cli_env) as site:
        assert site["jobs"] == 3
        assert site["posters"] == 2
        url = site["url"]
        browser.goto(url, **PHONE)
        cards = browser.evaluate(CARDS_JS)
        played = browser.evaluate(PLAY_JS)
        overflow = browser.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        shot = browser.screenshot(tmp_path / "gallery.png")
        by_status = browser.evaluate(FILTER_JS + "('filter-status', 'failed')")
        by_model = browser.evaluate(FILTER_JS + "('filter-model', '2.0-fast')")
        requested = browser.requested_urls()

    assert [c["id"] for c in cards] == [f"job-{owl}", f"job-{failed}", f"job-{fox}"]
    assert [(c["status"], c["model"]) for c in cards] == [
        ("downloaded", "2.0-fast"),
        ("failed", "2.0"),
        ("downloaded", "2.0"),
    ]
    assert [c["prompt"] for c in cards] == ["an owl at dusk", "this one fails", "a red fox in the snow"]
    assert cards[1]["error"] == "content policy violation"
    assert cards[1]["poster"] is None  # a failed job has no player
    # Each poster is the 480 px JPEG made from the MP4, fetched from the server and decoded by the browser.
    assert [(c["poster"], c["posterWidth"]) for c in cards if c["status"] == "downloaded"] == [
        (f"gallery_files/{owl}.jpg", 480),
        (f"gallery_files/{fox}.jpg", 480),
    ]
    # Debian's chromium decodes H.264: the emulator's 854x480 video really plays over HTTP (range requests).
    assert played["h264"] != "", f"this chromium cannot decode H.264, so no video can play in it: {played}"
    assert "playError" not in played, played
    assert played["error"] is None
    assert played["currentTime"] > 0
    assert played["readyState"] >= 2
    assert played["width"] == video_width(tmp_path / "owl.mp4")
    assert overflow <= 0, "the page scrolls sideways at phone width"
    assert by_status == [f"job-{failed}"]
    assert by_model == [f"job-{owl}"]
    assert remote(requested, allowed=url) == [], "the page asked another host for something"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000


def test_html_in_a_prompt_is_shown_as_text_not_run(
    emulator: Any, client: Client, browser: Browser, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A prompt or error holding tags and script shows as those characters; none of it runs."""
    prompt = f'<img src=x onerror="{PWN}"><script>{PWN}</script> a cat'
    error = f'<svg onload="{PWN}"></svg> refused'
    make_video(client, prompt, tmp_path / "cat.mp4")
    make_failure(client, emulator, error)

    with served(cli_env) as site:
        browser.goto(site["url"], **PHONE)
        page = browser.evaluate(
            """({
              title: document.title,
              prompts: [...document.querySelectorAll('.prompt')].map((p) => p.textContent),
              errors: [...document.querySelectorAll('.error')].map((p) => p.textContent),
              tags: [...document.querySelectorAll('img, svg, script')].map((e) => e.tagName),
            })"""
        )
        browser.screenshot(tmp_path / "xss.png")

    assert page["title"] == "seedance gallery"
    assert page["prompts"] == ["this one fails", prompt]
    assert page["errors"] == [error]
    assert page["tags"] == ["SCRIPT"]  # the page's own script only: no injected img, svg or script element


def test_the_page_opened_from_disk_works_offline(
    client: Client, browser: Browser, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The written page, opened as a file with no server, shows its poster and plays its video."""
    make_video(client, "a heron in the rain", tmp_path / "clips" / "heron.mp4")
    done = subprocess.run(
        [sys.executable, "-m", "seedance", "gallery", "--out", "site/index.html"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = tmp_path / "site" / "index.html"

    browser.goto(page.as_uri(), **PHONE)
    cards = browser.evaluate(CARDS_JS)
    played = browser.evaluate(PLAY_JS)
    requested = browser.requested_urls()

    assert [c["posterWidth"] for c in cards] == [480]
    assert played["currentTime"] > 0, played
    assert remote(requested, allowed="file://") == []
    assert any(u.endswith("/clips/heron.mp4") for u in requested)
