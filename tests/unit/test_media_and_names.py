"""User-given `data:` URIs are checked like files; size limits speak MiB; prompts in any script name files."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance import catalog, media
from seedance.cli.render import check_output
from seedance.download import PART_SUFFIX_BYTES, DownloadTarget
from seedance.errors import InputError
from seedance.jobs.naming import choose_target, slug
from seedance.models import parse_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MIB = 1024 * 1024


def uri(mime: str, raw: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def test_a_valid_data_uri_passes_tidied() -> None:
    """A PNG data URI is returned as is; a pasted line break inside the payload is removed."""
    good = uri("image/png", PNG)
    assert media.to_url(good, "image") == good
    half = len(good) // 2
    assert media.to_url(good[:half] + "\n" + good[half:], "image") == good
    assert media.to_url(uri("image/jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 8), "image").startswith(
        "data:image/jpeg;base64,"
    )


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ("data:image/png;base64,abc", "image", "not valid base64"),
        ("data:image/png;base64,!!!!", "image", "not valid base64"),
        ("data:image/png;base64,", "image", "is empty"),
        ("data:image/png,abc", "image", "must be base64"),
        ("data:image/png", "image", "must be base64"),
        (uri("image/png", PNG), "video", "cannot be a video"),
        (uri("video/mp4", PNG), "video", "does not hold a video"),
        (uri("text/plain", b"hello"), "audio", "cannot be an audio file"),
    ],
)
def test_bad_data_uris_are_input_errors(value: str, kind: media.MediaKind, message: str) -> None:
    """Bad base64, empty, not base64, or the wrong type for the slot: InputError, never binascii.Error."""
    with pytest.raises(InputError, match=message):
        media.to_url(value, kind)


def test_an_oversized_data_uri_is_refused_in_mib() -> None:
    """A data URI over the image limit names both sizes in MiB."""
    with pytest.raises(InputError, match=r"31\.0 MiB is over the 30 MiB limit for an image"):
        media.to_url(uri("image/png", PNG + b"\x00" * (31 * MIB)), "image")


def test_an_oversized_file_is_refused_in_mib(tmp_path: Path) -> None:
    """31 MiB against the 30 MiB limit reads `31.0 MiB is over the 30 MiB limit` (one unit, labelled)."""
    big = tmp_path / "big.png"
    big.write_bytes(PNG + b"\x00" * (31 * MIB - len(PNG)))
    with pytest.raises(InputError, match=r"31\.0 MiB is over the 30 MiB limit for an image"):
        media.check_file(str(big), "image")
    just_over = tmp_path / "just.png"
    just_over.write_bytes(PNG + b"\x00" * (catalog.MAX_IMAGE_BYTES + 1 - len(PNG)))
    with pytest.raises(InputError, match=r"30\.000 MiB is over the 30 MiB limit"):
        media.check_file(str(just_over), "image")


def test_summaries_of_broken_data_uris_do_not_raise() -> None:
    """The journal/dry-run summary of a data URI that is not base64 says so instead of failing."""
    assert "not valid base64" in media.summarize_data_uri("data:image/png;base64,abc")


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("café au lait", "cafe-au-lait"),
        ("猫が浜辺を歩く", "猫が浜辺を歩く"),
        ("नमस्ते दुनिया", "नमस्ते-दुनिया"),
        ("Ｆｕｌｌ／ｗｉｄｔｈ", "full-width"),
        ("../../etc/passwd", "etc-passwd"),
        ("😀🎬", "video"),
    ],
)
def test_prompts_in_any_script_keep_their_words(prompt: str, expected: str) -> None:
    """Accents are dropped, other scripts' letters kept, separators and symbols never kept."""
    assert slug(prompt) == expected


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a busy CI machine
def test_any_slug_is_a_safe_bounded_name(text: str) -> None:
    """No separator, dot, control character or leading dash; at most 60 bytes of UTF-8."""
    made = slug(text)
    assert made
    assert not any(c in made for c in "/\\.\x00")
    assert all(c.isprintable() for c in made)
    assert not made.startswith("-")
    assert len(made.encode("utf-8")) <= 60


def test_a_trailing_slash_names_a_folder(tmp_path: Path) -> None:
    """`-o new/` puts the default name inside `new` (even before it exists); `-o new` is the file itself."""
    request = parse_request({"prompt": "a dog"})
    inside = choose_target(str(tmp_path / "new") + "/", request, None)
    assert inside.parent == tmp_path / "new"
    assert inside.name.endswith("-a-dog.mp4")
    assert choose_target(str(tmp_path / "new"), request, None) == tmp_path / "new"


def test_the_output_folder_check_creates_it_and_names_a_file_in_the_way(tmp_path: Path) -> None:
    """A missing folder is created; a file where a folder should be is named in the error."""
    check_output(tmp_path / "a" / "b", folder_only=True)
    assert (tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []  # the write probe is gone
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match=r"file is a file"):
        check_output(tmp_path / "file" / "sub", folder_only=True)


def test_a_file_name_too_long_for_its_part_file_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    """A name that fits the file system's 255 bytes but leaves no room for its part file's tag and `.part`
    is refused now, not after paying."""
    room = 255 - PART_SUFFIX_BYTES
    check_output(tmp_path / ("a" * (room - 4) + ".mp4"))  # the part file just fits
    with pytest.raises(InputError, match=r"File name too long") as caught:
        check_output(tmp_path / ("a" * (room - 3) + ".mp4"))
    assert "shorter file name" in caught.value.remedy
    with pytest.raises(InputError, match=r"File name too long"):
        check_output(tmp_path / ("b" * 300) / "video.mp4")  # a folder name too long is one line as well
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("a", "b"))]  # no probe left behind


def test_a_part_file_belongs_to_one_job(tmp_path: Path) -> None:
    """Job A's partial download is resumed by job A only; job B at the same path starts from zero, and the
    pre-submit check leaves A's bytes alone."""
    job_a = DownloadTarget(tmp_path / "cat.mp4", request_id="job-a")
    job_a.part_path.write_bytes(b"\x00\x00\x00\x18ftypisom partial")
    check_output(tmp_path / "cat.mp4")
    job_b = DownloadTarget(tmp_path / "cat.mp4", request_id="job-b")
    assert job_b.part_path != job_a.part_path
    assert (job_b.offset(), job_b.request_headers()) == (0, {})
    assert job_a.request_headers() == {"Range": "bytes=20-"}


def test_a_files_summary_is_what_the_journal_keeps_of_it_once_sent(tmp_path: Path) -> None:
    """summary_url (hashing the file) equals the summary of the data: URI that would be sent, so a batch
    line matches its recorded job by content wherever the file now lies."""
    from PIL import Image

    from seedance import media

    Image.new("RGB", (32, 24), (10, 200, 30)).save(tmp_path / "a.png")
    sent = media.summarize_data_uri(media.to_url(str(tmp_path / "a.png"), "image"))
    assert media.summary_url(str(tmp_path / "a.png"), "image") == sent
    assert "sha256=" in sent
    assert media.summary_url("https://example.com/a.png", "image") == "https://example.com/a.png"
