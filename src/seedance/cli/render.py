"""Render library objects for people and for --json: one place for the CLI's result shapes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedance.catalog import KEY_HEADER
from seedance.cli.output import OUT, human_size
from seedance.config import expand_home
from seedance.pricing import Estimate
from seedance.request import VideoRequest

if TYPE_CHECKING:
    from seedance.models import Job, Result


def check_webhook_url(url: str) -> None:
    """A webhook URL must be a plain http(s) URL with a host: refused before anything is sent."""
    from urllib.parse import urlsplit

    from seedance.errors import InputError

    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(ord(c) < 33 or ord(c) == 127 for c in url)
    ):
        raise InputError(
            f"--webhook-url {url!r} is not an http(s) URL",
            hint="give a URL like https://example.com/seedance-hook (no spaces or control characters)",
        )


def check_output_option(output: str) -> None:
    """`-o` of wait and download: a folder (the file is named from the job id) or a file; see check_output."""
    from seedance.errors import InputError
    from seedance.jobs.naming import names_a_folder

    if not output.strip():
        raise InputError("-o is empty; give a file or folder path, or leave -o out")
    path = expand_home(output)
    check_output(path, folder_only=names_a_folder(output, path))


def check_output(path: Path, *, folder_only: bool = False) -> Path | None:
    """Make sure a video can be saved at `path` (creating its folder), before any paid job is sent.

    Raise InputError naming the path and the reason: a file in the way, no permission, a read-only or
    virtual file system (/proc), a name too long for the file system, and so on. Probes are created and
    removed to be sure: one in the folder, and one with a name as long as the download's part file.
    Return the outermost folder this check created (None if the folder was there), for `remove_made_folders`.
    """
    from seedance.cli.common import make_writable_folder
    from seedance.download import part_name
    from seedance.errors import InputError

    folder = path if folder_only else path.parent
    hint = "choose another -o path (a folder you can write in, or a shorter file name inside one)"
    made: Path | None = None
    try:
        # The folders that will be made, resolved: the walk never names a folder that exists (`a/../b` is b).
        for ancestor in [folder.resolve(), *folder.resolve().parents]:
            if ancestor.exists():
                if not ancestor.is_dir():
                    raise InputError(f"cannot save the video under {folder}: {ancestor} is a file", hint=hint)
                break
            made = ancestor
        make_writable_folder(folder)
        if not folder_only:
            _probe_name(path.with_name(part_name(path.name, "name-probe")))  # as long as the real one
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, from resolve()
        where = f"as {path}" if not folder_only else f"in {folder}"
        raise InputError(
            f"cannot save the video {where}: {getattr(exc, 'strerror', None) or exc}", hint=hint
        ) from None
    return made


def remove_made_folders(folder: Path, made: Path | None) -> None:
    """Remove the folders `check_output` made for `folder`, up to `made`, while they are still empty.

    For a job that was never sent (refused, no key, interrupted): the user is left with what they had. A
    folder that now holds anything (another process's file) stays.
    """
    if made is None:
        return
    for current in [folder.resolve(), *folder.resolve().parents]:
        if not current.is_relative_to(made):  # only folders inside the one made (never one above it)
            return
        try:
            current.rmdir()
        except OSError:
            return


def _probe_name(probe: Path) -> None:
    """Create and remove a file named like the download's part file, to prove the name fits."""
    fd = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    os.unlink(probe)


def describe_settings(request: VideoRequest) -> str:
    """`5 s, 720p, adaptive` with the model's defaults filled in."""
    model = request.model_info
    duration = request.effective_duration()
    return ", ".join(
        [
            "auto length" if duration == -1 else f"{duration} s",
            request.resolution or model.default_resolution,
            request.ratio or model.default_ratio,
        ]
    )


def dry_run(request: VideoRequest, url: str, body: dict[str, Any], cost: Estimate) -> None:
    """Show the request that would be sent (key redacted) and its estimated cost."""
    data = {
        "ok": True,
        "dry_run": True,
        "operation": request.op.name,
        "model": request.model,
        "method": "POST",
        "url": url,
        "headers": {KEY_HEADER: "***", "Content-Type": "application/json", "Cache-Control": "no-cache"},
        "body": body,
        "estimated_cost_usd": cost.usd,
        "estimated_cost_low_usd": cost.low_usd,
        "estimate": cost.describe(),
    }
    import json

    human = f"POST {url}\n{KEY_HEADER}: ***\n{json.dumps(body, indent=2)}\nestimated cost: {cost.describe()}"
    OUT.result(data, human)


def submitted(job: Job, request: VideoRequest) -> None:
    """The result of `generate --no-wait`."""
    data = {
        "ok": True,
        "request_id": job.request_id,
        "status": "QUEUED",
        "operation": job.operation,
        "model": request.model,
        "local_id": job.local_id,
        "estimated_cost_usd": job.estimated_cost_usd,
        "warnings": job.warnings,
    }
    flag = " --emulator" if emulated() else ""
    OUT.result(
        mark_emulated(data), f"{job.request_id}\nwait for it with: seedance wait {job.request_id}{flag}"
    )


def emulated() -> bool:
    """Whether this command talks to the local emulator (its work is free)."""
    return bool(OUT.context.get("emulator"))


def mark_emulated(data: dict[str, Any]) -> dict[str, Any]:
    """A JSON answer about emulator work: free (`estimated_cost_usd` 0), and said to be emulated."""
    if emulated():
        data.update(estimated_cost_usd=0.0, emulated=True)
    return data


def cost_line(cost: Estimate) -> str:
    """The estimate as said before a submit: the gateway's price, or free on the emulator."""
    if emulated():
        return f"free on the emulator (on the gateway: {cost.describe()})"
    return cost.describe()


def result_data(result: Result, estimated_cost_usd: float | None = None) -> dict[str, Any]:
    """The JSON shape of a finished job."""
    from seedance.jobs import shapes

    return {
        "ok": True,
        **shapes.result_fields(result),
        "status": result.status.raw_status,
        "estimated_cost_usd": 0.0 if emulated() else estimated_cost_usd,
        **({"emulated": True} if emulated() else {}),
    }


def finished(
    result: Result,
    request: VideoRequest | None,
    estimated_cost_usd: float | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Print a finished job: the file and its size, or the URL (and the joined file of `--join`)."""
    data = result_data(result, estimated_cost_usd)
    if request is not None:
        data["model"] = request.model
    lines = []
    if result.path:
        lines.append(f"saved {result.path} ({human_size(result.size_bytes)})")
    if extra:
        data.update(extra)
        lines.append(f"joined {extra['joined_from']} + the new segment -> {extra['joined_file']}")
    lines.append(f"video URL: {result.video_url}")
    if result.elapsed_s is not None:
        lines.append(f"took {result.elapsed_s:.1f} s (request {result.request_id})")
    OUT.result(data, "\n".join(lines))
