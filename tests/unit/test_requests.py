"""Requests: the operation follows from the inputs, bad values are refused before sending, bodies match the reference."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest

from seedance import bodies, catalog
from seedance.errors import InputError
from seedance.request import VideoRequest, parse_request

IMG, IMG2, VID, AUD = (
    "https://m.test/a.png",
    "https://m.test/b.png",
    "https://m.test/v.mp4",
    "https://m.test/a.mp3",
)


def image_item(url: str, role: str | None = None) -> dict[str, object]:
    item: dict[str, object] = {"type": "image_url", "image_url": {"url": url}}
    if role:
        item["role"] = role
    return item


TEXT = {"type": "text", "text": "A cat walking on the beach"}
CASES = [
    ("2.0", {}, "2.0/text-to-video", {"content": [TEXT]}),
    (
        "2.0",
        {"first_frame": IMG, "last_frame": IMG2},
        "2.0/first-last-frame",
        {"content": [TEXT, image_item(IMG, "first_frame"), image_item(IMG2, "last_frame")]},
    ),
    (
        "2.0",
        {"ref_images": [IMG], "ref_videos": [VID], "ref_audios": [AUD]},
        "2.0/reference",
        {
            "content": [
                TEXT,
                image_item(IMG),
                {"type": "video_url", "video_url": {"url": VID}},
                {"type": "audio_url", "audio_url": {"url": AUD}},
            ]
        },
    ),
    (
        "2.0",
        {"edit_video": VID},
        "2.0/edit",
        {"content": [TEXT, {"type": "video_url", "video_url": {"url": VID}}]},
    ),
    (
        "2.0-fast",
        {
            "duration": 8,
            "ratio": "9:16",
            "resolution": "480p",
            "generate_audio": False,
            "watermark": True,
            "web_search": True,
        },
        "2.0-fast/text-to-video",
        {
            "content": [TEXT],
            "duration": 8,
            "ratio": "9:16",
            "resolution": "480p",
            "generate_audio": False,
            "watermark": True,
            "tools": [{"type": "web_search"}],
        },
    ),
    ("2.0-fast", {"first_frame": IMG}, "2.0-fast/first-last-frame", {"content": [TEXT, image_item(IMG)]}),
    (
        "2.0-fast",
        {"ref_images": [IMG, IMG2]},
        "2.0-fast/reference",
        {"content": [TEXT, image_item(IMG), image_item(IMG2)]},
    ),
    (
        "2.0-fast",
        {"edit_video": VID, "ref_images": [IMG]},
        "2.0-fast/edit",
        {"content": [TEXT, {"type": "video_url", "video_url": {"url": VID}}, image_item(IMG)]},
    ),
    (
        "1.0-pro",
        {"first_frame": IMG, "ratio": "adaptive"},
        "1.0-pro/image-to-video",
        {
            "model": "seedance-1-0-pro-250528",
            "content": [
                {"type": "text", "text": "A cat walking on the beach --ratio adaptive"},
                {"type": "image_url", "image_url": IMG},
            ],
        },
    ),
    (
        "1.0-pro",
        {"resolution": "1080p", "camera_fixed": False, "ratio": "21:9", "duration": 12},
        "1.0-pro/text-to-video",
        {
            "model": "seedance-1-0-pro-250528",
            "text": "A cat walking on the beach --ratio 21:9 --resolution 1080p --duration 12 --camerafixed false",
        },
    ),
]


def test_cases_cover_the_catalog_before_2_5_and_mini() -> None:
    """The table below exercises every operation of the original gateway still served (the operations of
    2.5 and 2.0 Mini are checked against tests/contract/)."""
    old = [op.name for op in catalog.OPERATIONS if op.model in ("2.0", "2.0-fast", "1.0-pro")]
    assert sorted(c[2] for c in CASES) == sorted(old)


@pytest.mark.parametrize(("model", "extra", "operation", "body"), CASES, ids=[c[2] for c in CASES])
def test_body_matches_the_reference(
    model: str, extra: dict[str, object], operation: str, body: dict[str, object]
) -> None:
    """Each operation is chosen from the inputs and its body laid out as the reference prescribes."""
    request = parse_request({"prompt": "A cat walking on the beach", "model": model, **extra})
    assert request.op.name == operation
    assert bodies.build_body(request) == body


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"model": "3.0"}, "unknown model"),
        ({"duration": 3}, "4-15"),
        ({"duration": 16}, "4-15"),
        ({"model": "1.0-pro", "duration": -1}, "3-12"),
        ({"ratio": "2:1"}, "ratio"),
        ({"resolution": "1080p"}, "resolution"),
        ({"model": "1.0-pro", "first_frame": IMG, "ratio": "21:9"}, "ratio"),
        ({"last_frame": IMG2}, "last_frame needs a first_frame"),
        ({"first_frame": IMG, "ref_images": [IMG2]}, "cannot be mixed"),
        (
            {"model": "1.0-lite", "first_frame": IMG, "last_frame": IMG2},
            "retired by the gateway on 2026-07-29",
        ),
        ({"model": "1.0-lite"}, "use -m 2.0-mini --first-frame A --last-frame B instead"),
        ({"model": "1.0-pro", "ref_images": [IMG]}, "does not offer reference"),
        ({"model": "1.0-pro", "first_frame": IMG, "last_frame": IMG2}, "does not take a last frame"),
        ({"model": "1.0-pro", "generate_audio": False}, "only Seedance 2.x"),
        ({"model": "2.0", "extend_video": VID}, "does not offer extend"),
        ({"model": "2.5", "duration": 31}, "4-30"),
        ({"model": "2.0-mini", "duration": 20}, "4-15"),
        ({"model": "2.5", "extend_video": VID, "ratio": "16:9"}, "leave the ratio out"),
        ({"model": "2.5", "extend_video": VID, "edit_video": VID}, "cannot be mixed"),
        ({"camera_fixed": True}, "only Seedance 1.0"),
        ({"ref_images": [IMG], "web_search": True}, "only text to video"),
        ({"ref_images": [IMG] * 10}, "too many images"),
        ({"ref_videos": [VID] * 4}, "too many videos"),
        ({"model": "1.0-pro", "prompt": "a cat --ratio 16:9"}, "do not type --ratio"),
        ({"operation": "edit"}, "edit_video"),
        ({"prompt": "  "}, "needs a prompt"),
        ({"colour": "red"}, "not a known field"),
    ],
)
def test_impossible_requests_are_refused_with_what_to_change(fields: dict[str, object], message: str) -> None:
    """Each impossible combination raises one InputError line naming what to change."""
    data = {"prompt": "A cat", **fields}
    with pytest.raises(InputError) as caught:
        parse_request(data)
    assert message in caught.value.message
    assert "\n" not in caught.value.message
    assert caught.value.exit_code == 2


def test_model_aliases_are_accepted() -> None:
    """Common spellings of model names are understood."""
    assert VideoRequest(prompt="x", model="Seedance 2.0 Fast".replace(" ", "-")).model == "2.0-fast"
    assert VideoRequest(prompt="x", model="pro").model == "1.0-pro"


def test_loose_values_are_read_as_before_and_typed_values_as_given() -> None:
    """A batch CSV's text is coerced ("5" -> 5, "yes" -> True, one path -> a list); values of the right type
    are kept; a JSON true is not a duration; both ways give equal requests and equal journal settings."""
    loose = parse_request({"prompt": "x", "duration": "5", "generate_audio": "yes", "ref_images": IMG})
    typed = parse_request({"prompt": "x", "duration": 5, "generate_audio": True, "ref_images": [IMG]})
    assert loose == typed
    assert (loose.duration, loose.generate_audio, loose.ref_images) == (5, True, [IMG])
    assert (
        loose.settings()
        == typed.settings()
        == {
            "prompt": "x",
            "ref_images": [IMG],
            "duration": 5,
            "generate_audio": True,
            "resolution": None,
        }
    )
    assert parse_request({"prompt": "x", "operation": "reference", "ref_images": [IMG]}).operation is (
        catalog.Kind.REFERENCE
    )
    for bad, message in (
        ({"duration": True}, "not true or false"),
        ({"duration": "five"}, "duration: Input should be a valid integer"),
        ({"ref_images": [IMG, 3]}, "ref_images.1: Input should be a valid string"),
    ):
        with pytest.raises(InputError, match=message):
            parse_request({"prompt": "x", **bad})


def test_a_request_built_directly_is_checked_like_parsed_data() -> None:
    """`VideoRequest(...)` runs the same checks as parse_request, and refuses a value of the wrong type
    (no silent coercion in Python code) with the field's name."""
    with pytest.raises(InputError, match=r"^duration: expected a whole number or nothing, got str$"):
        VideoRequest(prompt="x", duration="5")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="not true or false"):
        VideoRequest(prompt="x", duration=True)
    with pytest.raises(InputError, match=r"duration: Seedance 2\.0 takes 4-15 seconds"):
        VideoRequest(prompt="x", duration=99)
    with pytest.raises(InputError, match="last_frame needs a first_frame"):
        VideoRequest(prompt="x", last_frame=IMG)
    assert VideoRequest(prompt="x", operation="reference", ref_images=IMG).op.kind is catalog.Kind.REFERENCE  # type: ignore[arg-type]


def test_a_checked_request_shares_no_list_with_its_caller() -> None:
    """Lists given to parse_request or VideoRequest, and those settings() returns, are copies: appending
    to them afterwards cannot push a checked request past its limits."""
    given = [IMG]
    for request in (
        parse_request({"prompt": "x", "ref_images": given}),
        VideoRequest(prompt="x", ref_images=given),
    ):
        given.append(IMG2)
        request.settings()["ref_images"].append(IMG2)
        assert request.ref_images == [IMG]
        given.remove(IMG2)


def test_what_is_not_a_dict_is_one_input_error() -> None:
    """None, a list or a string is refused as one line; a VideoRequest is taken as it is."""
    for bad in (None, [], "x"):
        with pytest.raises(InputError, match="dictionary or an instance of VideoRequest"):
            parse_request(bad)  # type: ignore[arg-type]
    request = VideoRequest(prompt="x")
    assert parse_request(request) == request  # type: ignore[arg-type]


def test_typed_values_never_load_pydantic() -> None:
    """Checking a request whose values already have their types (the CLI's, a dry run's) does not import
    pydantic; only loose text (a CSV's "5") needs it."""
    code = (
        "import sys; from seedance.request import parse_request; "
        "parse_request({'prompt': 'x', 'duration': 5, 'ref_images': ['https://m.test/a.png'], "
        "'operation': 'reference'}); "
        "print('pydantic' in sys.modules); parse_request({'prompt': 'x', 'duration': '5'}); "
        "print('pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_local_files_become_checked_data_uris(tmp_path: Path) -> None:
    """A local image is sniffed by content and sent as a data URI; the dry-run summary hides the bytes."""
    image = tmp_path / "frame.jpg"  # the name lies; the content decides
    image.write_bytes(PNG)
    body = bodies.build_body(parse_request({"prompt": "x", "first_frame": str(image)}))
    url = body["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == PNG
    summary = bodies.summarize_body(body)["content"][1]["image_url"]["url"]
    assert summary.startswith("data:image/png;base64,<70 bytes sha256=")


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        (b"not an image at all", "first_frame", "expected an image"),
        (PNG, "edit_video", "expected a video"),
        (b"", "first_frame", "expected an image"),
    ],
)
def test_local_files_of_the_wrong_kind_are_refused(
    tmp_path: Path, content: bytes, field: str, message: str
) -> None:
    """A text file as an image, or an image as a video, is refused before anything is sent."""
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        bodies.build_body(parse_request({"prompt": "x", field: str(path)}))


def test_missing_local_file_is_refused(tmp_path: Path) -> None:
    """A path that does not exist gets a clear error naming it."""
    with pytest.raises(InputError, match=r"not found: .*nope\.png"):
        bodies.build_body(parse_request({"prompt": "x", "first_frame": str(tmp_path / "nope.png")}))
