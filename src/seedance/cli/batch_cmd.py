"""`seedance batch FILE`: many videos from a JSONL or CSV file, checked, priced and resumable."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from seedance.cli.common import check_poll_interval, gateway_options, json_option
from seedance.cli.output import OUT

if TYPE_CHECKING:
    from seedance.batch.cost import CostPlan
    from seedance.batch.input import BatchFile


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """Refuse nan and inf: a cap that compares false with everything would be no cap at all."""
    import math

    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not an amount of dollars; give a number such as 20")
    return value


@click.command(short_help="Generate many videos from a JSONL or CSV file.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-c", "--concurrency", type=click.IntRange(1, 500), default=8, show_default=True,
              help="Jobs in flight at once (submitting, running or downloading).")  # fmt: skip
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the videos and manifest.jsonl (default: beside FILE, jobs.jsonl -> jobs-videos, "
                   "jobs.csv -> jobs-csv-videos).")  # fmt: skip
@click.option("--max-cost", type=click.FloatRange(min=0), metavar="USD", callback=_finite,
              help="Never submit more than this in estimates; later lines are left out (skipped_cost_cap).")  # fmt: skip
@click.option("-y", "--yes", is_flag=True, help="Do not ask before a batch estimated over $10.")
@click.option("--skip-invalid", is_flag=True, help="Run the valid lines even if some lines are invalid.")
@click.option("--again", is_flag=True,
              help="Send lines that another batch already generated (renamed file, new --out): paid again.")  # fmt: skip
@click.option("--resend-unknown", is_flag=True,
              help="Send again the lines whose submit outcome was unknown: only once your dashboard shows no "
                   "such job (if it was queued, this pays twice).")  # fmt: skip
@click.option("--retry-failed", is_flag=True,
              help="Send again the lines whose job failed in an earlier run (each one is paid for again).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Check every line and print the estimate; send nothing.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None,
              help="Seconds to wait for each job (a rerun picks up the ones still running). Default: from "
                   "the longest line's model and duration, at least 600.")  # fmt: skip
@click.option("--patience", type=click.FloatRange(min=1), default=600, show_default=True, metavar="SECONDS",
              help="Stop submitting after this long with every submit answered 429 (exit 5; rerun later).")  # fmt: skip
@gateway_options
@json_option
def batch(
    file: Path,
    concurrency: int,
    out_dir: Path | None,
    max_cost: float | None,
    yes: bool,
    skip_invalid: bool,
    again: bool,
    resend_unknown: bool,
    retry_failed: bool,
    dry_run: bool,
    timeout: float | None,
    patience: float,
    base_url: str | None,
    api_key: str | None,
    poll_interval: float | None,
    emulator: bool,
    as_json: bool,
) -> None:
    """Generate one video per line of FILE (JSONL, CSV with a header, or a .txt of one prompt per line).

    \b
    Each line has the fields of `seedance generate`: prompt, model, duration, ratio, resolution,
    first_frame, last_frame, ref_images, ref_videos, ref_audios (or refs), edit_video, generate_audio...
    Every line is checked before anything is sent. Videos are named from the line number and the prompt
    (0007-a-cat-walking.mp4); manifest.jsonl maps each line to its file, status and request id.
    Run the same command again after an interruption: finished jobs are kept, running ones are resumed,
    nothing is submitted twice. The output folder is the batch: lines are matched to earlier runs by what
    they ask for, so an edited file only sends its new or changed lines. One run per folder at a time;
    with a journal on a server (SEEDANCE_JOURNAL=postgresql://...), runs of the same FILE and --out on
    several machines share the lines, each line sent once (docs/batch.md).

    \b
    Examples:
      seedance batch prompts.jsonl --out videos --max-cost 20
      seedance batch prompts.csv --concurrency 4 --json
    """
    from seedance import config
    from seedance.batch.cost import plan_costs
    from seedance.batch.input import read_batch
    from seedance.batch.lock import BatchLock
    from seedance.batch.manifest import MANIFEST_NAME
    from seedance.batch.prior import batch_id_for, mark_folder
    from seedance.errors import InputError
    from seedance.jobs import user_journal

    content = None
    if str(file) == "-" or (file.exists() and not file.is_file()):  # standard input, a pipe, /dev/stdin
        if out_dir is None:
            raise InputError(
                f"a batch read from {'standard input' if str(file) == '-' else file} needs --out DIR for its videos",
                hint="add --out DIR (the folder is the batch: give the same one to finish it later)",
            )
        if str(file) == "-":
            from seedance.batch.input import MAX_BATCH_BYTES, MAX_LINE_BYTES
            from seedance.bounded import read_stream

            content = read_stream(
                sys.stdin.buffer, MAX_BATCH_BYTES, "standard input", line_limit=MAX_LINE_BYTES
            )
            file = Path.cwd() / "stdin"
    out = config.expand_home(out_dir or default_folder(file)).resolve()  # one spelling per folder
    if (out / MANIFEST_NAME).resolve() == file.resolve():
        raise InputError(
            f"{file} is the manifest this batch would write", hint="give the batch another --out folder"
        )
    batch_file = read_batch(file, batch_id_for(out), content)
    OUT.context.update(
        type="error", batch_id=batch_file.batch_id, file=str(file)
    )  # every JSON line has a type
    OUT.context["emulator"] = emulator  # free work: said so in the estimate and the summary
    _check_problems(batch_file, skip_invalid)
    costs = plan_costs(batch_file.lines)
    journal = user_journal()
    gateway = config.LOCAL_EMULATOR if emulator else config.base_url(base_url)
    check_poll_interval(poll_interval, base_url, emulator)
    lock = BatchLock(out)  # held until this command returns (the OS drops it if the process dies)
    if not dry_run and not emulator and api_key is None:
        from seedance import auth

        api_key = auth.resolve_key(None).key  # no key: stop before the folder is made, not after
    if not dry_run:
        _usable_folder(out)  # before anything is paid for, not when the first video arrives
        mark_folder(out, batch_file.batch_id)  # moved elsewhere, the folder stays this batch
        if journal.shared:  # many workers (machines) run this batch: claims on its lines replace the lock
            OUT.context["shared_journal"] = journal.where
        elif not lock.acquire():
            OUT.info(f"warning: {lock.problem}; do not run this batch twice at once")
    try:
        _plan_and_run(batch_file, costs, journal, out, gateway, lock, dry_run=dry_run, as_json=as_json,
                      retry_failed=retry_failed, resend_unknown=resend_unknown, again=again,
                      max_cost=max_cost, yes=yes, concurrency=concurrency, timeout=timeout, patience=patience,
                      base_url=base_url, api_key=api_key, poll_interval=poll_interval, emulator=emulator)  # fmt: skip
    finally:
        lock.release()


def _plan_and_run(batch_file: BatchFile, costs: CostPlan, journal: Any, out: Path, gateway: str | None,
                  lock: Any, *, dry_run: bool, as_json: bool, retry_failed: bool, resend_unknown: bool, again: bool,
                  max_cost: float | None, yes: bool, concurrency: int,
                  timeout: float | None, patience: float, base_url: str | None, api_key: str | None,
                  poll_interval: float | None, emulator: bool) -> None:  # fmt: skip
    """Sort the lines by what earlier runs did, print the plan and the estimate, ask if costly, and run."""
    import dataclasses

    from seedance.batch.prior import read_prior, repeats_elsewhere
    from seedance.errors import InputError

    prior = read_prior(journal, batch_file, costs, out, gateway, locked=lock.held, retry_failed=retry_failed,
                       resend_unknown=resend_unknown)  # fmt: skip
    batch_file = dataclasses.replace(batch_file, lines=prior.lines)  # with the file names they will have
    numbers = [line.number for line in prior.to_submit]
    repeats = repeats_elsewhere(journal, batch_file, [n for n in prior.to_submit if n.number not in prior.retried],
                                gateway)  # fmt: skip
    if repeats and not again:
        _refuse_repeats(repeats, dry_run=dry_run)
    done_before = len(prior.done) + len(prior.to_resume)
    OUT.info(
        f"{batch_file.path}: {len(batch_file.lines)} job(s), batch {batch_file.batch_id}"
        + (f"; {done_before} already submitted by an earlier run" if done_before else "")
        + (f"; {len(prior.retried)} line(s) to send again" if prior.retried else "")
    )
    estimate = costs.describe(numbers)
    if emulator:
        estimate = f"free on the emulator (on the gateway: {estimate})"
    OUT.info(estimate + (f"; cap --max-cost ${max_cost:.2f}" if max_cost is not None else ""))
    if dry_run:
        if as_json:
            OUT.emit({"type": "summary", "ok": True, "dry_run": True, "batch_id": batch_file.batch_id,
                      "jobs": len(batch_file.lines), "to_submit": len(numbers), "retried": len(prior.retried),
                      "estimated_cost_usd": costs.total(numbers), "unknown_price_jobs": len(costs.unknown(numbers)),
                      "invalid_lines": len(batch_file.problems)})  # fmt: skip
        return
    _consent(costs, numbers, max_cost, yes or emulator)  # emulator work is free: nothing to confirm
    if not batch_file.lines:
        raise InputError("no valid line to run", hint="fix the lines reported above")
    if timeout is None:  # long enough for the slowest line (a 30 s 2.5 clip takes minutes more than 600 s)
        from seedance.polling import timeout_for

        timeout = max(timeout_for(line.request.model_info, line.request.effective_duration())
                      for line in batch_file.lines)  # fmt: skip
    from seedance.cli.batch_run import run_batch

    run_batch(batch_file, costs, prior, out, journal, concurrency, max_cost, timeout, patience,
         base_url, api_key, poll_interval, emulator)  # fmt: skip


def _refuse_repeats(repeats: list[tuple[Any, Any]], *, dry_run: bool) -> None:
    """Lines another batch already paid for: name that batch's folder and stop (a dry run only says so)."""
    from seedance.errors import InputError

    line, record = repeats[0]
    folder = Path(record.output_path).parent if record.output_path else None
    where = f" (its videos: {folder})" if folder else ""
    message = (
        f"{len(repeats)} line(s) were already generated by another batch{where}, e.g. line {line.number} "
        f"as job {record.local_id}"
    )
    hint = (f"to finish that batch instead, pass --out {folder}; " if folder else "") + (
        "to pay for them again, pass --again"
    )
    if dry_run:
        OUT.info(f"warning: {message}; a run would stop here")
        OUT.info(f"hint: {hint}")
        return
    OUT.context["repeated_lines"] = [n.number for n, _ in repeats]
    raise InputError(message + "; nothing was sent", hint=hint)


def _usable_folder(out: Path) -> None:
    """Create the output folder and prove it takes files, or say why not in one line (exit 2)."""
    from seedance.cli.common import make_writable_folder
    from seedance.errors import InputError

    try:
        make_writable_folder(out)
    except OSError as exc:
        raise InputError(
            f"cannot write the videos into {out}: {exc.strerror or exc}", hint="choose another --out folder"
        ) from None


def _check_problems(batch_file: BatchFile, skip_invalid: bool) -> None:
    from seedance.errors import InputError

    problems = batch_file.problems
    if not problems:
        return
    for problem in problems:
        OUT.info(f"{batch_file.path}:{problem.number}: {problem.message}")
    if skip_invalid:
        OUT.info(f"skipping {len(problems)} invalid line(s) (--skip-invalid)")
        return
    OUT.context["invalid_lines"] = [{"line": p.number, "error": p.message} for p in problems]
    first = problems[0]
    raise InputError(
        f"{len(problems)} invalid line(s) in {batch_file.path}; line {first.number}: {first.message}; "
        "nothing was sent",
        hint="fix the lines above, or pass --skip-invalid to run only the valid ones",
    )


def default_folder(file: Path) -> Path:
    """The batch's folder when --out is not given: beside the file, named after it. A JSONL file's is
    `<stem>-videos`; any other kind says its kind (`prompts-csv-videos`, `prompts-txt-videos`), so that two
    files of one stem are two batches, never one folder, one batch id and one manifest rewritten by each."""
    kind = file.suffix.lower().lstrip(".")
    tag = "" if kind in ("jsonl", "") else f"-{kind}"
    return file.parent / f"{file.stem}{tag}-videos"


def _consent(costs: CostPlan, numbers: list[int], max_cost: float | None, yes: bool) -> None:
    """A costly batch needs a yes: asked on a terminal, else --yes or --max-cost; nothing is sent before."""
    from seedance.batch.cost import CONFIRM_ABOVE_USD
    from seedance.errors import InputError

    total = costs.conservative_total(numbers)
    if total <= CONFIRM_ABOVE_USD or yes or max_cost is not None:
        return
    if sys.stdin.isatty() and sys.stderr.isatty() and not OUT.json:
        if click.confirm(f"Submit {len(numbers)} job(s) for about ${total:.2f}?", default=False, err=True):
            return
        raise InputError("not confirmed; nothing was sent", hint="pass --max-cost USD to cap the spend")
    raise InputError(
        f"this batch is estimated at ${total:.2f} (over ${CONFIRM_ABOVE_USD:.0f}) and there is no terminal to "
        "confirm on; nothing was sent",
        hint="pass --yes to confirm, or --max-cost USD to cap what it may spend",
    )
