"""`seedance generate`: one command, one job: a prompt (and media) in, a video file out."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from seedance.cli.common import gateway_options, json_option
from seedance.cli.output import OUT

if TYPE_CHECKING:
    from seedance.client import Client
    from seedance.models import Job
    from seedance.request import VideoRequest

MODEL_CHOICES = ["2.0", "2.0-fast", "1.0-pro", "1.0-lite"]
KIND_CHOICES = ["text-to-video", "image-to-video", "first-last-frame", "reference", "edit"]


@click.command(short_help="Generate a video.")
@click.argument("prompt", required=False)
@click.option(
    "-m",
    "--model",
    default="2.0",
    show_default=True,
    metavar="|".join(MODEL_CHOICES),
    help="The Seedance model.",
)
@click.option("--first-frame", metavar="IMG", help="Image the video starts from (1.0 Pro: its one image).")
@click.option("--last-frame", metavar="IMG", help="Image the video ends on.")
@click.option("--ref-image", "ref_images", multiple=True, metavar="IMG", help="Reference image (repeatable).")
@click.option("--ref-video", "ref_videos", multiple=True, metavar="VID", help="Reference video (repeatable).")
@click.option("--ref-audio", "ref_audios", multiple=True, metavar="AUD", help="Reference audio (repeatable).")
@click.option("--edit", "edit_video", metavar="VID", help="Video to edit (the prompt says how).")
@click.option(
    "--operation", type=click.Choice(KIND_CHOICES), help="Force the operation instead of inferring it."
)
@click.option("--duration", type=int, help="Seconds: 4-15 or -1 (auto) on 2.x, 3-12 on 1.0. Default 5.")
@click.option("--ratio", help="Aspect ratio: 16:9 4:3 1:1 3:4 9:16 21:9 adaptive.")
@click.option("--resolution", help="480p, 720p (2.x) or 1080p (1.0).")
@click.option("--audio/--no-audio", "generate_audio", default=None, help="Generate sound (2.x; default on).")
@click.option("--watermark", is_flag=True, default=None, help="Add a watermark (2.x).")
@click.option("--web-search", is_flag=True, help="Let the model search the web (2.x text to video).")
@click.option("--camera-fixed", is_flag=True, default=None, help="Keep the camera still (1.0).")
@click.option("--model-id", help="BytePlus model id for 1.0 operations (default: the docs' example id).")
@click.option("-o", "--output", type=click.Path(dir_okay=True), help="Where to save the video.")
@click.option(
    "--overwrite", is_flag=True, help="Replace the -o file if it exists (default: refuse, nothing sent)."
)
@click.option(
    "--again",
    is_flag=True,
    help="Submit even when an identical job of the last hour is still running or got no answer "
    "(default: refuse, naming it; nothing sent).",
)
@click.option("--no-wait", is_flag=True, help="Submit and print the request id; do not wait.")
@click.option("--no-download", is_flag=True, help="Wait, then print the video URL without downloading.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=600,
    show_default=True,
    help="Seconds to wait before giving up (the job may still finish).",
)
@click.option("--dry-run", is_flag=True, help="Print the request and its estimated cost; send nothing.")
@click.option("--webhook-url", metavar="URL", help="Ask the gateway to POST the result to this URL.")
@gateway_options
@json_option
def generate(
    prompt: str | None,
    output: str | None,
    overwrite: bool,
    again: bool,
    no_wait: bool,
    no_download: bool,
    timeout: float,
    dry_run: bool,
    webhook_url: str | None,
    base_url: str | None,
    api_key: str | None,
    poll_interval: float | None,
    emulator: bool,
    as_json: bool,
    **fields: Any,
) -> None:
    """Generate a video from PROMPT and optional images, video or audio.

    \b
    The operation follows from the inputs: a prompt alone is text to video; --first-frame/--last-frame is
    first/last frame to video; --ref-image/--ref-video/--ref-audio is reference to video; --edit is video
    editing. Local files are checked and sent inline; URLs are passed through.

    \b
    Examples:
      seedance generate "A cat walking on the beach" -o cat.mp4
      seedance generate "Slow dolly in" --first-frame start.png --last-frame end.png -m 2.0-fast
    """
    from seedance import bodies, config, media, pricing
    from seedance.cli import render
    from seedance.errors import InputError
    from seedance.request import MEDIA_FIELDS, parse_request

    for name, flag in (
        ("first_frame", "--first-frame"),
        ("last_frame", "--last-frame"),
        ("edit_video", "--edit"),
    ):
        if fields[name] is not None and not fields[name].strip():
            raise InputError(f"{flag} is empty; give a file or an http(s) URL, or leave the option out")
    if webhook_url is not None:
        render.check_webhook_url(webhook_url)
    fields["prompt"] = prompt
    fields["ref_images"] = list(fields["ref_images"])
    fields["ref_videos"] = list(fields["ref_videos"])
    fields["ref_audios"] = list(fields["ref_audios"])
    fields["web_search"] = bool(fields["web_search"])
    request = parse_request({k: v for k, v in fields.items() if v is not None})
    cost = pricing.estimate(request)
    if dry_run:
        body = bodies.summarize_body(bodies.build_body(request))
        url = (config.base_url(base_url) if not emulator else "http://127.0.0.1:<emulator>") + request.op.path
        render.dry_run(request, url, body, cost)
        return
    bodies.build_body(
        request, resolve=media.check
    )  # a missing or wrong file is said before the key is sought (as the user wrote it)
    absolute = {name: media.absolute(getattr(request, name), resolve=True) for name in MEDIA_FIELDS}
    request = dataclasses.replace(request, **absolute)  # the journal names the file, wherever it is run from
    target = render.default_output(output, request)
    made_folder = None
    if not no_download:
        made_folder = render.check_output(target)  # before the paid submit, not after the job ran
        if target.exists() and not overwrite:
            raise InputError(
                f"{target} already exists; nothing was sent",
                hint="choose another -o path, or pass --overwrite to replace it",
            )
    if emulator:
        OUT.context["emulator"] = True  # free work; an interrupted job is resumed with --emulator
    OUT.info(f"{request.op.title} ({render.describe_settings(request)}): {render.cost_line(cost)}")
    OUT.context.update(
        operation=request.op.name, model=request.model, estimated_cost_usd=0.0 if emulator else cost.usd
    )
    from seedance.cli.common import open_client

    sent = False
    try:
        if not (emulator or again):  # emulator work is free: a repeat costs nothing
            _refuse_a_repeat(request, config.base_url(base_url))
        with open_client(
            base_url=base_url,
            api_key=api_key,
            poll_interval=poll_interval,
            emulator=emulator,
            webhook_url=webhook_url,
        ) as client:
            OUT.context["submitting"] = True
            job, target = _submit(client, request, target, output, no_download, overwrite)
            sent = True
            _follow(client, job, request, target, no_wait, no_download, timeout, cost.usd)
    finally:
        if not sent:  # refused, no key, interrupted: leave no empty folder behind (a download makes it again)
            render.remove_made_folders(target.parent, made_folder)


def _refuse_a_repeat(request: VideoRequest, gateway: str) -> None:
    """Refuse what an identical job of the last hour, still open on this gateway, already asks for: a shell
    or an agent that gave up on the first command (a timeout, a kill) would pay twice (`--again` pays)."""
    from seedance.journal import Journal, repeat_refusal

    twin = Journal().open_twin(request, gateway)
    if twin is None:
        return
    raise repeat_refusal(
        twin,
        on_its_way="see `seedance jobs` in a few seconds for its request id",
        to_wait="`seedance wait {request_id}` saves its video",
        to_check="check `seedance jobs` and the Pixazo dashboard",
        again="pass --again to pay for a second video of the same request",
    )


def _submit(
    client: Client,
    request: VideoRequest,
    target: Path,
    output: str | None,
    no_download: bool,
    overwrite: bool,
) -> tuple[Job, Path]:
    """Submit the paid job (journaled first); a stamped name taken by a job of the same second moves on."""
    from seedance.cli import render
    from seedance.errors import OutputClaimed

    while True:
        try:
            # resume fetches the video if this process ends before it does
            job = client.submit(
                request, output_path=str(target), want_download=not no_download, replace_existing=overwrite
            )
            return job, target
        except OutputClaimed:  # a job of the same second took (or just saved) the stamped name: take the next
            if not render.names_itself(output):
                raise
            target = render.default_output(output, request)


def _follow(
    client: Client,
    job: Job,
    request: VideoRequest,
    target: Path,
    no_wait: bool,
    no_download: bool,
    timeout: float,
    estimated_usd: float | None,
) -> None:
    """After the submit: say the id, wait with a status line, download, and print the result."""
    from seedance.cli import render
    from seedance.cli.progress import Progress

    OUT.context.update(request_id=job.request_id, local_id=job.local_id, submitting=False)
    for warning in job.warnings:
        OUT.info(f"warning: {warning}")
    if no_wait:
        render.submitted(job, request)
        return
    OUT.info(f"submitted: {job.request_id}")
    with Progress() as progress:
        line = progress.add(request.op.title, "submitted")
        result = client.wait(job, timeout=timeout, on_update=lambda st: progress.update(line, st))
        if not no_download:
            result = client.download(result, target, on_progress=lambda n, t: progress.progress(line, n, t))
    render.finished(result, request, estimated_usd)
