"""The gateway's contract, transcribed by hand from shared/reference/pixazo-seedance-api.md (2026-12).

Written without reading `catalog.jsonl`: the catalog, the body builder and the emulator are each checked
against this file, so a wrong row cannot pass by agreeing with itself. Values the reference marks medium or
low confidence are listed in UNVERIFIED (what the live gateway should confirm).
"""

from __future__ import annotations

from typing import Any

# "The catalog of today": (model, operation) -> submit path. 19 served.
PATHS: dict[tuple[str, str], str] = {
    ("2.5", "text-to-video"): "/seedance-2-5/v1/text-to-video",
    ("2.5", "first-last-frame"): "/seedance-2-5/v1/first-last-frame-to-video",
    ("2.5", "reference"): "/seedance-2-5/v1/reference-to-video",
    ("2.5", "edit"): "/seedance-2-5/v1/edit-video",
    ("2.5", "extend"): "/seedance-2-5/v1/extend-video",
    ("2.0-mini", "text-to-video"): "/seedance-2-0-mini/text-to-video",
    ("2.0-mini", "first-last-frame"): "/seedance-2-0-mini/first-last-frame-to-video",
    ("2.0-mini", "reference"): "/seedance-2-0-mini/reference-to-video",
    ("2.0-mini", "edit"): "/seedance-2-0-mini/edit-video",
    ("2.0", "text-to-video"): "/seedance-2-0/v1/text-to-video",
    ("2.0", "first-last-frame"): "/seedance-2-0/v1/first-last-frame-to-video",
    ("2.0", "reference"): "/seedance-2-0/v1/reference-to-video",
    ("2.0", "edit"): "/seedance-2-0/v1/edit-video",
    ("2.0-fast", "text-to-video"): "/seedance-2-0-fast/v1/text-to-video-fast",
    ("2.0-fast", "first-last-frame"): "/seedance-2-0-fast/v1/first-last-frame-to-video-fast",
    ("2.0-fast", "reference"): "/seedance-2-0-fast/v1/reference-to-video-fast",
    ("2.0-fast", "edit"): "/seedance-2-0-fast/v1/edit-video-fast",
    ("1.0-pro", "image-to-video"): "/byteplus/v1/generateImage2VideoTask",
    ("1.0-pro", "text-to-video"): "/byteplus/v1/generateVideoTask",
}
NEW_OPERATIONS = [key for key in PATHS if key[0] in ("2.5", "2.0-mini")]
"""The 9 operations added after the seed (2.0 Mini on 2026-07-29, 2.5 on 2026-08-07)."""

RETIRED_PATH = "/byteplus/v1/generateFrame2VideoTask"
RETIRED_ON = "2026-07-29"
RETIRED_ANSWER = (404, {"statusCode": 404, "message": "Resource not found"})

# Limits: (min, max) seconds, whether -1 is allowed; resolutions.
DURATIONS = {"2.5": (4, 30, True), "2.0-mini": (4, 15, True), "2.0": (4, 15, True), "2.0-fast": (4, 15, True),
             "1.0-pro": (3, 12, False)}  # fmt: skip
RESOLUTIONS = {"2.5": {"480p", "720p"}, "2.0-mini": {"480p", "720p"}, "2.0": {"480p", "720p"},
               "2.0-fast": {"480p", "720p"}, "1.0-pro": {"480p", "720p", "1080p"}}  # fmt: skip
"""Confirmed resolutions (2.5's 1080p is upstream only: see UNVERIFIED)."""
FORCED_ADAPTIVE = {("2.5", "first-last-frame"), ("2.5", "edit"), ("2.5", "extend")}
MEDIA_COUNTS = {"images": 9, "videos": 3, "audios": 3}
PRO_MODEL_ID = "seedance-1-0-pro-250528"
PRICES_PER_SECOND = {"2.0": 0.29, "2.0-fast": 0.24}
PRICE_PER_VIDEO = {"1.0-pro": 0.20}
UNPUBLISHED_PRICES = ("2.5", "2.0-mini", "2.5/extend")

IMG = "https://media.test/a.png"
IMG2 = "https://media.test/b.png"
VID = "https://media.test/clip.mp4"
AUD = "https://media.test/voice.mp3"
PROMPT = "A red kite over the dunes"


def text(words: str = PROMPT) -> dict[str, Any]:
    return {"type": "text", "text": words}


def image(url: str, role: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
    return {**item, "role": role} if role else item


def video(url: str = VID) -> dict[str, Any]:
    return {"type": "video_url", "video_url": {"url": url}}


def audio(url: str = AUD) -> dict[str, Any]:
    return {"type": "audio_url", "audio_url": {"url": url}}


# The sample body of each new operation ("Bodies": the 2.0 shape; extend: text + exactly one video_url, the
# ratio follows the source so none is sent), with the request fields that should produce it.
SAMPLES: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {
    ("2.5", "text-to-video"): (
        {"prompt": PROMPT, "duration": 30, "ratio": "21:9", "resolution": "480p"},
        {"content": [text()], "duration": 30, "ratio": "21:9", "resolution": "480p"},
    ),
    ("2.5", "first-last-frame"): (
        {"prompt": PROMPT, "first_frame": IMG, "last_frame": IMG2, "duration": 4, "resolution": "480p"},
        {
            "content": [text(), image(IMG, "first_frame"), image(IMG2, "last_frame")],
            "duration": 4,
            "resolution": "480p",
        },
    ),
    ("2.5", "reference"): (
        {"prompt": PROMPT, "ref_audios": [AUD], "duration": 4, "resolution": "480p"},
        {"content": [text(), audio()], "duration": 4, "resolution": "480p"},
    ),
    ("2.5", "edit"): (
        {"prompt": "Make it dusk", "edit_video": VID, "duration": 4, "resolution": "480p"},
        {"content": [text("Make it dusk"), video()], "duration": 4, "resolution": "480p"},
    ),
    ("2.5", "extend"): (
        {"prompt": "The kite lands", "extend_video": VID, "duration": 6, "resolution": "480p"},
        {"content": [text("The kite lands"), video()], "duration": 6, "resolution": "480p"},
    ),
    ("2.0-mini", "text-to-video"): (
        {"prompt": PROMPT, "duration": 15, "ratio": "9:16", "resolution": "480p", "generate_audio": False},
        {"content": [text()], "duration": 15, "ratio": "9:16", "resolution": "480p", "generate_audio": False},
    ),
    ("2.0-mini", "first-last-frame"): (
        {"prompt": PROMPT, "first_frame": IMG, "last_frame": IMG2, "duration": 4, "resolution": "480p"},
        {
            "content": [text(), image(IMG, "first_frame"), image(IMG2, "last_frame")],
            "duration": 4,
            "resolution": "480p",
        },
    ),
    ("2.0-mini", "reference"): (
        {"prompt": PROMPT, "ref_images": [IMG], "ref_videos": [VID], "duration": 4, "resolution": "480p"},
        {"content": [text(), image(IMG), video()], "duration": 4, "resolution": "480p"},
    ),
    ("2.0-mini", "edit"): (
        {"prompt": "Make it dusk", "edit_video": VID, "ratio": "1:1", "duration": 4, "resolution": "480p"},
        {"content": [text("Make it dusk"), video()], "duration": 4, "ratio": "1:1", "resolution": "480p"},
    ),
}

UNVERIFIED = [
    "2.5 and 2.0 Mini bodies use the 2.0 shape (content array + duration/ratio/resolution/generate_audio/"
    "watermark): medium",
    "extend body: text + exactly one video_url; duration = the new segment's length; returns only the new "
    "segment: low",
    "2.5 duration 4-30 or -1; 2.0 Mini 4-15 or -1: medium (upstream BytePlus)",
    "2.5 and Mini resolutions 480p/720p: medium; 2.5 at 1080p: unverified on Pixazo",
    "2.5 forces ratio adaptive on first/last frame, edit and extend (explicit ratio may be 400 "
    "InvalidParameter.TaskTypeConstraint): medium",
    "media counts 9 images / 3 videos / 3 audio on 2.5 and Mini: medium (2.5 upstream allows 30/10/10)",
    "2.5 reference to video with audio alone: stated for upstream only",
    "first/last frame roles `first_frame` / `last_frame` in content items: low (inferred from ModelArk)",
    "request-id prefixes seedance-2-5 and seedance-2-0-mini, model_id in status answers: low (by analogy)",
    "operationIds of the 2.5 and Mini operations in the catalog: not in the reference (made up by analogy)",
    "1.0 Pro model id seedance-1-0-pro-250528: high upstream, not confirmed on Pixazo",
    "edit source clip 4-30 s and extend source 1.9-30 s on 2.5: medium (not checked client-side)",
    "a 30 s 2.5 clip takes 275-479 s upstream: used for the default wait (30 s of waiting per second)",
    "retired route answers 404 {statusCode: 404, message: Resource not found}: as written in the skill",
]
