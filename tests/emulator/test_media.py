"""Result files: real H.264 MP4s of the requested size and length, served like a CDN with byte ranges."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import av
import numpy as np
import pytest

import plain_http
from seedance.catalog import LITE_T2V_ID, frame_size
from seedance.emulator import EmulatorHandle
from seedance.emulator.video import caption_of

from .conftest import SMALL, Api


def top_level_boxes(data: bytes) -> list[bytes]:
    boxes, offset = [], 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        boxes.append(kind)
        offset += size
    return boxes


def test_full_download_matches_the_recorded_file(api: Api, emulator: EmulatorHandle) -> None:
    """GET without a key: 200, video/mp4, Content-Length, Accept-Ranges; the bytes hash to the job's sha256."""
    request_id, url = api.completed()
    response = plain_http.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["accept-ranges"] == "bytes"
    assert int(response.headers["content-length"]) == len(response.content)
    job = emulator.job(request_id)
    assert hashlib.sha256(response.content).hexdigest() == job.sha256
    assert Path(job.video_path or "").read_bytes() == response.content
    assert job.file_size == len(response.content)
    assert top_level_boxes(response.content)[:2] == [b"ftyp", b"moov"]  # faststart: moov before mdat
    assert not emulator.requests[-1].key_sent


def test_range_requests_resume_to_the_same_bytes(api: Api, emulator: EmulatorHandle) -> None:
    """`bytes=a-b` and `bytes=a-` give 206 with Content-Range; the pieces join into the whole file."""
    request_id, url = api.completed()
    whole = Path(emulator.job(request_id).video_path or "").read_bytes()
    head = plain_http.get(url, headers={"Range": "bytes=0-999"})
    assert head.status_code == 206
    assert head.headers["content-range"] == f"bytes 0-999/{len(whole)}"
    assert head.headers["content-length"] == "1000"
    rest = plain_http.get(url, headers={"Range": "bytes=1000-"})
    assert rest.status_code == 206
    assert rest.headers["content-range"] == f"bytes 1000-{len(whole) - 1}/{len(whole)}"
    assert head.content + rest.content == whole
    tail = plain_http.get(url, headers={"Range": "bytes=-100"})
    assert (tail.status_code, tail.content) == (206, whole[-100:])
    assert [r.range for r in emulator.requests if r.route == "media"] == [
        "bytes=0-999",
        "bytes=1000-",
        "bytes=-100",
    ]


def test_unsatisfiable_range_is_416(api: Api, emulator: EmulatorHandle) -> None:
    """A range starting past the end gets 416 with `Content-Range: bytes */size`."""
    request_id, url = api.completed()
    size = emulator.job(request_id).file_size
    response = plain_http.get(url, headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"


def test_head_gives_the_headers_without_a_body(api: Api, emulator: EmulatorHandle) -> None:
    """HEAD answers the size and type, with no body."""
    request_id, url = api.completed()
    response = plain_http.head(url)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == emulator.job(request_id).file_size
    assert response.content == b""


def test_unknown_token_or_job_is_404(api: Api, emulator: EmulatorHandle) -> None:
    """Only URLs handed out by a status call work."""
    _, url = api.completed()
    assert plain_http.get(url.replace(url.split("/")[-2], "forged")).status_code == 404
    assert plain_http.get(emulator.url("/_media/seedance-2-0_nope/x/output.mp4")).status_code == 404


def test_media_base_url_moves_result_urls_to_another_host(api: Api, emulator: EmulatorHandle) -> None:
    """`media_base_url` serves result URLs under another base (here the same server named `localhost`)."""
    other = emulator.base_url.replace("127.0.0.1", "localhost")
    emulator.configure(media_base_url=other)
    _, url = api.completed()
    assert url.startswith(other + "/_media/")
    assert plain_http.get(url).status_code == 200


def test_padding_makes_a_large_still_playable_file(api: Api, emulator: EmulatorHandle) -> None:
    """`min_result_bytes` appends a top-level `free` box; the file still decodes."""
    emulator.configure(min_result_bytes=2_000_000, fps=24)  # the gateway's frame rate (the tests' is 4)
    request_id, url = api.completed()
    data = plain_http.get(url).content
    assert len(data) >= 2_000_000
    assert top_level_boxes(data)[-1] == b"free"
    with av.open(emulator.job(request_id).video_path or "") as container:
        assert sum(1 for _ in container.decode(video=0)) == 4 * 24


@pytest.mark.parametrize(
    ("body", "path", "seconds", "size", "audio"),
    [
        ({**SMALL, "ratio": "9:16"}, "/seedance-2-0/v1/text-to-video", 4, frame_size("480p", "9:16"), True),
        ({**SMALL, "generate_audio": False}, "/seedance-2-0-fast/v1/text-to-video-fast", 4, (852, 480), False),
        ({"model": LITE_T2V_ID, "text": "A cat --rs 480p --dur 3 --rt 1:1"}, "/byteplus/v1/generateVideoTask", 3,
         (480, 480), False),
    ],
    ids=["2.0-9:16", "fast-no-audio", "1.0-1:1"],
)  # fmt: skip
def test_video_has_the_requested_length_size_and_sound(
    body: dict[str, object], path: str, seconds: int, size: tuple[int, int], audio: bool, api: Api,
    emulator: EmulatorHandle, tmp_path: Path,
) -> None:  # fmt: skip
    """The downloaded MP4 opens in PyAV: H.264 yuv420p at the requested size, duration within one frame."""
    emulator.configure(fps=24)  # the gateway's frame rate (the tests' is 4)
    _, url = api.completed(body, path)
    target = tmp_path / "out.mp4"
    target.write_bytes(plain_http.get(url).content)
    with av.open(str(target)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert (stream.width, stream.height) == size
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        assert abs(len(frames) - seconds * 24) <= 1
        assert container.duration is not None
        assert abs(container.duration / 1_000_000 - seconds) <= 1 / 24 + 0.05
        assert bool(container.streams.audio) is audio
    assert not np.array_equal(frames[0], frames[len(frames) // 2])  # the picture moves


def test_identical_jobs_share_one_synthesis(api: Api, emulator: EmulatorHandle) -> None:
    """Jobs asking for the same video reuse one file (same path, same sha256)."""
    first, _ = api.completed()
    second, _ = api.completed()
    a, b = emulator.job(first), emulator.job(second)
    assert (a.video_path, a.sha256) == (b.video_path, b.sha256)
    assert a.caption == "A cat walking on the beach"


@pytest.mark.parametrize(
    ("prompt", "caption"),
    [
        ("A cat walking on the beach", "A cat walking on the beach"),
        ("Un café crème sur la plage", "Un cafe creme sur la plage"),
        ("Don’t stop the “music” now", "Dont stop the music now"),
        ("一只猫在海滩上散步", "prompt #"),
        ("Кошка гуляет по пляжу", "prompt #"),
        ("A 猫 on the beach", "A on the beach #"),
    ],
)
def test_captions_are_drawable_and_tell_prompts_apart(prompt: str, caption: str) -> None:
    """The built-in font draws ASCII: accents and quotes are dropped, and a prompt with letters it cannot
    draw is tagged with a hash of the whole prompt (never a row of empty boxes)."""
    drawn = caption_of(prompt, "Text to video")
    assert drawn.replace("…", "").isascii()
    assert drawn.startswith(caption)
    if caption.endswith("#"):
        assert len(drawn) == len(caption) + 6
        assert caption_of(prompt + "和", "x") != drawn  # another prompt, another tag
