"""The library is safe by default: a paid video never lands on another file, and nothing is sent when it
would. Run as a user runs it, against the emulator as a real server."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from cli_process import run_command
from seedance import Client, OutputClaimed, RepeatRefused
from seedance.journal import Journal

ROOT = Path(__file__).resolve().parents[2]
REQUEST = {"prompt": "A cat", "duration": 4, "resolution": "480p"}


def library_snippet() -> str:
    """The README's (or the library page's) example program, as written."""
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            if "seedance.Client()" in block and "cat.mp4" in block:
                return str(block)
    raise AssertionError("no library example with seedance.Client() and cat.mp4 in the README or docs/")


def submits(emulator: Any) -> int:
    return sum(1 for r in emulator.requests if r.route == "submit")


def test_the_readme_snippet_run_twice_refuses_to_replace_the_video(
    emulator: Any, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """First run: cat.mp4 and the others are saved. Second run: refused before anything is sent, with one
    error naming overwrite=True; cat.mp4 is the first run's video, byte for byte."""
    script = tmp_path / "snippet.py"
    script.write_text(library_snippet(), encoding="utf-8")
    env = {
        **cli_env,
        "SEEDANCE_BASE_URL": emulator.base_url,
        "PIXAZO_API_KEY": emulator.api_key,
        "SEEDANCE_POLL_INTERVAL": "0.05",
    }
    first = run_command([sys.executable, str(script)], env, cwd=tmp_path, timeout=180)
    assert first.returncode == 0, first.stderr
    video = (tmp_path / "cat.mp4").read_bytes()
    sent = submits(emulator)
    second = run_command([sys.executable, str(script)], env, cwd=tmp_path, timeout=180)
    assert second.returncode != 0
    last = second.stderr.strip().splitlines()[-1]
    assert last.startswith("seedance.errors.OutputClaimed: "), second.stderr
    assert "cat.mp4 already exists; nothing was sent" in last
    assert submits(emulator) == sent  # refused before the submit
    assert (tmp_path / "cat.mp4").read_bytes() == video


def test_generate_overwrite_true_replaces_on_purpose(emulator: Any, tmp_path: Path) -> None:
    """overwrite=True is the one way to replace a file the journal does not know."""
    (tmp_path / "cat.mp4").write_bytes(b"an older file")
    with Client(base_url=emulator.base_url, api_key=emulator.api_key, poll_interval=0.05) as client:
        with pytest.raises(OutputClaimed, match="overwrite=True"):
            client.generate(REQUEST, tmp_path / "cat.mp4")
        assert submits(emulator) == 0
        result = client.generate(REQUEST, tmp_path / "cat.mp4", overwrite=True)
    assert (tmp_path / "cat.mp4").read_bytes()[4:8] == b"ftyp"
    assert result.path == tmp_path / "cat.mp4"


def test_downloading_job_b_onto_job_a_s_saved_video_raises(emulator: Any, tmp_path: Path) -> None:
    """Job A saved a.mp4; job B's download to a.mp4 raises OutputClaimed, even with overwrite=True, and a.mp4
    stays A's video. B may still go elsewhere, and A may be downloaded onto its own file again."""
    journal = Journal(tmp_path / "jobs.db")
    with Client(
        base_url=emulator.base_url, api_key=emulator.api_key, poll_interval=0.05, journal=journal
    ) as client:
        a = client.generate(REQUEST, tmp_path / "a.mp4")
        b = client.generate({**REQUEST, "prompt": "A dog"}, tmp_path / "b.mp4")
        saved = (tmp_path / "a.mp4").read_bytes()
        for overwrite in (False, True):
            with pytest.raises(OutputClaimed, match="saved video; nothing was downloaded"):
                client.download(b.request_id, tmp_path / "a.mp4", overwrite=overwrite)
        assert (tmp_path / "a.mp4").read_bytes() == saved
        assert client.download(a.request_id, tmp_path / "a.mp4").sha256 == a.sha256
        assert client.download(b.request_id, tmp_path / "elsewhere.mp4").sha256 == b.sha256


def test_a_repeat_of_an_open_job_is_refused_by_the_library(emulator: Any, tmp_path: Path) -> None:
    """With a journal, generate() of a request identical to a job still running is RepeatRefused, nothing
    sent; again=True pays on purpose."""
    journal = Journal(tmp_path / "jobs.db")
    with Client(
        base_url=emulator.base_url, api_key=emulator.api_key, poll_interval=0.05, journal=journal
    ) as client:
        open_job = client.submit(REQUEST)
        with pytest.raises(RepeatRefused) as refused:
            client.generate(REQUEST, tmp_path / "again.mp4")
        assert refused.value.request_id == open_job.request_id
        assert submits(emulator) == 1
        assert client.generate(REQUEST, tmp_path / "again.mp4", again=True).path == tmp_path / "again.mp4"
    assert submits(emulator) == 2


def test_overwrite_replaces_an_earlier_job_s_saved_video_on_purpose(emulator: Any, tmp_path: Path) -> None:
    """`generate(path, overwrite=True)` twice (what `make demo` does when run again): the second job is
    allowed to replace the first one's saved video, is downloaded there, and nothing is paid in vain."""
    journal = Journal(tmp_path / "jobs.db")
    with Client(
        base_url=emulator.base_url, api_key=emulator.api_key, poll_interval=0.05, journal=journal
    ) as client:
        first = client.generate(REQUEST, tmp_path / "cat.mp4", overwrite=True)
        second = client.generate({**REQUEST, "prompt": "A dog"}, tmp_path / "cat.mp4", overwrite=True)
    assert second.path == tmp_path / "cat.mp4"
    assert (tmp_path / "cat.mp4").read_bytes() != b""
    assert second.sha256 == emulator.job(second.request_id).sha256 != first.sha256
    assert [r.state for r in journal.jobs()] == ["downloaded", "downloaded"]


def test_make_demo_run_twice_saves_the_second_video(cli_env: dict[str, str], tmp_path: Path) -> None:
    """The README's first command, run twice in one folder: both exit 0 (the second replaces cat.mp4)."""
    for _ in range(2):
        done = run_command(
            [sys.executable, "-m", "seedance", "generate", "A cat walking on the beach", "--emulator",
             "-o", "cat.mp4", "--overwrite"],
            cli_env,
            cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "cat.mp4").read_bytes()[4:8] == b"ftyp"


def test_an_older_job_downloaded_again_never_replaces_a_newer_job_s_video(
    emulator: Any, tmp_path: Path
) -> None:
    """A saved a.mp4, the file was deleted, B saved its own video there: downloading A again to its recorded
    path is refused, and a.mp4 stays B's (a review found the download-side check letting it through)."""
    journal = Journal(tmp_path / "jobs.db")
    with Client(
        base_url=emulator.base_url, api_key=emulator.api_key, poll_interval=0.05, journal=journal
    ) as client:
        a = client.generate(REQUEST, tmp_path / "a.mp4")
        (tmp_path / "a.mp4").unlink()
        b = client.generate({**REQUEST, "prompt": "A dog"}, tmp_path / "a.mp4")
        with pytest.raises(OutputClaimed, match="saved video"):
            client.download(a.request_id)
    assert (tmp_path / "a.mp4").read_bytes()[4:8] == b"ftyp"
    assert b.sha256 == emulator.job(b.request_id).sha256
    from seedance.download import sha256_of

    assert sha256_of(tmp_path / "a.mp4") == b.sha256


def test_a_job_not_downloaded_now_keeps_where_its_video_should_go(emulator: Any, tmp_path: Path) -> None:
    """generate(path, download=False) records the path: a later download() with no path saves it there."""
    journal = Journal(tmp_path / "jobs.db")
    with Client(
        base_url=emulator.base_url, api_key=emulator.api_key, poll_interval=0.05, journal=journal
    ) as client:
        result = client.generate(REQUEST, tmp_path / "later.mp4", download=False)
        assert not (tmp_path / "later.mp4").exists()
        assert journal.get(result.request_id).output_path == str(tmp_path / "later.mp4")
        saved = client.download(result.request_id)
    assert saved.path == tmp_path / "later.mp4"
