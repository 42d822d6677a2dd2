"""Each of the 19 submit paths checks its own body rules and names the offending field in a 400; the retired
route answers 404."""

from __future__ import annotations

from typing import Any

import pytest

from seedance import catalog
from seedance.emulator import EmulatorHandle

from .conftest import Api

IMG = "https://example.com/cat.png"
VID = "https://example.com/cat.mp4"
AUD = "https://example.com/purr.mp3"
PNG_DATA = "data:image/png;base64,iVBORw0KGgo="
TEXT = {"type": "text", "text": "A cat walking on the beach"}


def image(url: str = IMG, role: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
    if role:
        item["role"] = role
    return item


VIDEO = {"type": "video_url", "video_url": {"url": VID}}
AUDIO = {"type": "audio_url", "audio_url": {"url": AUD}}
FIRST, LAST = image(role=catalog.FIRST_FRAME_ROLE), image(role=catalog.LAST_FRAME_ROLE)


def v2(*items: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"content": list(items), "resolution": "480p", "duration": 4, **options}


V2_ACCEPTED: dict[catalog.Kind, dict[str, Any]] = {
    catalog.Kind.TEXT_TO_VIDEO: v2(
        TEXT, generate_audio=True, watermark=False, tools=[{"type": "web_search"}]
    ),
    catalog.Kind.FIRST_LAST_FRAME: v2(TEXT, FIRST, LAST, ratio="9:16"),
    catalog.Kind.REFERENCE: v2(TEXT, image(PNG_DATA), VIDEO, AUDIO),
    catalog.Kind.EDIT: v2(TEXT, VIDEO, image()),
    catalog.Kind.EXTEND: v2(TEXT, VIDEO),
}
BYTEPLUS_ACCEPTED: dict[catalog.BodyStyle, dict[str, Any]] = {
    catalog.BodyStyle.BYTEPLUS_TEXT: {
        "model": catalog.LITE_T2V_ID,
        "text": "A cat walking --ratio 1:1 --resolution 480p --duration 3 --camerafixed true",
    },
    catalog.BodyStyle.BYTEPLUS_IMAGE: {
        "model": catalog.LITE_I2V_ID,
        "content": [
            {"type": "text", "text": "A cat walking --rt 1:1 --rs 480p --dur 3 --cf false"},
            {"type": "image_url", "image_url": IMG},
        ],
    },
    catalog.BodyStyle.BYTEPLUS_FRAMES: {
        "model": catalog.LITE_I2V_ID,
        "text": "A cat walking --rs 480p --dur 3 --rt 1:1",
        "first_frame": IMG,
        "last_frame": PNG_DATA,
    },
}


def accepted_body(op: catalog.Operation) -> dict[str, Any]:
    if op.body_style is catalog.BodyStyle.CONTENT:
        body = V2_ACCEPTED[op.kind]
        # where upstream forces the ratio, none is sent
        return {k: v for k, v in body.items() if k != "ratio"} if op.forced_ratio else body
    return BYTEPLUS_ACCEPTED[op.body_style]


@pytest.mark.parametrize("op", catalog.built_in().live_operations(), ids=lambda op: op.name)
def test_each_operation_accepts_its_documented_body(
    op: catalog.Operation, api: Api, emulator: EmulatorHandle
) -> None:
    """A valid body on each of the 11 paths is queued under the model's request-id prefix."""
    response = api.submit(accepted_body(op), op.path)
    assert response.status_code == 202, response.text
    request_id = response.json()["request_id"]
    assert request_id.startswith(op.model_info.request_prefix + "_")
    job = emulator.job(request_id)
    assert (job.operation, job.resolution) == (op.name, "480p")
    if op.model_info.is_byteplus:
        assert job.prompt == "A cat walking"  # the knobs are not part of the prompt
        assert (job.duration, job.ratio, job.model_id, job.generate_audio) == (
            3,
            "1:1",
            accepted_body(op)["model"],
            False,
        )
    else:
        assert (job.prompt, job.duration, job.model_id) == (
            "A cat walking on the beach",
            4,
            op.model_info.api_id,
        )


def test_retired_route_answers_404_resource_not_found(api: Api, emulator: EmulatorHandle) -> None:
    """1.0 Lite's frame route, retired by the gateway, answers as the gateway's front does: no job made."""
    response = api.submit(
        BYTEPLUS_ACCEPTED[catalog.BodyStyle.BYTEPLUS_FRAMES], "/byteplus/v1/generateFrame2VideoTask"
    )
    assert response.status_code == 404
    assert response.json() == {"statusCode": 404, "message": "Resource not found"}
    assert emulator.jobs == []


def test_2x_defaults_are_applied(api: Api, emulator: EmulatorHandle) -> None:
    """Without options a 2.x job is 5 s, adaptive ratio, 720p, with sound; duration -1 is emulated as 5 s."""
    job = emulator.job(api.submit_id({"content": [TEXT], "duration": -1}))
    assert (job.duration, job.ratio, job.resolution, job.generate_audio) == (5, "adaptive", "720p", True)


def test_byteplus_defaults_and_knob_free_prompt(api: Api, emulator: EmulatorHandle) -> None:
    """A 1.0 prompt without knobs gets 16:9, 5 s and the model's default resolution."""
    job = emulator.job(
        api.submit_id({"model": catalog.LITE_T2V_ID, "text": "A cat"}, "/byteplus/v1/generateVideoTask")
    )
    assert (job.prompt, job.ratio, job.duration, job.resolution) == ("A cat", "16:9", 5, "1080p")


T2V, FLF, REF, EDIT = (
    catalog.OPERATIONS_BY_NAME[f"2.0/{k}"] for k in ("text-to-video", "first-last-frame", "reference", "edit")
)
FAST_REF = catalog.OPERATIONS_BY_NAME["2.0-fast/reference"]
BP_TEXT, BP_IMAGE = (catalog.OPERATIONS_BY_PATH[f"/byteplus/v1/{p}"] for p in
                     ("generateVideoTask", "generateImage2VideoTask"))  # fmt: skip
BP_T = {"model": catalog.LITE_T2V_ID, "text": "A cat"}

REJECTIONS: list[tuple[str, catalog.Operation, Any, str]] = [
    ("content missing", T2V, {"duration": 5}, "content"),
    ("content empty", T2V, {"content": []}, "content"),
    ("content not a list", T2V, {"content": "A cat"}, "content"),
    ("t2v without text", T2V, {"content": [{"type": "text", "text": "  "}]}, "content"),
    ("t2v with media", T2V, v2(TEXT, image()), "content[1]"),
    ("unknown item type", T2V, v2({"type": "gif", "url": IMG}), "content[0].type"),
    ("text not a string", T2V, v2({"type": "text", "text": 5}), "content[0].text"),
    ("bad url scheme", REF, v2(image("ftp://example.com/x.png")), "content[0].image_url.url"),
    ("image_url as plain string on 2.x", REF, v2({"type": "image_url", "image_url": IMG}), "content[0].image_url"),
    ("data uri of the wrong type", REF, v2(image("data:video/mp4;base64,AAAA")), "content[0].image_url.url"),
    ("unknown item key", T2V, v2({**TEXT, "lang": "en"}), "content[0].lang"),
    ("duration too short", T2V, v2(TEXT, duration=3), "duration"),
    ("duration too long", T2V, v2(TEXT, duration=16), "duration"),
    ("duration as a string", T2V, v2(TEXT, duration="5"), "duration"),
    ("duration as a float", T2V, v2(TEXT, duration=5.0), "duration"),
    ("duration as a boolean", T2V, v2(TEXT, duration=True), "duration"),
    ("unknown ratio", T2V, v2(TEXT, ratio="2:1"), "ratio"),
    ("1080p on 2.0", T2V, v2(TEXT, resolution="1080p"), "resolution"),
    ("generate_audio as 1", T2V, v2(TEXT, generate_audio=1), "generate_audio"),
    ("watermark as a string", T2V, v2(TEXT, watermark="no"), "watermark"),
    ("tools outside text-to-video", REF, v2(image(), tools=[{"type": "web_search"}]), "tools"),
    ("unknown tool", T2V, v2(TEXT, tools=[{"type": "calculator"}]), "tools[0]"),
    ("unknown top-level field", T2V, v2(TEXT, seed=42), "seed"),
    ("three frames", FLF, v2(FIRST, LAST, image()), "content"),
    ("two frames without roles", FLF, v2(image(), image()), "content[0].role"),
    ("two first frames", FLF, v2(FIRST, FIRST), "content[0].role"),
    ("last frame alone", FLF, v2(LAST), "content[0].role"),
    ("unknown role", FLF, v2(image(role="middle")), "content[0].role"),
    ("video in first-last-frame", FLF, v2(FIRST, VIDEO), "content[1]"),
    ("reference without media", REF, v2(TEXT), "content"),
    ("ten reference images", FAST_REF, v2(*[image()] * 10), "content[9]"),
    ("four reference videos", REF, v2(*[VIDEO] * 4), "content[3]"),
    ("four reference audios", REF, v2(*[AUDIO] * 4), "content[3]"),
    ("frame role on a reference", REF, v2(FIRST), "content[0].role"),
    ("edit without a video", EDIT, v2(TEXT, image()), "content"),
    ("edit with audio", EDIT, v2(VIDEO, AUDIO), "content[1]"),
    ("1.0 without model", BP_TEXT, {"text": "A cat"}, "model"),
    ("1.0 with an empty model", BP_TEXT, {"model": " ", "text": "A cat"}, "model"),
    ("1.0 without text", BP_TEXT, {"model": catalog.LITE_T2V_ID}, "text"),
    ("1.0 unknown knob", BP_TEXT, {**BP_T, "text": "A cat --fps 30"}, "--fps"),
    ("1.0 knob without value", BP_TEXT, {**BP_T, "text": "A cat --dur"}, "--dur"),
    ("1.0 duration out of range", BP_TEXT, {**BP_T, "text": "A cat --duration 13"}, "--duration"),
    ("1.0 duration not a number", BP_TEXT, {**BP_T, "text": "A cat --dur five"}, "--duration"),
    ("1.0 unknown resolution", BP_TEXT, {**BP_T, "text": "A cat --rs 2k"}, "--resolution"),
    ("1.0 camerafixed not a boolean", BP_TEXT, {**BP_T, "text": "A cat --cf maybe"}, "--camerafixed"),
    ("1.0 unknown field", BP_TEXT, {**BP_T, "duration": 5}, "duration"),
    ("1.0 image as an object", BP_IMAGE, {"model": catalog.LITE_I2V_ID, "content": [TEXT, image()]}, "content[1].image_url"),
    ("1.0 two images", BP_IMAGE, {"model": catalog.LITE_I2V_ID, "content": [
        {"type": "image_url", "image_url": IMG}, {"type": "image_url", "image_url": IMG}]}, "content"),
]  # fmt: skip


@pytest.mark.parametrize(("op", "body", "field"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS])
def test_invalid_body_is_400_naming_the_field(
    op: catalog.Operation, body: Any, field: str, api: Api, emulator: EmulatorHandle
) -> None:
    """A body breaking one rule gets 400 `Invalid parameter: <field>` with `<field> must be ... (got ...)`."""
    response = api.submit(body, op.path)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["error"] == f"Invalid parameter: {field}"
    assert answer["message"].startswith(f"{field} must be ")
    assert "(got " in answer["message"]
    assert emulator.submits == []


def test_unknown_1_0_model_is_the_documented_model_not_found(api: Api) -> None:
    """A model id outside the 1.0 family gets the gateway's `Model not found` body."""
    response = api.submit({"model": "veo-3", "text": "A cat"}, BP_TEXT.path)
    assert response.status_code == 400
    assert response.json() == {
        "error": "Model not found",
        "message": "Model 'veo-3' not found or is disabled",
    }


def test_body_that_is_not_json_is_400(api: Api) -> None:
    """A body that does not parse as JSON is refused."""
    response = api.client.post(T2V.path, content=b"{not json")
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid JSON"


def test_unknown_fields_pass_when_strict_is_off(api: Api, emulator: EmulatorHandle) -> None:
    """With `strict=False` unknown top-level fields and item keys are ignored."""
    emulator.configure(strict=False)
    assert api.submit(v2({**TEXT, "lang": "en"}, seed=42)).status_code == 202


def test_knobs_only_count_at_the_end_of_the_prompt(api: Api, emulator: EmulatorHandle) -> None:
    """Knob-looking words inside the prompt stay in the prompt; only the trailing ones are parsed."""
    body = {**BP_T, "text": "Use --ratio 1:1 framing, then pan --dur 4 --rs 480p"}
    job = emulator.job(api.submit_id(body, BP_TEXT.path))
    assert (job.prompt, job.duration, job.resolution, job.ratio) == (
        "Use --ratio 1:1 framing, then pan",
        4,
        "480p",
        "16:9",
    )
