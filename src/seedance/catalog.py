"""The Seedance models and their 11 gateway operations, as data: one table read by everything else.

Adding a model version or an operation is a new row here, not a new code path: the client builds request
bodies from `Operation.body_style`, the emulator mounts its routes from `OPERATIONS`, the CLI and the MCP
server list them, and the price table (`pricing.py`) is keyed by `Model.name`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What an operation does, independent of the model that does it."""

    TEXT_TO_VIDEO = "text-to-video"
    IMAGE_TO_VIDEO = "image-to-video"
    FIRST_LAST_FRAME = "first-last-frame"
    REFERENCE = "reference"
    EDIT = "edit"


class BodyStyle(StrEnum):
    """How a request body is laid out on the wire (see the reference notes per family)."""

    CONTENT = "content"  # Seedance 2.x: a `content` array of typed items plus top-level options
    BYTEPLUS_TEXT = "byteplus-text"  # 1.0: {"model", "text": "prompt --knobs"}
    BYTEPLUS_IMAGE = "byteplus-image"  # 1.0: {"model", "content": [text, {"image_url": "<url>"}]}
    BYTEPLUS_FRAMES = "byteplus-frames"  # 1.0: {"model", "text", "first_frame", "last_frame"}


# The role names for first/last frame items in a 2.x `content` array. Inferred from the BytePlus ModelArk
# API (low confidence in the reference notes): kept here, in one place, so they are easy to correct.
FIRST_FRAME_ROLE = "first_frame"
LAST_FRAME_ROLE = "last_frame"

STATUS_PATH = "/v2/requests/status/{request_id}"
"""The documented polling path, relative to the gateway's base URL."""

DEFAULT_BASE_URL = "https://gateway.pixazo.ai"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
WEBHOOK_HEADER = "X-Webhook-URL"


@dataclass(frozen=True)
class Model:
    """One Seedance model as the gateway sells it, with the option values it accepts."""

    name: str
    """Our short name, used on the command line and in batch files: `2.0`, `2.0-fast`, `1.0-pro`, `1.0-lite`."""
    title: str
    """The product name, as Pixazo writes it."""
    api_id: str
    """The skill text's apiId for this model's operations."""
    request_prefix: str
    """The prefix of the gateway's request ids for this model."""
    resolutions: tuple[str, ...]
    default_resolution: str
    min_duration: int
    max_duration: int
    default_duration: int
    auto_duration: bool
    """Whether `duration = -1` (let the model choose, 4-15 s) is accepted."""
    default_ratio: str
    has_audio: bool
    """Whether the model generates sound (`generate_audio`)."""

    @property
    def is_byteplus(self) -> bool:
        """Whether the model is a Seedance 1.0 model, driven through the BytePlus inline-knob style."""
        return self.request_prefix == "byteplus"


RATIOS_ALL = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")

MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model(
            "2.0",
            "Seedance 2.0",
            "seedance-2-0",
            "seedance-2-0",
            ("480p", "720p"),
            "720p",
            4,
            15,
            5,
            True,
            "adaptive",
            True,
        ),
        Model(
            "2.0-fast",
            "Seedance 2.0 Fast",
            "seedance-2-0-fast",
            "seedance-2-0-fast",
            ("480p", "720p"),
            "720p",
            4,
            15,
            5,
            True,
            "adaptive",
            True,
        ),
        Model(
            "1.0-pro",
            "Seedance 1.0 Pro",
            "bytedance-text-to-image",
            "byteplus",
            ("480p", "720p", "1080p"),
            "1080p",
            3,
            12,
            5,
            False,
            "16:9",
            False,
        ),
        Model(
            "1.0-lite",
            "Seedance 1.0 Lite",
            "bytedance-text-to-image",
            "byteplus",
            ("480p", "720p", "1080p"),
            "720p",
            3,
            12,
            5,
            False,
            "16:9",
            False,
        ),
    )
}


@dataclass(frozen=True)
class Operation:
    """One gateway endpoint: a model doing one kind of generation."""

    model: str
    """The `Model.name` this operation belongs to."""
    kind: Kind
    operation_id: str
    """The skill text's operationId."""
    path: str
    """The submit path on the gateway, e.g. `/seedance-2-0/v1/text-to-video`."""
    body_style: BodyStyle
    ratios: tuple[str, ...]
    """The aspect ratios this endpoint's documentation lists."""
    default_model_id: str | None = None
    """For 1.0 operations, the `model` field sent in the body (a setting: the docs' example ids)."""

    @property
    def name(self) -> str:
        """A unique, readable name: `<model>/<kind>`, e.g. `2.0-fast/reference`."""
        return f"{self.model}/{self.kind.value}"

    @property
    def model_info(self) -> Model:
        """The model this operation belongs to."""
        return MODELS[self.model]

    @property
    def title(self) -> str:
        """A human title, e.g. `Seedance 2.0 Fast: reference to video`."""
        return f"{self.model_info.title}: {KIND_TITLES[self.kind]}"


KIND_TITLES = {
    Kind.TEXT_TO_VIDEO: "text to video",
    Kind.IMAGE_TO_VIDEO: "image to video",
    Kind.FIRST_LAST_FRAME: "first/last frame to video",
    Kind.REFERENCE: "reference (image, video, audio) to video",
    Kind.EDIT: "video editing",
}

# The 1.0 model ids shown in the gateway documentation's examples (the docs use the lite ids on the Pro pages
# too). They are defaults; a request may name another id.
LITE_T2V_ID = "seedance-1-0-lite-t2v-250428"
LITE_I2V_ID = "seedance-1-0-lite-i2v-250428"

_V2 = BodyStyle.CONTENT
OPERATIONS: tuple[Operation, ...] = (
    Operation("2.0", Kind.TEXT_TO_VIDEO, "text-to-video", "/seedance-2-0/v1/text-to-video", _V2, RATIOS_ALL),
    Operation(
        "2.0",
        Kind.FIRST_LAST_FRAME,
        "image-to-video-first-and-last-frames",
        "/seedance-2-0/v1/first-last-frame-to-video",
        _V2,
        RATIOS_ALL,
    ),
    Operation(
        "2.0", Kind.REFERENCE, "reference-to-video", "/seedance-2-0/v1/reference-to-video", _V2, RATIOS_ALL
    ),
    Operation("2.0", Kind.EDIT, "edit-video", "/seedance-2-0/v1/edit-video", _V2, RATIOS_ALL),
    Operation(
        "2.0-fast",
        Kind.TEXT_TO_VIDEO,
        "text-to-video",
        "/seedance-2-0-fast/v1/text-to-video-fast",
        _V2,
        RATIOS_ALL,
    ),
    Operation(
        "2.0-fast",
        Kind.FIRST_LAST_FRAME,
        "image-to-video-first-and-last-frames",
        "/seedance-2-0-fast/v1/first-last-frame-to-video-fast",
        _V2,
        RATIOS_ALL,
    ),
    Operation(
        "2.0-fast",
        Kind.REFERENCE,
        "multimodal-reference-image-video-audio",
        "/seedance-2-0-fast/v1/reference-to-video-fast",
        _V2,
        RATIOS_ALL,
    ),
    Operation(
        "2.0-fast", Kind.EDIT, "video-editing", "/seedance-2-0-fast/v1/edit-video-fast", _V2, RATIOS_ALL
    ),
    Operation(
        "1.0-lite",
        Kind.FIRST_LAST_FRAME,
        "frame-to-video",
        "/byteplus/v1/generateFrame2VideoTask",
        BodyStyle.BYTEPLUS_FRAMES,
        ("16:9", "4:3", "1:1", "3:4", "9:16"),
        LITE_I2V_ID,
    ),
    Operation(
        "1.0-pro",
        Kind.IMAGE_TO_VIDEO,
        "image-to-video-task",
        "/byteplus/v1/generateImage2VideoTask",
        BodyStyle.BYTEPLUS_IMAGE,
        ("16:9", "4:3", "1:1", "3:4", "9:16", "adaptive"),
        LITE_I2V_ID,
    ),
    Operation(
        "1.0-pro",
        Kind.TEXT_TO_VIDEO,
        "generate-video-task",
        "/byteplus/v1/generateVideoTask",
        BodyStyle.BYTEPLUS_TEXT,
        RATIOS_ALL,
        LITE_T2V_ID,
    ),
)

OPERATIONS_BY_NAME: dict[str, Operation] = {op.name: op for op in OPERATIONS}
OPERATIONS_BY_PATH: dict[str, Operation] = {op.path: op for op in OPERATIONS}

# 2.x media limits reported by the model's maker (medium confidence): per kind, how many items, how large.
MAX_IMAGES = 9  # reference images and first/last frames share this budget
MAX_VIDEOS = 3
MAX_AUDIOS = 3
MAX_IMAGE_BYTES = 30 * 1024 * 1024
MAX_VIDEO_BYTES = 50 * 1024 * 1024
MAX_AUDIO_BYTES = 15 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "image/gif")
VIDEO_TYPES = ("video/mp4", "video/quicktime")
AUDIO_TYPES = ("audio/mpeg", "audio/wav")

# Frame sizes per resolution and ratio, used by the emulator and the gallery (width, height). The real
# model's exact sizes are not documented; these keep the short side at the resolution's line count.
_SHORT_SIDE = {"480p": 480, "720p": 720, "1080p": 1080}


def frame_size(resolution: str, ratio: str) -> tuple[int, int]:
    """Return an even (width, height) for a resolution and aspect ratio (`adaptive` is treated as 16:9)."""
    short = _SHORT_SIDE[resolution]
    w_ratio, h_ratio = (16, 9) if ratio == "adaptive" else (int(x) for x in ratio.split(":"))
    long_side = short * max(w_ratio, h_ratio) // min(w_ratio, h_ratio) // 2 * 2
    return (long_side, short) if w_ratio >= h_ratio else (short, long_side)


def find_operation(model: str, kind: Kind | str) -> Operation | None:
    """Return the operation of `model` that does `kind`, or None when the model does not offer it."""
    return OPERATIONS_BY_NAME.get(f"{model}/{Kind(kind).value}")


def operations_of(model: str) -> list[Operation]:
    """Return the operations a model offers, in catalog order."""
    return [op for op in OPERATIONS if op.model == model]
