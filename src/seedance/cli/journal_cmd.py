"""`seedance jobs` (list, show, prune) and `seedance resume`: the journal of paid jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from seedance.cli.common import gateway_options, json_option
from seedance.cli.output import OUT, literal
from seedance.states import JobState

if TYPE_CHECKING:
    from rich.text import Text


def _cell(value: object) -> Text:
    """A table cell shown literally: rich markup in it (`[bold]`, `[/]`) is text, not style; controls escaped."""
    from rich.text import Text

    return Text(literal("" if value is None else value))


F = TypeVar("F", bound=Callable[..., Any])


def who_options(func: F) -> F:
    """`--user NAME` and `--host NAME`: only the jobs submitted by that login name, from that machine."""
    host = click.option(
        "--host", metavar="NAME", help="Only jobs submitted from this machine (its host name)."
    )
    user = click.option("--user", metavar="NAME", help="Only jobs submitted by this user (login name).")
    return user(host(func))


def shows_who(records: list[Any]) -> bool:
    """Whether a human listing needs a `who` column: more than one user@host among its jobs."""
    return len({(r.user_name, r.host) for r in records}) > 1


def _row(record: Any) -> dict[str, Any]:
    from seedance.jobs import shapes

    return shapes.record_fields(record)  # with `user` and `host`: who submitted it


@click.group(invoke_without_command=True, short_help="List the jobs in the journal.")
@click.option(
    "--status",
    "state",
    type=click.Choice(
        ["submitting", "queued", "running", "succeeded", "downloaded", "failed", "unknown", "rejected"]
    ),
    help="Only jobs in this state.",
)
@click.option("--limit", type=int, default=50, show_default=True)
@click.option(
    "--emulator",
    is_flag=True,
    envvar="SEEDANCE_EMULATOR",
    help="Only the local emulator's jobs [env: SEEDANCE_EMULATOR=1].",
)
@who_options
@json_option
@click.pass_context
def jobs(
    ctx: click.Context,
    state: str | None,
    limit: int,
    emulator: bool,
    user: str | None,
    host: str | None,
    as_json: bool,
) -> None:
    """List recent jobs, newest first, with who submitted each (user@host) when the journal holds more than one
    person's or machine's jobs. `seedance jobs show ID` for one; `seedance jobs prune` to clean up."""
    if ctx.invoked_subcommand is not None:
        return
    from seedance import jobs as service

    if emulator:  # the journal has no gateway index: read all, keep the emulator's newest
        records = [r for r in service.listed(state=state, user=user, host=host) if r.emulated][:limit]
    else:
        records = service.listed(state=state, limit=limit, user=user, host=host)
    if OUT.json:
        OUT.emit({"ok": True, "jobs": [_row(r) for r in records]})
        return
    if not records:
        what = f"no {state} jobs" if state else "no jobs"
        where = "".join(f" {word} {value}" for word, value in (("by", user), ("from", host)) if value)
        click.echo(what + where if state or where else "no jobs yet")
        return
    import shutil
    import sys

    from rich.console import Console
    from rich.table import Table

    # On a terminal the table fits its width: the short columns stay whole (the journal id is what every
    # command takes), the prompt and the file are cut with an ellipsis. Piped, every value is whole.
    terminal = sys.stdout.isatty()
    with_who = shows_who(records)  # one person on one machine (the usual case): no column to read past
    table = Table(
        "id",
        "when",
        *(["who"] if with_who else []),
        "model",
        "operation",
        "status",
        "prompt",
        "file",
        box=None,
    )
    for column in table.columns:
        column.no_wrap, column.overflow = True, "ellipsis"
    table.columns[0].min_width = max(len(r.local_id) for r in records)  # the id every command takes: whole
    table.columns[4 + with_who].min_width = min(max(len(r.state) for r in records), 10)
    for r in records:
        cells = (
            r.local_id,
            r.created_at[:16].replace("T", " "),
            *([r.who] if with_who else []),
            r.model,
            r.operation.rpartition("/")[2],
            r.state,
            r.prompt or "",
            r.output_path if r.state == JobState.DOWNLOADED else "",
        )
        table.add_row(*(_cell(value) for value in cells))  # Text, never markup: `[/]` in a prompt is text
    width = shutil.get_terminal_size().columns if terminal else 100_000
    console = Console(soft_wrap=False, width=width)
    with console.capture() as captured:  # rich would end a closed pipe (`| head`) itself, with exit 1
        console.print(table)
    print(captured.get(), end="", flush=True)  # a BrokenPipeError here goes to the app's one handler
    unknown = [r for r in records if r.state == JobState.UNKNOWN]
    if unknown:
        OUT.info(
            f"warning: {len(unknown)} submit(s) with unknown outcome: check your dashboard before resending"
        )


def _decoded(text: str | None) -> Any:
    """A JSON column as the object it holds (show prints objects, not JSON inside strings)."""
    import json

    return json.loads(text) if text else None


@jobs.command(short_help="Show one job.")
@click.argument("job_id")
@json_option
def show(job_id: str, as_json: bool) -> None:
    """Show everything the journal knows of one job, with its status history."""
    import json

    from seedance import jobs as service
    from seedance.errors import InputError

    record = service.find(job_id)
    if record is None:
        raise InputError(f"no job {job_id!r} in the journal", hint="`seedance jobs` lists the jobs")
    data = {
        **_row(record),
        "request": _decoded(record.request_json),
        "settings": record.settings,
        "history": service.history(record.local_id),
        "sha256": record.sha256,
        "bytes": record.bytes_downloaded,
        "elapsed_s": record.elapsed_s,
        "warnings": _decoded(record.warnings_json),
        "follower": record.follower,
        "lease_until": record.lease_until,
    }
    if OUT.json:
        OUT.emit({"ok": True, "job": data})
        return
    # Every value is escaped: a prompt or a gateway error must not reach the terminal as control sequences.
    for key, value in data.items():
        if key != "history" and value not in (None, "", [], {}):
            if isinstance(value, dict | list):
                shown = literal(json.dumps(value, ensure_ascii=False), json_text=True)
            else:
                shown = literal(value)
            click.echo(f"{key}: {shown}")
    for event in data["history"]:
        at, state, detail = (literal(event[k] or "") for k in ("at", "state", "detail"))
        click.echo(f"  {at[:19]}  {state}  {detail}")


@jobs.command(short_help="Delete one ended job from the journal.")
@click.argument("job_id")
@json_option
def forget(job_id: str, as_json: bool) -> None:
    """Delete one ended job from the journal, e.g. a submit of unknown outcome once you have checked your
    dashboard (so `seedance resume` stops warning about it). Jobs that can still be finished are kept."""
    from seedance import jobs as service

    local_id = service.forget(job_id).local_id
    OUT.result({"ok": True, "forgotten": local_id}, f"forgot {local_id}")


@jobs.command(short_help="Delete old finished jobs.")
@click.option(
    "--before",
    required=True,
    metavar="DATE",
    help="Delete finished jobs created before this date (YYYY-MM-DD). Unfinished jobs and submits of"
    " unknown outcome are always kept.",
)
@json_option
def prune(before: str, as_json: bool) -> None:
    """Delete finished jobs created before DATE from the journal (files on disk are left alone)."""
    from datetime import date

    from seedance import jobs as service
    from seedance.errors import InputError

    try:
        day = date.fromisoformat(before)
    except ValueError:
        raise InputError(f"--before {before!r} is not a date; write it as YYYY-MM-DD") from None
    removed = service.prune(day.isoformat())
    OUT.result({"ok": True, "removed": removed}, f"removed {removed} job(s)")


@click.command(short_help="Finish unfinished jobs.")
@click.argument("job_id", required=False)
@click.option("--all", "all_jobs", is_flag=True, help="Resume every unfinished job (the default with no ID).")
@click.option("--timeout", type=click.FloatRange(min=1), default=600, show_default=True)
@gateway_options
@json_option
def resume(
    job_id: str | None,
    all_jobs: bool,
    timeout: float,
    base_url: str | None,
    api_key: str | None,
    poll_interval: float | None,
    emulator: bool,
    as_json: bool,
) -> None:
    """Pick up unfinished jobs from the journal: poll each to its end and download its video."""
    from seedance import resume as resuming
    from seedance.cli.common import open_client

    OUT.context["emulator"] = emulator
    # Read before the key is asked for: with nothing to resume, no key is needed.
    records = resuming.pick(None if all_jobs else job_id)
    unknown = [] if job_id and not all_jobs else resuming.unknown_outcome()
    if unknown:
        # Paid, perhaps, but their request ids never arrived: nothing here can fetch them or safely resend.
        OUT.info(
            f"warning: {len(unknown)} submit(s) with unknown outcome (no request id): check your "
            "dashboard before resending; `seedance jobs --status unknown` lists them, "
            "`seedance jobs forget ID` drops one you have checked"
        )
    outcomes: list[dict[str, Any]] = []
    if not emulator:  # the local emulator's jobs need --emulator; no key is asked for them
        for rec in [r for r in records if r.emulated]:
            outcomes.append({"ok": False, "local_id": rec.local_id, "skipped": rec.gateway_hint})
            OUT.info(f"{rec.local_id}: skipped, it is on the local emulator: {rec.gateway_hint}")
        records = [r for r in records if not r.emulated]
    if not records and not outcomes:
        OUT.result(
            {"ok": True, "resumed": [], "unknown_outcome": [r.local_id for r in unknown]},
            "nothing to resume",
        )
        return
    worst = 0
    if records:
        with open_client(
            base_url=base_url, api_key=api_key, poll_interval=poll_interval, emulator=emulator
        ) as client:
            worst = _resume_each(client, records, timeout, outcomes)
    skipped = [o for o in outcomes if o.get("skipped")]
    if skipped and len(skipped) == len(outcomes) and not worst:
        worst = 2  # nothing could be resumed here: each skip says what to change (another gateway, no id)
    if OUT.json:
        OUT.emit({"ok": worst == 0, "resumed": outcomes, "skipped": len(skipped),
                  "unknown_outcome": [r.local_id for r in unknown]})  # fmt: skip
    elif skipped and worst == 2:
        OUT.info("error: none of the unfinished jobs could be resumed here (see above)")
    if worst:
        raise SystemExit(worst)


def _resume_each(client: Any, records: list[Any], timeout: float, outcomes: list[dict[str, Any]]) -> int:
    """Finish each job in turn, one live line each; return the worst exit code (0: all done)."""
    from seedance import resume as resuming
    from seedance.cli.progress import Progress

    worst = 0
    progress = Progress()
    lines = {r.local_id: progress.add(r.request_id or r.local_id, "waiting its turn") for r in records}
    started: set[str] = set()

    def update(rec: Any, status: Any) -> None:
        if rec.local_id not in started:  # its turn has come: its seconds count from now
            started.add(rec.local_id)
            progress.restart(lines[rec.local_id])
        progress.update(lines[rec.local_id], status)

    def downloading(rec: Any, written: int, total: int | None) -> None:
        progress.progress(lines[rec.local_id], written, total)

    with progress:
        for done in resuming.resume_jobs(
            client, records, timeout=timeout, on_update=update, on_progress=downloading
        ):
            progress.remove(lines[done.record.local_id])
            worst = _report_resumed(done, outcomes, worst)
    return worst


def _report_resumed(done: Any, outcomes: list[dict[str, Any]], worst: int) -> int:
    """Say what became of one resumed job (a line, and its JSON outcome); return the worst exit code yet."""
    from seedance.cli import render

    rec = done.record
    _note_in_manifest(done)
    if done.result is not None:
        outcomes.append(render.result_data(done.result, rec.estimated_cost_usd))
        OUT.info(f"{rec.request_id}: done" + (f", saved {done.result.path}" if done.result.path else ""))
    elif done.error is not None:
        worst = worst or done.error.exit_code
        outcomes.append({"ok": False, "request_id": rec.request_id, "error": done.error.to_dict()})
        OUT.info(f"{rec.request_id}: {done.error.message}")
    else:
        outcomes.append({"ok": False, "local_id": rec.local_id, "skipped": done.skipped})
        OUT.info(f"{rec.local_id}: skipped, {done.skipped}")
    return worst


def _note_in_manifest(done: Any) -> None:
    """A batch job finished by resume: its line in the batch's manifest.jsonl says so too (best effort)."""
    import contextlib
    from pathlib import Path

    from seedance.batch.manifest import update_manifest_row
    from seedance.errors import DownloadError, GenerationFailed

    record = done.record
    if not (record.batch_id and record.output_path and record.request_id):
        return
    if done.result is not None and done.result.path is not None:
        changes = {"status": "downloaded", "file": Path(done.result.path).name, "error": None}
    elif isinstance(done.error, GenerationFailed):
        changes = {"status": "failed", "error": done.error.message}
    elif isinstance(done.error, DownloadError):
        changes = {"status": "download_failed", "error": done.error.message}
    else:
        return
    with contextlib.suppress(OSError):
        update_manifest_row(Path(record.output_path).parent, record.request_id, **changes)
