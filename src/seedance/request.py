"""The generation request: a frozen dataclass checked by plain code against the catalog's rules.

Nothing here imports pydantic, so `seedance generate --dry-run` (and anything else that only builds and
checks a request) starts without it. Loose input (a batch CSV's `"5"`, a JSON `"yes"`) is coerced by pydantic
in `parse_request`, and only when a value does not already have its field's type; either way the object is
built by the same constructor, which runs every check.
"""

from __future__ import annotations

import copy
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from seedance import catalog
from seedance.catalog import Kind, Operation
from seedance.errors import LONE_SURROGATE, InputError, shown
from seedance.request_rules import check_request as check_request  # re-exported: models.py names them
from seedance.request_rules import choose_operation as choose_operation

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
    "mini": "2.0-mini",
    "2.0mini": "2.0-mini",
}
LIST_FIELDS = ("ref_images", "ref_videos", "ref_audios")
MEDIA_KINDS: dict[str, Literal["image", "video", "audio"]] = {
    "first_frame": "image",
    "last_frame": "image",
    "ref_images": "image",
    "ref_videos": "video",
    "ref_audios": "audio",
    "edit_video": "video",
    "extend_video": "video",
}
"""The fields that name media, and what each holds: a local path or a URL each (a list for the references)."""
MEDIA_FIELDS = tuple(MEDIA_KINDS)
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
    """The model: `2.5`, `2.0`, `2.0-fast`, `2.0-mini` or `1.0-pro` (`seedance models` lists them all)."""
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
    extend_video: str | None = None
    """The clip to continue (video extension, 2.5): a file or URL; the answer is only the new segment."""
    duration: int | None = None
    """Seconds of output (of the new segment, for an extension): 4-30 or -1 on 2.5, 4-15 or -1 on 2.0,
    3-12 on 1.0; default 5."""
    ratio: str | None = None
    """Aspect ratio, e.g. `16:9`, `9:16`, `1:1`, `adaptive`."""
    resolution: str | None = None
    """`480p` or `720p` (2.x; 2.5 also `1080p`, unconfirmed on Pixazo); `480p`, `720p` or `1080p` (1.0)."""
    generate_audio: bool | None = None
    """Whether the video has sound (2.x only; gateway default true)."""
    watermark: bool | None = None
    """Whether the video carries a watermark (2.x only; gateway default false)."""
    web_search: bool = False
    """Let the model search the web for the prompt (2.x text to video only)."""
    camera_fixed: bool | None = None
    """Keep the camera still (1.0 only)."""
    model_id: str | None = None
    """The BytePlus model id sent by 1.0 operations (default: `seedance-1-0-pro-250528`)."""

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
        return catalog.current().models[self.model]

    def warnings(self) -> list[str]:
        """What to know before paying that does not stop the request (a value the gateway may not take)."""
        model = self.model_info
        if self.resolution is not None and self.resolution in model.unverified_resolutions:
            return [
                f"{self.resolution} on {model.title} is not confirmed on Pixazo (seen upstream only): "
                "the gateway may refuse it"
            ]
        return []

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
            ratio=op.forced_ratio or self.ratio or model.default_ratio,
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
            if isinstance(text, str) and LONE_SURROGATE.search(text):
                raise InputError(
                    f"{name}: the text is not valid Unicode ({shown(text, 60)})",
                    hint="save the text as UTF-8 (a lone \\udcXX escape or a byte that is not UTF-8 is not text)",
                )


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
    models = catalog.current().models
    if key not in models:
        raise InputError(f"model: unknown model {value!r}; choose one of {', '.join(models)}")
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
