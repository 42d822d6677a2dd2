"""The generation request: a frozen dataclass checked by plain code against the catalog's rules.

Nothing here imports pydantic, so `seedance generate --dry-run` (and anything else that only builds and
checks a request) starts without it. Loose input (a batch CSV's `"5"`, a JSON `"yes"`) is coerced by pydantic
in `parse_request`, and only when a value does not already have its field's type; either way the object is
built by the same constructor, which runs every check.
"""

from __future__ import annotations

import copy
import re
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from seedance import catalog
from seedance.catalog import MODELS, Kind, Operation
from seedance.errors import InputError, shown

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

MODEL_ALIASES = {
    "2": "2.0",
    "2.0fast": "2.0-fast",
    "fast": "2.0-fast",
    "pro": "1.0-pro",
    "lite": "1.0-lite",
    "1.0pro": "1.0-pro",
    "1.0lite": "1.0-lite",
}
LIST_FIELDS = ("ref_images", "ref_videos", "ref_audios")
MEDIA_FIELDS = ("first_frame", "last_frame", *LIST_FIELDS, "edit_video")
"""The fields that name media: a local path or a URL each (a list of them for the references)."""
BOOL_DURATION = "duration: give a number of seconds, not true or false"


@dataclass(frozen=True, kw_only=True)
class VideoRequest:
    """One video to generate: a prompt, optional media, and options. The operation follows from the inputs.

    Media fields take a local file path or an `http(s)://` / `data:` URL. Options left as None are not sent,
    so the gateway's own defaults apply. Building one checks it: a value of the wrong type or a combination
    the operation does not take raises `InputError` naming the field to fix.
    """

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}  # parse_request: no unknown keys

    prompt: str | None = None
    """What the video should show (for edits: what to change)."""
    model: str = "2.0"
    """The model: `2.0`, `2.0-fast`, `1.0-pro` or `1.0-lite`."""
    operation: Kind | None = None
    """Force an operation instead of choosing it from the inputs."""
    first_frame: str | None = None
    """The image the video starts from (1.0 Pro: the one input image)."""
    last_frame: str | None = None
    """The image the video ends on (needs `first_frame`)."""
    ref_images: list[str] = field(default_factory=list)
    """Reference images (2.x reference to video, or a style guide for edits)."""
    ref_videos: list[str] = field(default_factory=list)
    """Reference videos (2.x reference to video)."""
    ref_audios: list[str] = field(default_factory=list)
    """Reference audio clips (2.x reference to video)."""
    edit_video: str | None = None
    """The video to edit (2.x video editing)."""
    duration: int | None = None
    """Seconds of output: 4-15 or -1 (model's choice) on 2.x, 3-12 on 1.0; default 5."""
    ratio: str | None = None
    """Aspect ratio, e.g. `16:9`, `9:16`, `1:1`, `adaptive`."""
    resolution: str | None = None
    """`480p` or `720p` (2.x); `480p`, `720p` or `1080p` (1.0)."""
    generate_audio: bool | None = None
    """Whether the video has sound (2.x only; gateway default true)."""
    watermark: bool | None = None
    """Whether the video carries a watermark (2.x only; gateway default false)."""
    web_search: bool = False
    """Let the model search the web for the prompt (2.x text to video only)."""
    camera_fixed: bool | None = None
    """Keep the camera still (1.0 only)."""
    model_id: str | None = None
    """The BytePlus model id sent by 1.0 operations (default: the gateway docs' example id)."""

    def __post_init__(self) -> None:
        for name in LIST_FIELDS:
            object.__setattr__(self, name, _listify(getattr(self, name)))
        if isinstance(self.model, str):
            object.__setattr__(self, "model", _model_key(self.model))
        object.__setattr__(self, "operation", _as_kind(self.operation))
        for name, hint in field_types().items():
            problem = _type_problem(name, hint, getattr(self, name))
            if problem:
                raise InputError(problem)
        _check_text(self)
        try:
            check_request(self)
        except ValueError as exc:
            raise InputError(str(exc)) from None

    @property
    def op(self) -> Operation:
        """The gateway operation this request goes to."""
        return choose_operation(self)

    @property
    def model_info(self) -> catalog.Model:
        """The model this request runs on."""
        return MODELS[self.model]

    def effective_duration(self) -> int:
        """The requested duration, or the model's default when none was given (-1 stays -1)."""
        return self.duration if self.duration is not None else self.model_info.default_duration

    def identity(self) -> dict[str, Any]:
        """What the request asks the gateway to make, defaults filled in: requests with equal identities ask
        for the same video (stating a default, or forcing the operation the inputs choose anyway, changes
        nothing). Media are compared as given: a path is the same file only when written the same way."""
        model, op = self.model_info, self.op
        data = self.settings()
        data.update(
            prompt=(self.prompt or "").strip() or None,  # as sent
            model=self.model,
            operation=op.kind.value,
            duration=self.effective_duration(),
            resolution=self.resolution or model.default_resolution,
            ratio=self.ratio or model.default_ratio,
        )
        if model.is_byteplus:
            data.update(model_id=self.model_id or op.default_model_id, camera_fixed=bool(self.camera_fixed))
        else:  # the gateway's documented defaults: sound on, no watermark
            data.update(generate_audio=self.generate_audio is not False, watermark=bool(self.watermark))
        return data

    def settings(self) -> dict[str, Any]:
        """What the journal keeps of the request: the fields given (JSON-ready), with duration and resolution.

        Two requests with equal settings ask for the same video: a rerun of a batch matches lines by them.
        """
        settings: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            default = spec.default_factory() if spec.default_factory is not MISSING else spec.default
            if value != default:
                settings[spec.name] = value.value if isinstance(value, Enum) else copy.copy(value)
        settings.update(duration=self.duration, resolution=self.resolution)
        return settings


FIELD_NAMES = frozenset(spec.name for spec in fields(VideoRequest))
"""The names a request takes (a batch column, a tool argument, a key of `parse_request`'s data)."""


@cache
def field_types() -> dict[str, Any]:
    """Each field's type, evaluated from its annotation (`str | None`, `list[str]`, `Kind | None`...)."""
    return {name: hint for name, hint in typing.get_type_hints(VideoRequest).items() if name in FIELD_NAMES}


def parse_request(data: dict[str, Any]) -> VideoRequest:
    """Build a VideoRequest from plain data, turning every problem into a one-line InputError.

    Values that already have their field's type (what the CLI and most JSON give) are used as they are;
    otherwise pydantic coerces them first (`"5"` -> 5, `"yes"` -> True) and names the field it cannot read.
    """
    if isinstance(data, dict):
        if isinstance(data.get("duration"), bool):  # pydantic would read JSON true as 1 second
            raise InputError(BOOL_DURATION)
        data = {
            k: _listify(v) if k in LIST_FIELDS else _as_kind(v) if k == "operation" else v
            for k, v in data.items()
        }
        types_ = field_types()
        if all(k in types_ and not _type_problem(k, types_[k], v) for k, v in data.items()):
            return VideoRequest(**data)
    from pydantic import ValidationError  # loose values, or not a dict at all: pydantic says what is wrong

    try:
        return _loose_reader().validate_python(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None


@cache
def _loose_reader() -> TypeAdapter[VideoRequest]:
    from pydantic import TypeAdapter

    return TypeAdapter(VideoRequest)


def describe_validation_error(exc: ValidationError) -> str:
    """Return the first problem of a pydantic ValidationError as one readable line."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        message = "is not a known field"
    return f"{where}: {message}" if where else message


def _check_text(req: VideoRequest) -> None:
    """Refuse text that is not valid Unicode (lone surrogates: bytes that were not UTF-8, or a JSON `\\udc80`):
    it cannot be sent as JSON nor kept in the journal, so it is refused before anything is planned."""
    for name in field_types():
        value = getattr(req, name)
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and _SURROGATE.search(text):
                raise InputError(
                    f"{name}: the text is not valid Unicode ({shown(text, 60)})",
                    hint="save the text as UTF-8 (a lone \\udcXX escape or a byte that is not UTF-8 is not text)",
                )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _listify(value: Any) -> Any:
    """A reference field's value as a list of its own (the caller's list is copied, never shared)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list | tuple) else value


def _as_kind(value: Any) -> Any:
    """An operation named by its value (`"reference"`, as the CLI and JSON give it) as the Kind it names."""
    return Kind(value) if isinstance(value, str) and value in Kind.__members__.values() else value


def _model_key(value: str) -> str:
    key = value.strip().lower().removeprefix("seedance-").removeprefix("seedance")
    key = MODEL_ALIASES.get(key.replace(" ", ""), key)
    if key not in MODELS:
        raise InputError(f"model: unknown model {value!r}; choose one of {', '.join(MODELS)}")
    return key


def _type_problem(name: str, hint: Any, value: Any) -> str | None:
    """What is wrong with a value's type for its field, or None when it fits exactly (no coercion)."""
    if name == "duration" and isinstance(value, bool):
        return BOOL_DURATION
    return None if _fits(hint, value) else f"{name}: expected {_hint_text(hint)}, got {type(value).__name__}"


def _fits(hint: Any, value: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is types.UnionType:
        return any(_fits(arg, value) for arg in typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_fits(item, v) for v in value)
    if hint in (int, bool):
        return type(value) is hint  # True is not a number of seconds, 1 is not a yes
    return isinstance(value, hint)


def _hint_text(hint: Any) -> str:
    words = {type(None): "nothing", int: "a whole number", bool: "true or false", str: "text"}
    if typing.get_origin(hint) is types.UnionType:
        return " or ".join(_hint_text(arg) for arg in typing.get_args(hint))
    if typing.get_origin(hint) is list:
        return "a list of text"
    if hint is Kind:
        return "one of " + ", ".join(k.value for k in Kind)
    return words.get(hint, getattr(hint, "__name__", str(hint)))


def choose_operation(req: VideoRequest) -> Operation:
    """Pick the operation from the inputs (or the forced one); raise ValueError with what to change."""
    has_frames = bool(req.first_frame or req.last_frame)
    has_refs = bool(req.ref_images or req.ref_videos or req.ref_audios)
    if req.operation is not None:
        kind = req.operation
    elif req.edit_video:
        kind = Kind.EDIT
    elif has_frames:
        kind = Kind.IMAGE_TO_VIDEO if req.model == "1.0-pro" else Kind.FIRST_LAST_FRAME
    elif has_refs:
        kind = Kind.REFERENCE
    elif req.model == "1.0-lite":
        raise ValueError(
            "Seedance 1.0 Lite only does first/last frame to video: give first_frame and last_frame"
        )
    else:
        kind = Kind.TEXT_TO_VIDEO
    op = catalog.find_operation(req.model, kind)
    if op is None:
        offered = ", ".join(o.kind.value for o in catalog.operations_of(req.model))
        raise ValueError(
            f"model {req.model} does not offer {kind.value} (it offers: {offered}); "
            f"choose another model with -m"
        )
    return op


def check_request(req: VideoRequest) -> None:
    """Check a request against its operation's rules; raise ValueError naming the field to fix."""
    op = choose_operation(req)
    model = req.model_info
    kind = op.kind
    has_frames = bool(req.first_frame or req.last_frame)
    refs = req.ref_images or req.ref_videos or req.ref_audios

    if req.last_frame and not req.first_frame:
        raise ValueError("last_frame needs a first_frame too")
    if kind in (Kind.TEXT_TO_VIDEO,) and not (req.prompt and req.prompt.strip()):
        raise ValueError("prompt: text to video needs a prompt")
    if model.is_byteplus and not (req.prompt and req.prompt.strip()):
        raise ValueError(f"prompt: {model.title} needs a prompt")
    if kind is Kind.TEXT_TO_VIDEO and (has_frames or refs or req.edit_video):
        raise ValueError(
            "text to video takes no media; drop --operation to pick the operation from the inputs"
        )
    if kind is Kind.FIRST_LAST_FRAME:
        if not req.first_frame:
            raise ValueError("first_frame: first/last frame to video needs a first frame")
        if refs or req.edit_video:
            raise ValueError("frames and references (or an edit video) cannot be mixed; use one mode")
        if model.is_byteplus and not req.last_frame:
            raise ValueError("last_frame: Seedance 1.0 Lite needs both a first and a last frame")
    if kind is Kind.IMAGE_TO_VIDEO:
        if not req.first_frame:
            raise ValueError("first_frame: image to video needs an image (--first-frame)")
        if req.last_frame:
            raise ValueError(
                "last_frame: 1.0 Pro image to video takes one image; use -m 1.0-lite for first+last"
            )
        if refs or req.edit_video:
            raise ValueError("1.0 Pro image to video takes one image (--first-frame) and no references")
    if kind is Kind.REFERENCE:
        if not refs:
            raise ValueError("reference to video needs at least one reference image, video or audio")
        if has_frames or req.edit_video:
            raise ValueError(
                "references cannot be mixed with first/last frames or an edit video; use one mode"
            )
    if kind is Kind.EDIT:
        if not req.edit_video:
            raise ValueError("edit_video: video editing needs the video to edit (--edit)")
        if has_frames or req.ref_videos or req.ref_audios:
            raise ValueError("video editing takes the video to edit and optional style images only")
    _check_counts(req)
    _check_options(req, op)


def _check_counts(req: VideoRequest) -> None:
    images = len(req.ref_images) + (1 if req.first_frame else 0) + (1 if req.last_frame else 0)
    if images > catalog.MAX_IMAGES:
        raise ValueError(f"too many images ({images}); at most {catalog.MAX_IMAGES} including frames")
    videos = len(req.ref_videos) + (1 if req.edit_video else 0)
    if videos > catalog.MAX_VIDEOS:
        raise ValueError(f"too many videos ({videos}); at most {catalog.MAX_VIDEOS}")
    if len(req.ref_audios) > catalog.MAX_AUDIOS:
        raise ValueError(f"too many audio clips ({len(req.ref_audios)}); at most {catalog.MAX_AUDIOS}")


def _check_options(req: VideoRequest, op: Operation) -> None:
    model = req.model_info
    if req.duration is not None:
        ok = model.min_duration <= req.duration <= model.max_duration or (
            model.auto_duration and req.duration == -1
        )
        if not ok:
            auto = " or -1 (model's choice)" if model.auto_duration else ""
            raise ValueError(
                f"duration: {model.title} takes {model.min_duration}-{model.max_duration} "
                f"seconds{auto}; got {req.duration}"
            )
    if req.ratio is not None and req.ratio not in op.ratios:
        raise ValueError(f"ratio: {op.title} takes {', '.join(op.ratios)}; got {req.ratio!r}")
    if req.resolution is not None and req.resolution not in model.resolutions:
        raise ValueError(
            f"resolution: {model.title} takes {', '.join(model.resolutions)}; got {req.resolution!r}"
        )
    if model.is_byteplus:
        if req.prompt and KNOB_PATTERN.search(req.prompt):
            raise ValueError("prompt: do not type --ratio/--duration/... into the prompt; use the options")
        for name in ("generate_audio", "watermark"):
            if getattr(req, name) is not None:
                raise ValueError(f"{name}: only Seedance 2.0 models take this option")
        if req.web_search:
            raise ValueError("web_search: only Seedance 2.0 text to video takes this option")
    else:
        if req.camera_fixed is not None:
            raise ValueError("camera_fixed: only Seedance 1.0 models take this option")
        if req.model_id is not None:
            raise ValueError("model_id: only Seedance 1.0 models take a BytePlus model id")
        if req.web_search and op.kind is not Kind.TEXT_TO_VIDEO:
            raise ValueError("web_search: only text to video takes this option")


KNOB_PATTERN = re.compile(r"(?:^|\s)--(?:ratio|rt|resolution|rs|duration|dur|camerafixed|cf)\b")
"""Inline 1.0 parameters ("knobs"); we build them from typed fields, so a prompt must not carry its own."""
