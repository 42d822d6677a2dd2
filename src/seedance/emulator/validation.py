"""The body rules of the Seedance 2.x endpoints (`content` array style), and the dispatch per body style."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seedance import catalog
from seedance.catalog import BodyStyle, Kind, Operation
from seedance.emulator.byteplus import validate_byteplus_body
from seedance.emulator.spec import (
    MISSING,
    InvalidParameter,
    JobRequest,
    check_bool,
    check_choice,
    check_object,
    check_unknown_fields,
    check_url,
)

TOP_FIELDS = frozenset({"content", "duration", "ratio", "resolution", "generate_audio", "watermark", "tools"})
MEDIA_TYPES = ("image_url", "video_url", "audio_url")
ITEM_TYPES = ("text", *MEDIA_TYPES)
FRAME_ROLES = (catalog.FIRST_FRAME_ROLE, catalog.LAST_FRAME_ROLE)


@dataclass(frozen=True)
class Item:
    """One parsed `content` item."""

    type: str
    field: str
    """Where it sits in the body, e.g. `content[1]`, for error messages."""
    text: str = ""
    role: str | None = None


def validate_body(op: Operation, body: object, strict: bool) -> JobRequest:
    """Check a submit body against `op`'s rules; raise `InvalidParameter` (or `ModelNotFound`) naming the field."""
    if op.body_style is BodyStyle.CONTENT:
        return validate_content_body(op, body, strict)
    return validate_byteplus_body(op, body, strict)


def validate_content_body(op: Operation, body: object, strict: bool) -> JobRequest:
    """Check a 2.x body: the `content` items, the per-kind item rules and the optional top-level knobs."""
    data = check_object("body", body)
    if strict:
        check_unknown_fields("", data, TOP_FIELDS)
    items = [_parse_item(f"content[{i}]", raw, strict) for i, raw in enumerate(_content_list(data))]
    _check_kind_rules(op.kind, items)
    model = op.model_info
    _check_counts(model, items)
    duration = _duration(data.get("duration", MISSING), model)
    if op.forced_ratio is not None and "ratio" in data:
        # BytePlus answers InvalidParameter.TaskTypeConstraint when a ratio is sent where it forces one
        raise InvalidParameter(
            "ratio", f"absent: this task type forces {op.forced_ratio} (TaskTypeConstraint)", data["ratio"]
        )
    ratio = check_choice("ratio", data.get("ratio", op.forced_ratio or model.default_ratio), op.ratios)
    resolution = check_choice(
        "resolution", data.get("resolution", model.default_resolution), model.resolutions
    )
    audio = check_bool("generate_audio", data.get("generate_audio", True))
    check_bool("watermark", data.get("watermark", False))
    if "tools" in data:
        _check_tools(op.kind, data["tools"])
    prompt = " ".join(item.text for item in items if item.type == "text").strip()
    return JobRequest(prompt, duration, resolution, ratio, audio and model.has_audio, model.api_id)


def _content_list(data: dict[str, Any]) -> list[Any]:
    content = data.get("content", MISSING)
    if not isinstance(content, list) or not content:
        raise InvalidParameter(
            "content", "a non-empty array of text/image_url/video_url/audio_url items", content
        )
    return content


def _parse_item(field: str, raw: object, strict: bool) -> Item:
    item = check_object(field, raw)
    kind = item.get("type", MISSING)
    if kind not in ITEM_TYPES:
        raise InvalidParameter(f"{field}.type", f"one of {', '.join(ITEM_TYPES)}", kind)
    assert isinstance(kind, str)
    if strict:
        check_unknown_fields(
            field, item, frozenset({"type", kind, "role"} if kind == "image_url" else {"type", kind})
        )
    if kind == "text":
        text = item.get("text", MISSING)
        if not isinstance(text, str):
            raise InvalidParameter(f"{field}.text", "a string", text)
        return Item(kind, field, text=text)
    holder = check_object(f"{field}.{kind}", item.get(kind, MISSING))
    if strict:
        check_unknown_fields(f"{field}.{kind}", holder, frozenset({"url"}))
    check_url(f"{field}.{kind}.url", holder.get("url", MISSING), kind.removesuffix("_url"))
    role = item.get("role")
    if role is not None and role not in FRAME_ROLES:
        raise InvalidParameter(f"{field}.role", f"{' or '.join(FRAME_ROLES)}", role)
    return Item(kind, field, role=role)


def _check_kind_rules(kind: Kind, items: list[Item]) -> None:
    """Apply what each 2.x operation accepts in `content` (counts, roles, required items)."""
    by_type = {t: [i for i in items if i.type == t] for t in ITEM_TYPES}
    images, videos, audios = by_type["image_url"], by_type["video_url"], by_type["audio_url"]
    roles = [i for i in items if i.role is not None]
    types = [i.type for i in items]
    if kind is Kind.TEXT_TO_VIDEO:
        if not any(i.text.strip() for i in by_type["text"]):
            raise InvalidParameter("content", "an array with a non-empty text item for text-to-video", types)
        if images or videos or audios:
            media = (images + videos + audios)[0]
            raise InvalidParameter(media.field, "absent: text-to-video takes text only", media.type)
        return
    if kind is Kind.FIRST_LAST_FRAME:
        _check_frames(images, videos + audios, types)
        return
    if roles:
        raise InvalidParameter(
            f"{roles[0].field}.role", "absent: frame roles belong to first-last-frame", roles[0].role
        )
    if kind is Kind.REFERENCE and not (images or videos or audios):
        raise InvalidParameter(
            "content", "an array with at least one image_url, video_url or audio_url item", types
        )
    if kind is Kind.EXTEND:
        if len(videos) != 1 or images or audios:
            raise InvalidParameter(
                "content", "an array of text and exactly one video_url item (the clip to extend)", types
            )
        if not any(i.text.strip() for i in by_type["text"]):
            raise InvalidParameter("content", "an array with a text item (what happens next)", types)
    if kind is Kind.EDIT:
        if not videos:
            raise InvalidParameter(
                "content", "an array with at least one video_url item (the video to edit)", types
            )
        if audios:
            raise InvalidParameter(
                audios[0].field, "absent: edit-video takes videos, images and text", "audio_url"
            )


def _check_frames(images: list[Item], others: list[Item], types: list[str]) -> None:
    if others:
        raise InvalidParameter(
            others[0].field, "absent: first-last-frame takes images and text only", others[0].type
        )
    if not 1 <= len(images) <= 2:
        raise InvalidParameter(
            "content", "an array with 1 or 2 image_url items (first and last frame)", types
        )
    roles = [i.role for i in images]
    if len(images) == 2 and sorted(str(r) for r in roles) != sorted(FRAME_ROLES):
        bad = next(i for i in images if i.role is None or roles.count(i.role) > 1)
        raise InvalidParameter(
            f"{bad.field}.role", "first_frame on one image and last_frame on the other", bad.role
        )
    if roles == [catalog.LAST_FRAME_ROLE]:
        raise InvalidParameter(
            f"{images[0].field}.role", "first_frame: a last_frame needs a first_frame", roles[0]
        )


def _check_counts(model: catalog.Model, items: list[Item]) -> None:
    for limit, name in (
        (model.max_images, "image_url"),
        (model.max_videos, "video_url"),
        (model.max_audios, "audio_url"),
    ):
        found = [i for i in items if i.type == name]
        if len(found) > limit:
            raise InvalidParameter(
                found[limit].field, f"absent: at most {limit} {name} items are accepted", name
            )


def _duration(value: object, model: catalog.Model) -> int:
    if value is MISSING:
        return model.default_duration
    lo, hi = model.min_duration, model.max_duration
    auto = " or -1 (model picks)" if model.auto_duration else ""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (lo <= value <= hi or (auto and value == -1))
    ):
        raise InvalidParameter("duration", f"an integer from {lo} to {hi}{auto}", value)
    # The model would choose a length itself; the emulator picks the default.
    return model.default_duration if value == -1 else value


def _check_tools(kind: Kind, tools: object) -> None:
    if kind is not Kind.TEXT_TO_VIDEO:
        raise InvalidParameter("tools", "absent: only text-to-video accepts tools", tools)
    if not isinstance(tools, list):
        raise InvalidParameter("tools", 'an array of {"type": "web_search"} items', tools)
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or tool.get("type") != "web_search" or len(tool) != 1:
            raise InvalidParameter(f"tools[{i}]", '{"type": "web_search"}', tool)
