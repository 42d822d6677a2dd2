"""The rules a request must follow, read from its model's and operation's catalog rows (no per-model code).

Every check raises ValueError with one line naming the field to fix; `VideoRequest` turns it into the
InputError (exit 2) that reaches the user before anything is sent or paid for.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from seedance import catalog
from seedance.catalog import Kind, Operation

if TYPE_CHECKING:
    from seedance.request import VideoRequest

INPUT_WORDS = {
    "prompt": "a prompt",
    "first_frame": "a first frame (--first-frame)",
    "last_frame": "a last frame (--last-frame)",
    "ref_images": "reference images (--ref-image)",
    "ref_videos": "reference videos (--ref-video)",
    "ref_audios": "reference audio (--ref-audio)",
    "edit_video": "a video to edit (--edit)",
    "extend_video": "a clip to extend (--extend)",
}
"""How each input is named in a refusal: what it is and the CLI flag that gives it."""


def given_inputs(req: VideoRequest) -> list[str]:
    """The input fields a request gives (a blank prompt is no prompt), in catalog.INPUT_FIELDS order."""
    given = []
    for name in catalog.INPUT_FIELDS:
        value = getattr(req, name)
        if name == "prompt":
            value = (value or "").strip()
        if value:
            given.append(name)
    return given


def choose_operation(req: VideoRequest) -> Operation:
    """Pick the operation from the inputs (or the forced one); raise ValueError with what to change.

    The strongest input decides: a clip to extend, then a video to edit, then frames, then references; a
    prompt alone goes to the model's operation that needs nothing else. Which operation takes which input
    is the catalog rows' `inputs`, so a model added as a row is chosen the same way.
    """
    cat = catalog.current()
    ops = cat.operations_of(req.model)
    if req.operation is not None:
        kind = req.operation
    elif req.extend_video:
        kind = Kind.EXTEND
    elif req.edit_video:
        kind = Kind.EDIT
    elif req.first_frame or req.last_frame:
        framed = [op for op in ops if "first_frame" in op.inputs]
        kind = framed[0].kind if framed else Kind.FIRST_LAST_FRAME
    elif req.ref_images or req.ref_videos or req.ref_audios:
        kind = Kind.REFERENCE
    else:
        plain = [op for op in ops if set(op.required()) <= {"prompt"} and not op.needs_one_of]
        if not plain:
            needs = "; ".join(f"{catalog.KIND_TITLES[op.kind]}: {', '.join(op.required())}" for op in ops)
            raise ValueError(f"{req.model_info.title} needs media ({needs})")
        kind = plain[0].kind
    op = cat.find(req.model, kind)
    if op is None:
        offered = ", ".join(o.kind.value for o in ops)
        with_it = [m for m in cat.models.values() if m.retired_on is None and cat.find(m.name, kind)]
        instead = f"; -m {' or -m '.join(m.name for m in with_it)} does" if with_it else ""
        raise ValueError(f"model {req.model} does not offer {kind.value} (it offers: {offered}){instead}")
    return op


def refuse_retired(model: catalog.Model) -> None:
    """Refuse a model the gateway no longer serves, before anything is sent, saying what to use instead."""
    if model.retired_on is None:
        return
    instead = f"; use {model.instead} instead" if model.instead else "; `seedance models` lists the others"
    raise ValueError(f"model: {model.title} was retired by the gateway on {model.retired_on}{instead}")


def check_request(req: VideoRequest) -> None:
    """Check a request against its model's and operation's rows; raise ValueError naming the field to fix."""
    refuse_retired(req.model_info)
    if req.last_frame and not req.first_frame:
        raise ValueError("last_frame needs a first_frame too")
    op = choose_operation(req)
    given = given_inputs(req)
    if "prompt" in op.required() and "prompt" not in given:
        raise ValueError(f"prompt: {op.title} needs a prompt")
    extra = [name for name in given if name not in op.inputs]
    if extra:
        takes = ", ".join(INPUT_WORDS[n] for n in op.inputs)
        if op.kind is Kind.TEXT_TO_VIDEO:
            raise ValueError(
                "text to video takes no media; drop --operation to pick the operation from the inputs"
            )
        raise ValueError(
            f"{extra[0]}: {op.title} does not take {INPUT_WORDS[extra[0]]} (it takes {takes}); frames, "
            "references, a video to edit and a clip to extend cannot be mixed in one request"
        )
    for name in op.required():
        if name not in given:
            raise ValueError(f"{name}: {op.title} needs {INPUT_WORDS[name]}")
    if op.needs_one_of and not any(name in given for name in op.needs_one_of):
        words = " or ".join(INPUT_WORDS[n] for n in op.needs_one_of)
        raise ValueError(f"{op.title} needs at least one of: {words}")
    _check_counts(req)
    _check_options(req, op)


def _check_counts(req: VideoRequest) -> None:
    model = req.model_info
    images = len(req.ref_images) + (1 if req.first_frame else 0) + (1 if req.last_frame else 0)
    if images > model.max_images:
        raise ValueError(f"too many images ({images}); at most {model.max_images} including frames")
    videos = len(req.ref_videos) + (1 if req.edit_video else 0) + (1 if req.extend_video else 0)
    if videos > model.max_videos:
        raise ValueError(f"too many videos ({videos}); at most {model.max_videos}")
    if len(req.ref_audios) > model.max_audios:
        raise ValueError(f"too many audio clips ({len(req.ref_audios)}); at most {model.max_audios}")


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
    if op.forced_ratio is not None and req.ratio not in (None, op.forced_ratio):
        raise ValueError(
            f"ratio: {op.title} follows the shape of its inputs (upstream forces {op.forced_ratio} and may "
            "refuse an explicit ratio); leave the ratio out"
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
                raise ValueError(f"{name}: only Seedance 2.x models take this option")
        if req.web_search:
            raise ValueError("web_search: only Seedance 2.x text to video takes this option")
    else:
        if req.camera_fixed is not None:
            raise ValueError("camera_fixed: only Seedance 1.0 models take this option")
        if req.model_id is not None:
            raise ValueError("model_id: only Seedance 1.0 models take a BytePlus model id")
        if req.web_search and not op.web_search:
            raise ValueError("web_search: only text to video takes this option")


KNOB_PATTERN = re.compile(r"(?:^|\s)--(?:ratio|rt|resolution|rs|duration|dur|camerafixed|cf)\b")
"""Inline 1.0 parameters ("knobs"); we build them from typed fields, so a prompt must not carry its own."""
