"""The body rules of the Seedance 1.0 (BytePlus family) endpoints, whose options are knobs ending the prompt."""

from __future__ import annotations

from typing import Any

from seedance.catalog import BodyStyle, Operation
from seedance.emulator.spec import (
    MISSING,
    InvalidParameter,
    JobRequest,
    ModelNotFound,
    check_object,
    check_unknown_fields,
    check_url,
)

KNOBS = {
    "--ratio": "--ratio",
    "--rt": "--ratio",
    "--resolution": "--resolution",
    "--rs": "--resolution",
    "--duration": "--duration",
    "--dur": "--duration",
    "--camerafixed": "--camerafixed",
    "--cf": "--camerafixed",
}
"""Knob spellings (long and short) and the long name each stands for."""

MODEL_ID_PREFIX = "seedance-1-0-"
"""The model ids the 1.0 endpoints accept (the lite ids of the docs and the Pro ids of BytePlus)."""

_FIELDS = {
    BodyStyle.BYTEPLUS_TEXT: frozenset({"model", "text"}),
    BodyStyle.BYTEPLUS_IMAGE: frozenset({"model", "content"}),
    BodyStyle.BYTEPLUS_FRAMES: frozenset({"model", "text", "first_frame", "last_frame"}),
}


def split_knobs(text: str) -> tuple[str, dict[str, str]]:
    """Split `prompt --knob value ...` into the prompt and the knobs found at its end (long names as keys)."""
    words = text.split()
    knobs: dict[str, str] = {}
    while len(words) >= 2 and words[-2].startswith("--") and not words[-1].startswith("--"):
        name, value = words[-2], words[-1]
        if name not in KNOBS:
            raise InvalidParameter(
                name, f"a known knob ({', '.join(sorted(set(KNOBS.values())))})", f"{name} {value}"
            )
        knobs.setdefault(KNOBS[name], value)  # scanning from the end: the last spelling of a knob wins
        del words[-2:]
    if words and words[-1].startswith("--"):
        raise InvalidParameter(words[-1], "followed by a value, e.g. --duration 5", words[-1])
    return " ".join(words), knobs


def validate_byteplus_body(op: Operation, body: object, strict: bool) -> JobRequest:
    """Check a 1.0 body (`model` plus the style's fields) and read the knobs at the end of its prompt."""
    data = check_object("body", body)
    if strict:
        check_unknown_fields("", data, _FIELDS[op.body_style])
    model_id = data.get("model", MISSING)
    if not isinstance(model_id, str) or not model_id.strip():
        raise InvalidParameter("model", f"a non-empty model id string, e.g. {op.default_model_id}", model_id)
    if not model_id.startswith(MODEL_ID_PREFIX):
        raise ModelNotFound(model_id)
    if op.body_style is BodyStyle.BYTEPLUS_IMAGE:
        text = _image_style_text(data.get("content", MISSING), strict)
    else:
        text = _text_field(data.get("text", MISSING))
    if op.body_style is BodyStyle.BYTEPLUS_FRAMES:
        check_url("first_frame", data.get("first_frame", MISSING), "image")
        check_url("last_frame", data.get("last_frame", MISSING), "image")
    prompt, knobs = split_knobs(text)
    return _request_from_knobs(op, prompt, knobs, model_id)


def _text_field(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidParameter("text", "a string: the prompt, optionally ending with --knobs", text)
    return text


def _image_style_text(content: object, strict: bool) -> str:
    if not isinstance(content, list) or not content:
        raise InvalidParameter(
            "content", 'an array of one {"type": "text"} and one {"type": "image_url"} item', content
        )
    texts: list[str] = []
    images = 0
    for i, raw in enumerate(content):
        field = f"content[{i}]"
        item: dict[str, Any] = check_object(field, raw)
        kind = item.get("type", MISSING)
        if kind == "text":
            if strict:
                check_unknown_fields(field, item, frozenset({"type", "text"}))
            texts.append(_text_field(item.get("text", MISSING)))
        elif kind == "image_url":
            if strict:
                check_unknown_fields(field, item, frozenset({"type", "image_url"}))
            check_url(f"{field}.image_url", item.get("image_url", MISSING), "image")  # a plain string here
            images += 1
        else:
            raise InvalidParameter(f"{field}.type", "text or image_url", kind)
    if images != 1:
        raise InvalidParameter(
            "content", "an array with exactly one image_url item", [c.get("type") for c in content]
        )
    return " ".join(texts)


def _request_from_knobs(op: Operation, prompt: str, knobs: dict[str, str], model_id: str) -> JobRequest:
    model = op.model_info
    ratio = knobs.get("--ratio", model.default_ratio)
    if ratio not in op.ratios:
        raise InvalidParameter("--ratio", f"one of {', '.join(op.ratios)}", ratio)
    resolution = knobs.get("--resolution", model.default_resolution)
    if resolution not in model.resolutions:
        raise InvalidParameter("--resolution", f"one of {', '.join(model.resolutions)}", resolution)
    raw_duration = knobs.get("--duration", str(model.default_duration))
    lo, hi = model.min_duration, model.max_duration
    if not raw_duration.isdigit() or not lo <= int(raw_duration) <= hi:
        raise InvalidParameter("--duration", f"an integer from {lo} to {hi}", raw_duration)
    if knobs.get("--camerafixed", "false") not in ("true", "false"):
        raise InvalidParameter("--camerafixed", "true or false", knobs["--camerafixed"])
    return JobRequest(prompt, int(raw_duration), resolution, ratio, False, model_id)
