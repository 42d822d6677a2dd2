"""`seedance generate`: one command, one job: a prompt (and media) in, a video file out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from seedance.cli.common import gateway_options, json_option
from seedance.cli.output import OUT
from seedance.kinds import Kind

if TYPE_CHECKING:
    from seedance.client import Client
    from seedance.extension import ExtendSource
    from seedance.jobs import NextSteps
    from seedance.models import Job
    from seedance.request import VideoRequest

MODEL_HELP = (
    "The Seedance model: 2.5, 2.0, 2.0-fast, 2.0-mini or 1.0-pro (all, with limits: seedance models)."
)
KIND_CHOICES = [kind.value for kind in Kind]  # from the catalog, not typed again


@click.command(short_help="Generate a video.")
@click.argument("prompt", required=False)
@click.option(
    "-m",
    "--model",
    default="2.0",
    show_default=True,
    metavar="MODEL",
    help=MODEL_HELP,
)
@click.option("--first-frame", metavar="IMG", help="Image the video starts from (1.0 Pro: its one image).")
@click.option("--last-frame", metavar="IMG", help="Image the video ends on.")
@click.option("--ref-image", "ref_images", multiple=True, metavar="IMG", help="Reference image (repeatable).")
@click.option("--ref-video", "ref_videos", multiple=True, metavar="VID", help="Reference video (repeatable).")
@click.option("--ref-audio", "ref_audios", multiple=True, metavar="AUD", help="Reference audio (repeatable).")
@click.option("--edit", "edit_video", metavar="VID", help="Video to edit (the prompt says how).")
@click.option(
    "--extend",
    "extend_video",
    metavar="VID",
    help="Clip to continue (2.5): a file, a URL or a job id; the prompt says what happens next. "
    "The result is the new segment only (see --join).",
)
@click.option(
    "--join",
    is_flag=True,
    help="With --extend: write the clip followed by the new segment as one MP4 at -o, keeping the bare "
    "segment beside it as NAME.segment.mp4.",
)
@click.option(
    "--operation", type=click.Choice(KIND_CHOICES), help="Force the operation instead of inferring it."
)
@click.option(
    "--duration",
    type=int,
    help="Seconds: 4-30 or -1 (auto) on 2.5, 4-15 or -1 on 2.0, 3-12 on 1.0. Default 5.",
)
@click.option("--ratio", help="Aspect ratio: 16:9 4:3 1:1 3:4 9:16 21:9 adaptive.")
@click.option("--resolution", help="480p, 720p (2.x), 1080p (1.0; 2.5 unconfirmed).")
@click.option("--audio/--no-audio", "generate_audio", default=None, help="Generate sound (2.x; default on).")
@click.option("--watermark", is_flag=True, default=None, help="Add a watermark (2.x).")
@click.option("--web-search", is_flag=True, help="Let the model search the web (2.x text to video).")
@click.option("--camera-fixed", is_flag=True, default=None, help="Keep the camera still (1.0).")
@click.option("--model-id", help="BytePlus model id for 1.0 Pro (default: seedance-1-0-pro-250528).")
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
    default=None,
    help="Seconds to wait before giving up (the job may still finish). Default: from the model, the "
    "duration and past jobs, at least 600.",
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
    timeout: float | None,
    join: bool,
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
    editing; --extend continues a clip (2.5). Local files are checked and sent inline; URLs are passed
    through.

    \b
    Examples:
      seedance generate "A cat walking on the beach" -o cat.mp4
      seedance generate "Slow dolly in" --first-frame start.png --last-frame end.png -m 2.0-fast
      seedance generate "The cat jumps" --extend cat.mp4 -m 2.5 --join -o longer.mp4
    """
    from seedance import bodies, config, extension, pricing
    from seedance.cli import render
    from seedance.errors import InputError
    from seedance.request import parse_request

    for name, flag in (
        ("first_frame", "--first-frame"),
        ("last_frame", "--last-frame"),
        ("edit_video", "--edit"),
    ):
        if fields[name] is not None and not fields[name].strip():
            raise InputError(f"{flag} is empty; give a file or an http(s) URL, or leave the option out")
    if output is not None and not output.strip():
        raise InputError("-o is empty; give a file or folder path, or leave -o out for a stamped name")
    source = _extend_source(fields, join, no_wait or no_download)
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
    from seedance import jobs as service  # not before the dry run: it loads the journal (and pydantic)

    # Every refusal (media, another job's file, an existing file, an open identical job) before the key is
    # sought; the service makes them again in the journal's own transaction at the submit.
    journal = service.user_journal()
    chosen = service.plan(
        request,
        output,
        journal=journal,
        gateway=config.base_url(base_url) if not emulator else config.LOCAL_EMULATOR,
        again=again,
        overwrite=overwrite,
        download=not no_download,
        free=emulator,  # emulator work is free: a repeat costs nothing
        steps=_repeat_steps(),
    )
    joined = None
    if source is not None and join and chosen.target is not None:
        # The download goes beside -o, and -o gets the clip made longer (checked as the plan's target).
        joined = chosen.target
        chosen = service.retarget(chosen, extension.segment_path(joined), journal)
    request, target = chosen.request, chosen.target
    made_folder = render.check_output(target) if target is not None else None  # before the paid submit
    if emulator:
        OUT.context["emulator"] = True  # free work; an interrupted job is resumed with --emulator
    OUT.info(f"{request.op.title} ({render.describe_settings(request)}): {render.cost_line(cost)}")
    for warning in request.warnings():
        OUT.info(f"warning: {warning}")
    OUT.context.update(
        operation=request.op.name, model=request.model, estimated_cost_usd=0.0 if emulator else cost.usd
    )
    from seedance.cli.common import open_client

    sent = False
    try:
        with open_client(
            base_url=base_url,
            api_key=api_key,
            poll_interval=poll_interval,
            emulator=emulator,
            webhook_url=webhook_url,
        ) as client:
            OUT.context["submitting"] = True
            job, chosen = service.submit(client, chosen)  # resume fetches the video if we end before it
            sent = True
            wait = timeout if timeout is not None else client.default_timeout(request)
            join_plan = (Path(source.join_base), joined) if source is not None and joined else None
            _follow(
                client,
                job,
                request,
                chosen.target,
                no_wait,
                no_download,
                wait,
                cost.usd,
                join_plan,
                overwrite,
            )
    finally:
        if not sent and target is not None:  # refused, no key, interrupted: leave no empty folder behind
            render.remove_made_folders(target.parent, made_folder)


def _extend_source(fields: dict[str, Any], join: bool, no_video: bool) -> ExtendSource | None:
    """Read --extend (a file, a URL or a job id) into the clip to send; check --join can be done."""
    from seedance import extension, media
    from seedance import join as joining
    from seedance.errors import InputError

    value = fields.get("extend_video")
    if value is None:
        if join:
            raise InputError("--join goes with --extend (it joins the clip and its new segment)")
        return None
    source = extension.resolve_source(value)
    fields["extend_video"] = source.send
    if join:
        if no_video:
            raise InputError("--join needs the new segment downloaded: drop --no-wait / --no-download")
        if media.is_url(source.join_base):
            raise InputError(
                "--join needs the clip as a file (or a job id): a URL source is not downloaded for you",
                hint="download it first, or leave out --join to get the new segment alone",
            )
        joining.require_pyav()
    return source


def _repeat_steps() -> NextSteps:
    """What a refused repeat tells a shell user (or an agent driving the CLI) to do instead of paying again."""
    from seedance.jobs import NextSteps

    return NextSteps(
        on_its_way="see `seedance jobs` in a few seconds for its request id",
        to_wait="`seedance wait {request_id}` saves its video",
        to_check="check `seedance jobs` and the Pixazo dashboard",
        again="pass --again to pay for a second video of the same request",
    )


def _follow(
    client: Client,
    job: Job,
    request: VideoRequest,
    target: Path | None,
    no_wait: bool,
    no_download: bool,
    timeout: float,
    estimated_usd: float | None,
    join_plan: tuple[Path, Path] | None = None,
    overwrite: bool = False,
) -> None:
    """After the submit: say the id, wait with a status line, download, join, and print the result."""
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
    extra = None
    if join_plan is not None and result.path:
        from seedance import jobs as service
        from seedance.errors import InputError
        from seedance.join import join_videos

        first, joined = join_plan
        try:
            record = service.find(job.local_id) if job.local_id else None
            service.check_made_file(service.user_journal(), joined, job=record, overwrite=overwrite)
            method = join_videos(first, Path(result.path), joined)
        except InputError as exc:  # after the paid job: say where its video is, and not to pay again
            raise InputError(
                f"{exc.message}; the new segment is saved at {result.path}",
                hint="the job is paid for and its video saved: do not run the command again",
            ) from None
        extra = {"joined_file": str(joined), "join_method": method, "joined_from": str(first)}
    render.finished(result, request, estimated_usd, extra)
