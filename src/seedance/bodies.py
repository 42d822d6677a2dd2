"""Build the JSON body each operation expects from a VideoRequest (no I/O beyond reading local media)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from seedance import catalog, media
from seedance.catalog import BodyStyle, Kind
from seedance.request import VideoRequest

Resolver = Callable[[str, media.MediaKind], str]
"""Turns a media reference (path or URL) into the URL to send; `media.to_url` by default."""


def build_body(req: VideoRequest, resolve: Resolver = media.to_url) -> dict[str, Any]:
    """Return the request body for the request's operation, with local files turned into data URIs."""
    op = req.op
    if op.body_style is BodyStyle.CONTENT:
        return _content_body(req, resolve)
    model_id = req.model_id or op.default_model_id
    text = (req.prompt or "").strip() + build_knobs(req)
    if op.body_style is BodyStyle.BYTEPLUS_TEXT:
        return {"model": model_id, "text": text}
    if op.body_style is BodyStyle.BYTEPLUS_IMAGE:
        assert req.first_frame is not None  # checked by the request model
        image = resolve(req.first_frame, "image")
        return {
            "model": model_id,
            "content": [{"type": "text", "text": text}, {"type": "image_url", "image_url": image}],
        }
    assert req.first_frame is not None and req.last_frame is not None
    return {
        "model": model_id,
        "text": text,
        "first_frame": resolve(req.first_frame, "image"),
        "last_frame": resolve(req.last_frame, "image"),
    }


def build_knobs(req: VideoRequest) -> str:
    """Return the 1.0 inline parameters (` --ratio 16:9 --duration 5 ...`) for the options that were set."""
    knobs = [("ratio", req.ratio), ("resolution", req.resolution), ("duration", req.duration)]
    if req.camera_fixed is not None:
        knobs.append(("camerafixed", "true" if req.camera_fixed else "false"))
    return "".join(f" --{name} {value}" for name, value in knobs if value is not None)


def _item(kind: media.MediaKind, url: str, role: str | None = None) -> dict[str, Any]:
    key = f"{kind}_url" if kind != "image" else "image_url"
    item: dict[str, Any] = {"type": key, key: {"url": url}}
    if role:
        item["role"] = role
    return item


def _content_body(req: VideoRequest, resolve: Resolver) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if req.prompt and req.prompt.strip():
        content.append({"type": "text", "text": req.prompt.strip()})
    if req.op.kind is Kind.FIRST_LAST_FRAME:
        assert req.first_frame is not None
        # One image goes without a role (as callers of the sibling endpoints send it); two carry their roles.
        if req.last_frame:
            content.append(_item("image", resolve(req.first_frame, "image"), catalog.FIRST_FRAME_ROLE))
            content.append(_item("image", resolve(req.last_frame, "image"), catalog.LAST_FRAME_ROLE))
        else:
            content.append(_item("image", resolve(req.first_frame, "image")))
    if req.edit_video:
        content.append(_item("video", resolve(req.edit_video, "video")))
    if req.extend_video:  # the clip to continue; the text says what happens next
        content.append(_item("video", resolve(req.extend_video, "video")))
    content += [_item("image", resolve(x, "image")) for x in req.ref_images]
    content += [_item("video", resolve(x, "video")) for x in req.ref_videos]
    content += [_item("audio", resolve(x, "audio")) for x in req.ref_audios]
    body: dict[str, Any] = {"content": content}
    for name in ("duration", "ratio", "resolution", "generate_audio", "watermark"):
        value = getattr(req, name)
        if name == "ratio" and req.op.forced_ratio is not None:
            continue  # upstream forces it here and may refuse one that is sent, even the forced value
        if value is not None:
            body[name] = value
    if req.web_search:
        body["tools"] = [{"type": "web_search"}]
    return body


def summarize_body(body: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a body with every data URI shortened to its type, size and sha256."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and value.startswith("data:"):
            return media.summarize_data_uri(value)
        return value

    result: dict[str, Any] = walk(body)
    return result
