"""The Seedance models and their gateway operations, as data: one table read by everything else.

The rows ship as `catalog.jsonl` in the package; a user catalog file (`user_catalog_path()`) can add a model
or an operation, or correct a limit, without a new release (`catalog_file.py` reads and checks both). Adding
a model version or an operation is a new row, not a new code path: the client builds request bodies from
`Operation.body_style` and checks inputs against `Operation.inputs`, the emulator mounts its routes from the
operations, the CLI and the MCP server list them, and prices (`pricing.py`) are keyed by model or operation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

# Kind lives apart, so that naming the kinds (the CLI's --help) does not load the rows; re-exported here.
from seedance.kinds import Kind as Kind


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

BUILT_IN = "built-in"
"""The `source` of the rows shipped with the package (a user file's rows name that file)."""

CATALOG_ENV = "SEEDANCE_CATALOG"
"""Names the user catalog file instead of the default one in the user config folder."""

INPUT_FIELDS = (
    "prompt",
    "first_frame",
    "last_frame",
    "ref_images",
    "ref_videos",
    "ref_audios",
    "edit_video",
    "extend_video",
)
"""The request fields an operation row may list under `inputs`."""


@dataclass(frozen=True, kw_only=True)
class Model:
    """One Seedance model as the gateway sells it, with the option values and media counts it accepts."""

    name: str
    """Our short name, used on the command line and in batch files: `2.5`, `2.0`, `2.0-mini`, `1.0-pro`..."""
    title: str
    """The product name, as Pixazo writes it."""
    api_id: str
    """The skill text's apiId for this model's operations."""
    request_prefix: str
    """The prefix of the gateway's request ids for this model (`byteplus` for the 1.0 family)."""
    resolutions: tuple[str, ...]
    default_resolution: str
    min_duration: int
    max_duration: int
    default_duration: int
    auto_duration: bool
    """Whether `duration = -1` (let the model choose) is accepted."""
    default_ratio: str
    has_audio: bool
    """Whether the model generates sound (`generate_audio`)."""
    max_images: int = 9
    """Images per request, reference images and frames together."""
    max_videos: int = 3
    max_audios: int = 3
    unverified_resolutions: tuple[str, ...] = ()
    """Resolutions seen upstream but not confirmed on Pixazo: accepted, with a warning."""
    retired_on: str | None = None
    """The date the gateway stopped serving this model; a new request for it is refused before sending."""
    instead: str | None = None
    """What to use instead of a retired model (said in the refusal)."""
    wait_per_second: float = 20.0
    """Seconds of waiting allowed per second of output, for the default timeout (`polling.default_timeout`)."""
    source: str = BUILT_IN
    """Where the row comes from: `built-in`, or the user catalog file's path."""

    @property
    def is_byteplus(self) -> bool:
        """Whether the model is a Seedance 1.0 model, driven through the BytePlus inline-knob style."""
        return self.request_prefix == "byteplus"


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One gateway endpoint: a model doing one kind of generation, and which inputs it takes."""

    model: str
    """The `Model.name` this operation belongs to."""
    kind: Kind
    operation_id: str
    """The skill text's operationId."""
    path: str
    """The submit path on the gateway, e.g. `/seedance-2-0/v1/text-to-video`."""
    body_style: BodyStyle
    ratios: tuple[str, ...]
    """The aspect ratios this endpoint accepts."""
    inputs: dict[str, str] = field(default_factory=dict, hash=False)
    """Each input field it takes (see INPUT_FIELDS), `required` or `optional`; any other is refused."""
    needs_one_of: tuple[str, ...] = ()
    """At least one of these inputs must be given (reference to video: an image, a video or audio)."""
    forced_ratio: str | None = None
    """The ratio upstream forces here: no ratio is sent, and another one asked for is refused."""
    web_search: bool = False
    """Whether the `tools: [{"type": "web_search"}]` option is taken."""
    default_model_id: str | None = None
    """For 1.0 operations, the `model` field sent in the body (a request's `model_id` overrides it)."""
    source: str = BUILT_IN
    model_info: Model = field(compare=False, hash=False, repr=False)
    """The model this operation belongs to (joined when the catalog is read)."""

    @property
    def name(self) -> str:
        """A unique, readable name: `<model>/<kind>`, e.g. `2.0-fast/reference`."""
        return f"{self.model}/{self.kind.value}"

    @property
    def title(self) -> str:
        """A human title, e.g. `Seedance 2.0 Fast: reference to video`."""
        return f"{self.model_info.title}: {KIND_TITLES[self.kind]}"

    def required(self) -> list[str]:
        """The input fields this operation cannot do without."""
        return [name for name, need in self.inputs.items() if need == "required"]


KIND_TITLES = {
    Kind.TEXT_TO_VIDEO: "text to video",
    Kind.IMAGE_TO_VIDEO: "image to video",
    Kind.FIRST_LAST_FRAME: "first/last frame to video",
    Kind.REFERENCE: "reference (image, video, audio) to video",
    Kind.EDIT: "video editing",
    Kind.EXTEND: "video extension",
}


@dataclass(frozen=True)
class Catalog:
    """The models and operations in force: the shipped rows with a user file's rows applied."""

    models: dict[str, Model]
    operations: tuple[Operation, ...]
    user_file: Path | None = None
    """The user catalog file that was applied, if there was one."""

    def by_name(self) -> dict[str, Operation]:
        """The operations by `<model>/<kind>`."""
        return {op.name: op for op in self.operations}

    def by_path(self) -> dict[str, Operation]:
        """The operations by submit path."""
        return {op.path: op for op in self.operations}

    def find(self, model: str, kind: Kind | str) -> Operation | None:
        """The operation of `model` that does `kind`, or None when the model does not offer it."""
        return self.by_name().get(f"{model}/{Kind(kind).value}")

    def operations_of(self, model: str) -> list[Operation]:
        """The operations a model offers, in catalog order."""
        return [op for op in self.operations if op.model == model]

    def live_operations(self) -> tuple[Operation, ...]:
        """The operations of models the gateway still serves (what an emulator mounts)."""
        return tuple(op for op in self.operations if op.model_info.retired_on is None)


def user_catalog_path() -> Path:
    """The user catalog file: $SEEDANCE_CATALOG, else `catalog.jsonl` in the platform's user config folder."""
    env = os.environ.get(CATALOG_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("seedance", appauthor=False)) / "catalog.jsonl"


@cache
def built_in() -> Catalog:
    """The rows shipped with the package."""
    from seedance.catalog_file import read_rows

    text = (Path(__file__).parent / "catalog.jsonl").read_text(encoding="utf-8")
    return read_rows(text, "catalog.jsonl", base=None)


def load(extra: Path | None) -> Catalog:
    """The shipped rows with the rows of `extra` (a user catalog file) applied; InputError naming the line."""
    if extra is None or not extra.is_file():
        return built_in()
    stat = extra.stat()
    return _load_file(str(extra), stat.st_mtime_ns, stat.st_size)


@cache
def _load_file(path: str, mtime_ns: int, size: int) -> Catalog:
    """Read once per version of the file (its mtime and size are part of the cache key)."""
    from seedance.catalog_file import read_user_file

    return read_user_file(Path(path), built_in())


def current() -> Catalog:
    """The catalog in force for this process: the shipped rows and the user's catalog file."""
    return load(user_catalog_path())


# The shipped rows, for code and tests that want exactly them (the user's file is applied by `current()`).
MODELS: dict[str, Model] = built_in().models
OPERATIONS: tuple[Operation, ...] = built_in().operations
OPERATIONS_BY_NAME: dict[str, Operation] = built_in().by_name()
OPERATIONS_BY_PATH: dict[str, Operation] = built_in().by_path()
RATIOS_ALL = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")

# The 1.0 model ids of the gateway documentation's examples; the Lite model they name is switched off
# upstream, so 1.0 Pro sends a Pro id (its row's `default_model_id`) and these remain for the retired row.
LITE_T2V_ID = "seedance-1-0-lite-t2v-250428"
LITE_I2V_ID = "seedance-1-0-lite-i2v-250428"
PRO_ID = "seedance-1-0-pro-250528"

# 2.x media limits reported by the model's maker (medium confidence). Counts are per model (rows).
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
    short = _SHORT_SIDE.get(resolution) or int(resolution.rstrip("p"))
    w_ratio, h_ratio = (16, 9) if ratio == "adaptive" else (int(x) for x in ratio.split(":"))
    long_side = short * max(w_ratio, h_ratio) // min(w_ratio, h_ratio) // 2 * 2
    return (long_side, short) if w_ratio >= h_ratio else (short, long_side)


def find_operation(model: str, kind: Kind | str) -> Operation | None:
    """Return the operation of `model` that does `kind` in the current catalog, or None."""
    return current().find(model, kind)


def operations_of(model: str) -> list[Operation]:
    """Return the operations a model offers in the current catalog, in catalog order."""
    return current().operations_of(model)
