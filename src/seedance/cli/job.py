"""`seedance status|wait|download ID`: pick up a job from its request id (or journal id) alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from seedance.cli.common import gateway_options, json_option
from seedance.cli.output import OUT

if TYPE_CHECKING:
    from seedance.client import Client


@click.command(short_help="Show a job's status once.")
@click.argument("job_id")
@gateway_options
@json_option
def status(
    job_id: str,
    base_url: str | None,
    api_key: str | None,
    poll_interval: float | None,
    emulator: bool,
    as_json: bool,
) -> None:
    """Show the status of JOB_ID (a request id, or a journal id from `seedance jobs`)."""
    from seedance.cli.common import open_client

    OUT.context.update(request_id=job_id, emulator=emulator)
    with open_client(
        base_url=base_url, api_key=api_key, poll_interval=poll_interval, emulator=emulator
    ) as client:
        st = client.status(job_id)
    data = {
        "ok": True,
        "request_id": st.request_id or job_id,
        "status": st.raw_status,
        "state": st.state.value,
        "video_url": st.video_url,
        "error": st.error,
        "charged": False if emulator else st.charged,
        **({"emulated": True} if emulator else {}),
    }
    human = f"{st.request_id or job_id}: {st.raw_status}"
    human += f"\nvideo URL: {st.video_url}" if st.video_url else ""
    human += f"\nerror: {st.error}" if st.error else ""
    OUT.result(data, human)


@click.command(short_help="Wait for a job, then download it.")
@click.argument("job_id")
@click.option("-o", "--output", type=click.Path(), help="Where to save the video.")
@click.option("--no-download", is_flag=True, help="Only wait; print the video URL.")
@click.option("--timeout", type=click.FloatRange(min=1), default=600, show_default=True)
@gateway_options
@json_option
def wait(
    job_id: str,
    output: str | None,
    no_download: bool,
    timeout: float,
    base_url: str | None,
    api_key: str | None,
    poll_interval: float | None,
    emulator: bool,
    as_json: bool,
) -> None:
    """Wait for JOB_ID to finish, then download its video (to -o, or where `generate` meant to put it)."""
    from seedance import jobs as service
    from seedance.cli import render
    from seedance.cli.common import open_client
    from seedance.cli.progress import Progress

    OUT.context.update(request_id=job_id, emulator=emulator)
    if output is not None and not no_download:
        render.check_output_option(output)
        service.check_download_path(job_id, output, overwrite=True)  # early: not after a long wait
    with open_client(
        base_url=base_url, api_key=api_key, poll_interval=poll_interval, emulator=emulator
    ) as client:
        with Progress() as progress:
            line = progress.add(job_id)
            result = client.finish(
                job_id,
                output,
                timeout=timeout,
                on_update=lambda st: progress.update(line, st),
                download=not no_download,
                overwrite=True,
                on_progress=lambda n, t: progress.progress(line, n, t),
            )
        estimate = _estimate(client, job_id)
    render.finished(result, None, estimate)


@click.command(short_help="Download a finished job's video.")
@click.argument("job_id")
@click.option("-o", "--output", type=click.Path(), help="Where to save the video.")
@gateway_options
@json_option
def download(
    job_id: str,
    output: str | None,
    base_url: str | None,
    api_key: str | None,
    poll_interval: float | None,
    emulator: bool,
    as_json: bool,
) -> None:
    """Download the video of a finished job (resumes a partial download)."""
    from seedance import jobs as service
    from seedance.cli import render
    from seedance.cli.common import open_client
    from seedance.cli.progress import Progress

    OUT.context.update(request_id=job_id, emulator=emulator)
    if output is not None:
        render.check_output_option(output)
        service.check_download_path(job_id, output, overwrite=True)  # early: not after a long wait
    with open_client(
        base_url=base_url, api_key=api_key, poll_interval=poll_interval, emulator=emulator
    ) as client:
        with Progress() as progress:
            line = progress.add(job_id, "finished")
            result = client.download(  # a file the journal does not know: replaced
                job_id, output, overwrite=True, on_progress=lambda n, t: progress.progress(line, n, t)
            )
        estimate = _estimate(client, job_id)
    render.finished(result, None, estimate)


def _estimate(client: Client, job_id: str) -> float | None:
    """The journal's cost estimate for a job (None for a job from elsewhere or of unknown price)."""
    record = client.journal.get(job_id) if client.journal is not None else None
    return record.estimated_cost_usd if record is not None else None
