"""What a valid submit asks for, the 400 answers of invalid ones, and the checks both body families share."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class JobRequest:
    """The parts of an accepted submit that shape the job and its video."""

    prompt: str
    """The prompt text (for 1.0 models, without the trailing knobs)."""
    duration: int
    """Seconds of video (the model's choice, -1, is emulated as the default)."""
    resolution: str
    ratio: str
    generate_audio: bool
    model_id: str
    """The `model_id` reported in status answers."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Marks a field that was not sent at all."""


def describe(value: object) -> str:
    """Render a received value for an error message: JSON, cut short; `nothing` when it was not sent."""
    if value is MISSING:
        return "nothing"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class InvalidParameter(Exception):
    """A 400 answer naming the offending field, in the gateway's `{"error", "message"}` envelope."""

    def __init__(self, field: str, expectation: str, got: object = MISSING) -> None:
        self.field = field
        self.message = f"{field} must be {expectation} (got {describe(got)})"
        super().__init__(self.message)

    def body(self) -> dict[str, str]:
        """The JSON body of the 400 answer."""
        return {"error": f"Invalid parameter: {self.field}", "message": self.message}


class ModelNotFound(Exception):
    """The documented 400 answer for a model id the gateway does not know."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        super().__init__(model_id)

    def body(self) -> dict[str, str]:
        """The JSON body of the 400 answer."""
        return {"error": "Model not found", "message": f"Model '{self.model_id}' not found or is disabled"}


_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)(;[\w.+-]+=[\w.+-]+)*;base64,[A-Za-z0-9+/\r\n]+=*$")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


def check_url(field: str, value: object, media: str) -> str:
    """Return `value` if it is an http(s) URL or a base64 data URI of the right media type (`image`...)."""
    if isinstance(value, str):
        if _HTTP_URL.match(value):
            return value
        match = _DATA_URI.match(value)
        if match and match["mime"].startswith(f"{media}/"):
            return value
    raise InvalidParameter(field, f"an http(s):// URL or a data:{media}/<type>;base64,... URI", value)


def check_object(field: str, value: object) -> dict[str, Any]:
    """Return `value` if it is a JSON object."""
    if not isinstance(value, dict):
        raise InvalidParameter(field, "a JSON object", value)
    return value


def check_unknown_fields(field: str, value: dict[str, Any], allowed: frozenset[str]) -> None:
    """Reject keys outside `allowed` (strict mode), naming the first one in sorted order."""
    unknown = sorted(set(value) - allowed)
    if unknown:
        name = f"{field}.{unknown[0]}" if field else unknown[0]
        raise InvalidParameter(name, f"absent: it is not a documented field (allowed: {', '.join(sorted(allowed))})",
                               value[unknown[0]])  # fmt: skip


def check_bool(field: str, value: object) -> bool:
    """Return `value` if it is a JSON boolean (1 and 0 are not booleans)."""
    if not isinstance(value, bool):
        raise InvalidParameter(field, "a boolean (true or false)", value)
    return value


def check_choice(field: str, value: object, choices: tuple[str, ...]) -> str:
    """Return `value` if it is one of `choices`."""
    if not isinstance(value, str) or value not in choices:
        raise InvalidParameter(field, f"one of {', '.join(choices)}", value)
    return value
