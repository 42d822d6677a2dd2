"""Hostile input through the real CLI: each mistake ends in one clear line and its exit code, with nothing sent.

Output paths that cannot be written, malformed `data:` URIs, usage errors under --json, a key file that is not
text, and emulator flags out of range. The CLI runs in-process as a subprocess would see it (the emulator
command as a real process); the gateway is the emulator.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Media, Run

FAST = ("--duration", "4", "--resolution", "480p", "--no-audio")


def one_clear_line(run: Run) -> None:
    """No traceback and no pydantic dump: the failure is one `error:` line (and at most a `hint:` after it)."""
    assert "Traceback" not in run.stderr
    assert "errors.pydantic.dev" not in run.stderr
    lines = run.stderr.strip().splitlines()
    errors = [n for n, line in enumerate(lines) if line.startswith("error: ")]
    assert len(errors) == 1, run.stderr
    assert len(lines) - errors[0] <= 2, run.stderr
    assert lines[-1].startswith(("error: ", "hint: ")), run.stderr


@pytest.mark.parametrize(
    "where",
    ["/proc/x.mp4", "cat.mp4/x.mp4", "cat.mp4/deeper/x.mp4", "a" * 247 + ".mp4", "b" * 300 + "/x.mp4"],
    ids=["proc", "under-a-file", "deeper-under-a-file", "name-too-long-for-its-part-file", "folder-too-long"],
)
def test_an_output_path_that_cannot_be_written_is_refused_before_the_paid_submit(
    seedance: Callable[..., Run], emulator: Any, tmp_path: Path, where: str
) -> None:
    """`-o` under /proc, under a file, or a name the file system cannot hold: exit 2, and no job is submitted."""
    (tmp_path / "cat.mp4").write_bytes(b"not a folder")
    run = seedance("generate", "a dog", *FAST, "-o", where, "--json")
    assert run.code == 2, run.stderr
    error = run.json()["error"]
    assert error["type"] == "InputError"
    assert "cannot save the video" in error["message"]
    assert "-o" in error["hint"]
    assert "Traceback" not in run.stderr
    assert emulator.submits == []
    assert (tmp_path / "cat.mp4").read_bytes() == b"not a folder"


def test_an_output_folder_with_a_trailing_slash_is_created_and_holds_the_default_name(
    seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """`-o newdir/` makes the folder and saves `seedance-...-a-dog.mp4` inside it, not a file named `newdir`."""
    run = seedance("generate", "a dog", *FAST, "-o", "newdir/", "--json")
    assert run.code == 0, run.stderr
    saved = Path(run.json()["file"])
    assert (tmp_path / "newdir").is_dir()
    assert saved.parent == tmp_path / "newdir"
    assert saved.name.startswith("seedance-")
    assert saved.name.endswith("-a-dog.mp4")


def test_an_accented_prompt_keeps_its_words_in_the_file_name(
    seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """`café au lait` saves as `...-cafe-au-lait.mp4` inside an existing folder given with -o."""
    (tmp_path / "videos").mkdir()
    run = seedance("generate", "café au lait", *FAST, "-o", "videos", "--json")
    assert run.code == 0, run.stderr
    saved = Path(run.json()["file"])
    assert saved.parent == tmp_path / "videos"
    assert saved.name.endswith("-cafe-au-lait.mp4")
    assert saved.is_file()


def test_wait_and_download_check_their_output_folder_first(
    seedance: Callable[..., Run], emulator: Any, tmp_path: Path
) -> None:
    """`download ID -o file/x.mp4` asks nothing of the gateway; `wait ID -o dir/` saves inside a new folder."""
    (tmp_path / "cat.mp4").write_bytes(b"x")
    submitted = seedance("generate", "a dog", *FAST, "--no-wait", "--json")
    assert submitted.code == 0, submitted.stderr
    request_id = submitted.json()["request_id"]
    asked = len(emulator.requests)
    refused = seedance("download", request_id, "-o", "cat.mp4/x.mp4")
    assert refused.code == 2
    assert "cat.mp4 is a file" in refused.stderr
    one_clear_line(refused)
    assert len(emulator.requests) == asked
    waited = seedance("wait", request_id, "-o", "later/", "--json")
    assert waited.code == 0, waited.stderr
    assert Path(waited.json()["file"]).parent == tmp_path / "later"


def _png_uri(media: Media) -> str:
    return "data:image/png;base64," + base64.b64encode(media.png.read_bytes()).decode()


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("data:image/png;base64,abc", "not valid base64"),
        ("data:image/png;base64,!!!!", "not valid base64"),
        ("data:image/png;base64,", "empty"),
        ("data:text/plain;base64,aGVsbG8=", "cannot be an image"),
        ("data:image/png,rawtext", "must be base64"),
        ("data:image/png;base64,aGVsbG8gd29ybGQ=", "does not hold an image"),
    ],
)
def test_a_malformed_data_uri_is_one_line_and_sends_nothing(
    seedance: Callable[..., Run], emulator: Any, uri: str, says: str, dry_run: bool
) -> None:
    """Bad base64, an empty payload, a non-image type or non-image bytes: exit 2, nothing submitted."""
    run = seedance("generate", "x", "--first-frame", uri, *(["--dry-run"] if dry_run else []))
    assert run.code == 2, run.stderr
    assert says in run.stderr
    one_clear_line(run)
    assert emulator.submits == []


def test_a_good_data_uri_passes_with_its_real_size(seedance: Callable[..., Run], media: Media) -> None:
    """A real PNG as a data: URI is accepted; the dry run shows its true byte count."""
    run = seedance("generate", "x", "--first-frame", _png_uri(media), "--dry-run", "--json")
    assert run.code == 0, run.stderr
    shown = run.json()["body"]["content"][1]["image_url"]["url"]
    assert f"<{media.png.stat().st_size} bytes sha256=" in shown


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("generate", "x", "--bogus", "--json"), "seedance generate --help"),
        (("nosuchcmd", "--json"), "seedance --help"),
        (("generate", "--json", "x", "--duration", "soon"), "seedance generate --help"),
    ],
)
def test_usage_errors_under_json_print_the_json_error(
    seedance: Callable[..., Run], args: tuple[str, ...], hint: str
) -> None:
    """Click's own usage errors still give the one JSON error object on stdout, exit 2."""
    run = seedance(*args)
    assert run.code == 2
    data = run.json()
    assert data["ok"] is False
    assert data["error"]["type"] == "UsageError"
    assert data["error"]["exit_code"] == 2
    assert hint in data["error"]["hint"]
    assert data["error"]["message"]


@pytest.mark.parametrize("kind", ["not-utf8", "folder"])
def test_a_key_file_that_cannot_be_read_is_an_auth_error_naming_it(
    seedance: Callable[..., Run], gateway_env: dict[str, str], emulator: Any, kind: str
) -> None:
    """A binary key file, or a folder where the key file should be: exit 3, the path and the fix, no request."""
    key_file = Path(gateway_env["HOME"]) / ".pixazo" / "api-key"
    key_file.parent.mkdir(mode=0o700)
    if kind == "folder":
        key_file.mkdir()
    else:
        key_file.write_bytes(b"\xff\xfe\x00bad")
        key_file.chmod(0o600)
    env = {k: v for k, v in gateway_env.items() if k != "PIXAZO_API_KEY"}
    run = seedance("status", "abc", env=env)
    assert run.code == 3, run.stderr
    assert str(key_file) in run.stderr
    assert "seedance auth login" in run.stderr
    one_clear_line(run)
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (("--port", "99999"), "--port"),
        (("--fault", "bogus"), "--fault"),
        (("--job-seconds", "-1"), "--job-seconds"),
        (("--cache-dir", "/proc/nope"), "--cache-dir"),
        (("--media-base-url", "ftp://x"), "--media-base-url"),
        (("--dialect", "status_words=shouty"), "--dialect"),
    ],
)
def test_bad_emulator_flags_are_one_line_naming_the_flag(
    seedance_cmd: list[str], cli_env: dict[str, str], args: tuple[str, ...], flag: str
) -> None:
    """Out-of-range numbers, unknown faults, an unusable cache folder, a non-http media URL: exit 2, one line."""
    done = subprocess.run([*seedance_cmd, "emulator", *args], env=cli_env, capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""  # it never started: no URL announced
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ")
    assert flag in last
    assert "Traceback" not in done.stderr
    assert "errors.pydantic.dev" not in done.stderr
    assert "cannot listen" not in done.stderr


def test_a_missing_input_file_is_named_before_the_missing_key(
    seedance: Callable[..., Run], gateway_env: dict[str, str], emulator: Any
) -> None:
    """No key and a typo in --first-frame: the file is what to fix first (exit 2), not the key (exit 3)."""
    no_key = {k: v for k, v in gateway_env.items() if k != "PIXAZO_API_KEY"}
    run = seedance("generate", "a dog", *FAST, "--first-frame", "nope.png", env=no_key)
    assert run.code == 2, run.stderr
    assert "image file not found: nope.png" in run.stderr
    assert "API key" not in run.stderr
    one_clear_line(run)
    assert emulator.requests == []


def test_an_input_file_that_cannot_be_read_is_one_line(seedance: Callable[..., Run], emulator: Any) -> None:
    """/proc/self/mem exists but reading it fails (EIO): exit 2 naming the file, nothing sent."""
    run = seedance("generate", "a dog", *FAST, "--first-frame", "/proc/self/mem")
    assert run.code == 2, run.stderr
    assert "cannot read the image file /proc/self/mem" in run.stderr
    one_clear_line(run)
    assert emulator.requests == []


@pytest.mark.parametrize("args", [["--dry-run"], []], ids=["dry-run", "generate"])
def test_a_home_folder_that_does_not_exist_is_one_line(
    seedance: Callable[..., Run], emulator: Any, args: list[str]
) -> None:
    """`--first-frame ~nosuchuser/x.png` (a typo'd user) was a RuntimeError traceback: now exit 2, one line
    naming the path, nothing sent."""
    run = seedance("generate", "A cat", *FAST, "--first-frame", "~nosuchuser/x.png", *args)
    assert run.code == 2, run.stderr
    one_clear_line(run)
    assert "~nosuchuser/x.png: cannot tell which home folder ~nosuchuser is" in run.stderr
    assert emulator.submits == []


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "A cat", *FAST, "-o", "~nosuchuser/x.mp4"],
        ["batch", "-", "--out", "~nosuchuser/v", "--dry-run"],
    ],
    ids=["generate-o", "batch-out"],
)
def test_an_output_under_a_home_folder_that_does_not_exist_is_one_line(
    seedance: Callable[..., Run], emulator: Any, args: list[str]
) -> None:
    """`-o ~nosuchuser/x.mp4` or `--out ~nosuchuser/v` is exit 2 naming it (it was an internal error)."""
    run = seedance(*args)
    assert run.code == 2, run.stderr
    one_clear_line(run)
    assert "cannot tell which home folder ~nosuchuser is" in run.stderr
    assert emulator.submits == []
