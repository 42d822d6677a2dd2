"""Issue 3's bar: each of the seed's operations still served, through the real CLI and the emulator over
HTTP, makes a playable MP4 at -o, and the emulator received exactly the body the reference prescribes, once."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seedance import catalog

from .conftest import Media, Run, probe

IMG_URL, VID_URL = "https://media.test/style.png", "https://media.test/source.mp4"


def data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def text(words: str) -> dict[str, Any]:
    return {"type": "text", "text": words}


def image(url: str, role: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
    return {**item, "role": role} if role else item


def video(url: str) -> dict[str, Any]:
    return {"type": "video_url", "video_url": {"url": url}}


# (operation, CLI arguments, expected body, expected (duration, resolution, ratio) of the result)
Case = tuple[str, Callable[[Media], list[str]], Callable[[Media], dict[str, Any]], tuple[int, str, str]]
CASES: list[Case] = [
    (
        "2.0/text-to-video",
        lambda m: ["A cat walking on the beach"],
        lambda m: {"content": [text("A cat walking on the beach")]},
        (5, "720p", "16:9"),
    ),
    (
        "2.0/first-last-frame",
        lambda m: [
            "Dawn to dusk",
            "--first-frame",
            str(m.png),
            "--last-frame",
            str(m.jpg),
            "--resolution",
            "480p",
            "--duration",
            "4",
        ],
        lambda m: {
            "content": [
                text("Dawn to dusk"),
                image(data_uri(m.png, "image/png"), "first_frame"),
                image(data_uri(m.jpg, "image/jpeg"), "last_frame"),
            ],
            "duration": 4,
            "resolution": "480p",
        },
        (4, "480p", "16:9"),
    ),
    (
        "2.0/reference",
        lambda m: [
            "A dancer",
            "--ref-image",
            str(m.png),
            "--ref-video",
            str(m.mp4),
            "--ref-audio",
            str(m.wav),
            "--resolution",
            "480p",
            "--ratio",
            "1:1",
            "--duration",
            "4",
        ],
        lambda m: {
            "content": [
                text("A dancer"),
                image(data_uri(m.png, "image/png")),
                video(data_uri(m.mp4, "video/mp4")),
                {"type": "audio_url", "audio_url": {"url": data_uri(m.wav, "audio/wav")}},
            ],
            "duration": 4,
            "ratio": "1:1",
            "resolution": "480p",
        },
        (4, "480p", "1:1"),
    ),
    (
        "2.0/edit",
        lambda m: ["Make it night", "--edit", str(m.mp4), "--resolution", "480p", "--duration", "4"],
        lambda m: {
            "content": [text("Make it night"), video(data_uri(m.mp4, "video/mp4"))],
            "duration": 4,
            "resolution": "480p",
        },
        (4, "480p", "16:9"),
    ),
    (
        "2.0-fast/text-to-video",
        lambda m: [
            "A fox in snow",
            "-m",
            "2.0-fast",
            "--duration",
            "6",
            "--ratio",
            "9:16",
            "--resolution",
            "480p",
            "--no-audio",
            "--watermark",
            "--web-search",
        ],
        lambda m: {
            "content": [text("A fox in snow")],
            "duration": 6,
            "ratio": "9:16",
            "resolution": "480p",
            "generate_audio": False,
            "watermark": True,
            "tools": [{"type": "web_search"}],
        },
        (6, "480p", "9:16"),
    ),
    (
        "2.0-fast/first-last-frame",
        lambda m: [
            "Zoom in",
            "-m",
            "2.0-fast",
            "--first-frame",
            IMG_URL,
            "--resolution",
            "480p",
            "--duration",
            "4",
        ],
        lambda m: {"content": [text("Zoom in"), image(IMG_URL)], "duration": 4, "resolution": "480p"},
        (4, "480p", "16:9"),
    ),
    (
        "2.0-fast/reference",
        lambda m: [
            "Same style",
            "-m",
            "2.0-fast",
            "--ref-image",
            IMG_URL,
            "--ref-image",
            str(m.png),
            "--resolution",
            "480p",
            "--duration",
            "4",
        ],
        lambda m: {
            "content": [text("Same style"), image(IMG_URL), image(data_uri(m.png, "image/png"))],
            "duration": 4,
            "resolution": "480p",
        },
        (4, "480p", "16:9"),
    ),
    (
        "2.0-fast/edit",
        lambda m: [
            "Add rain",
            "-m",
            "2.0-fast",
            "--edit",
            VID_URL,
            "--ref-image",
            str(m.jpg),
            "--resolution",
            "480p",
            "--duration",
            "4",
        ],
        lambda m: {
            "content": [text("Add rain"), video(VID_URL), image(data_uri(m.jpg, "image/jpeg"))],
            "duration": 4,
            "resolution": "480p",
        },
        (4, "480p", "16:9"),
    ),
    (
        "1.0-pro/image-to-video",
        lambda m: [
            "Wind in the trees",
            "-m",
            "1.0-pro",
            "--first-frame",
            IMG_URL,
            "--resolution",
            "480p",
            "--duration",
            "3",
        ],
        lambda m: {
            "model": "seedance-1-0-pro-250528",
            "content": [
                text("Wind in the trees --resolution 480p --duration 3"),
                {"type": "image_url", "image_url": IMG_URL},
            ],
        },
        (3, "480p", "16:9"),
    ),
    (
        "1.0-pro/text-to-video",
        lambda m: [
            "A quiet harbour",
            "-m",
            "1.0-pro",
            "--camera-fixed",
            "--duration",
            "3",
            "--resolution",
            "480p",
            "--ratio",
            "4:3",
        ],
        lambda m: {
            "model": "seedance-1-0-pro-250528",
            "text": "A quiet harbour --ratio 4:3 --resolution 480p --duration 3 --camerafixed true",
        },
        (3, "480p", "4:3"),
    ),
]


def test_cases_cover_the_original_catalog() -> None:
    """One case per operation of the seed's catalog still served (2.5 and 2.0 Mini: test_todays_catalog.py;
    1.0 Lite is retired: refused before sending)."""
    old = [op.name for op in catalog.OPERATIONS if op.model in ("2.0", "2.0-fast", "1.0-pro")]
    assert sorted(c[0] for c in CASES) == sorted(old)


@pytest.mark.parametrize(("operation", "args", "body", "shape"), CASES, ids=[c[0] for c in CASES])
def test_operation_makes_a_playable_video_from_the_prescribed_body(
    operation: str,
    args: Callable[[Media], list[str]],
    body: Callable[[Media], dict[str, Any]],
    shape: tuple[int, str, str],
    media: Media,
    emulator: Any,
    seedance: Callable[..., Run],
    tmp_path: Path,
) -> None:
    """Exit 0, one submit with the exact body, a JSON result, and an MP4 of the requested length and size."""
    target = tmp_path / "out.mp4"
    run = seedance("generate", *args(media), "-o", str(target), "--json")
    assert run.code == 0, run.stderr
    submits = [r for r in emulator.requests if r.route == "submit"]
    assert len(submits) == 1
    assert submits[0].operation == operation
    assert submits[0].json == body(media)
    result = run.json()
    assert result["ok"] is True
    assert result["operation"] == operation
    assert result["file"] == str(target)
    assert result["request_id"] == submits[0].request_id
    assert result["video_url"].startswith(emulator.base_url)
    duration, resolution, ratio = shape
    seconds, width, height = probe(target)
    assert abs(seconds - duration) < 0.2
    assert (width, height) == catalog.frame_size(resolution, ratio)
