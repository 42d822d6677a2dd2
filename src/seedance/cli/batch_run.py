"""The running part of `seedance batch`: the jobs, the live counts, Ctrl-C, and the summary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedance.cli.output import EXIT_INTERRUPTED, OUT

if TYPE_CHECKING:
    from seedance.batch.cost import CostPlan
    from seedance.batch.input import BatchFile


def run_batch(batch_file: BatchFile, costs: CostPlan, prior: Any, out: Path, journal: Any, concurrency: int,
         max_cost: float | None, timeout: float, patience: float, base_url: str | None, api_key: str | None,
         poll_interval: float | None, emulator: bool) -> None:  # fmt: skip
    import asyncio
    import time

    from seedance import auth
    from seedance.batch.manifest import LineOutcome, exit_code, write_manifest
    from seedance.batch.pacing import SubmitPacer
    from seedance.batch.progress import BatchProgress
    from seedance.batch.runner import BatchRunner, RunOptions, make_client

    running = None
    if emulator:
        from seedance.cli.common import EMULATOR_POLL_INTERVAL, start_flag_emulator

        running = start_flag_emulator()
        base_url, api_key = running.base_url, running.api_key
        poll_interval = EMULATOR_POLL_INTERVAL if poll_interval is None else poll_interval
    if api_key is None:
        api_key = auth.resolve_key(None).key
    total = len(batch_file.lines) + len(batch_file.problems)
    progress = BatchProgress(total, live=sys.stderr.isatty(), as_json=OUT.json, emit=OUT.emit, info=OUT.info)
    if journal.shared:  # the account's pace lives in the shared journal: every machine keeps one schedule
        from seedance import config
        from seedance.batch.pace_journal import JournalPaceRecord

        pacer = SubmitPacer(JournalPaceRecord.for_account(journal, config.base_url(base_url), api_key))
    else:
        pacer = SubmitPacer.for_account(base_url, api_key)  # shares the account's limit with other runs
    options = RunOptions(
        out_dir=out, concurrency=concurrency, max_cost=max_cost, timeout=timeout, patience=patience
    )
    holder: dict[str, BatchRunner] = {}
    started = time.monotonic()

    def counts() -> dict[str, int]:
        # The same words as the summary: a line left out (by the cap, or invalid) is skipped, not done.
        r = holder["runner"]
        finished = list(r.outcomes.values())
        done = sum(1 for o in finished if o.status == "downloaded")
        skipped = sum(1 for o in finished if o.status in ("skipped_cost_cap", "invalid"))
        skipped += len(batch_file.problems)
        return {"done": done, "skipped": skipped, "failed": len(finished) - done - skipped + len(batch_file.problems),
                "running": r.in_flight, "queued": len(r.pending)}  # fmt: skip

    async def main() -> list[LineOutcome]:
        client = make_client(base_url=base_url, api_key=api_key, poll_interval=poll_interval,
                             journal=journal, pacer=pacer)  # fmt: skip
        async with client:
            runner = BatchRunner(client, batch_file, costs, prior, options, pacer, progress.finished)
            holder["runner"] = runner
            ticker = asyncio.create_task(progress.tick(counts))
            try:
                return await runner.run()
            finally:
                ticker.cancel()
                progress.refresh(counts())  # the last frame says what the summary says

    invalid = [LineOutcome(p.number, "invalid", p.prompt, error=p.message) for p in batch_file.problems]
    try:
        outcomes = asyncio.run(main())
    except KeyboardInterrupt:
        progress.stop()
        runner = holder.get("runner")
        seen = dict(runner.outcomes) if runner else {}
        sent = runner.sent if runner else {}
        in_flight = (runner.submitting | runner.cut_off) if runner else set()
        left = [
            _left_at_interrupt(n, sent, in_flight, costs) for n in batch_file.lines if n.number not in seen
        ]
        path = write_manifest(out, [*seen.values(), *left, *invalid])
        rerun = OUT.command_line() if OUT.argv else f"seedance batch {batch_file.path}"
        again = f"run `{rerun}` again to finish (nothing is submitted twice)"
        if OUT.json:
            by_status = _counts([*seen.values(), *left, *invalid])
            OUT.emit({"type": "summary", "ok": False, "batch_id": batch_file.batch_id, "counts": by_status,
                      "out_dir": str(out), "manifest": str(path),
                      "error": {"type": "Interrupted", "message": "interrupted", "hint": again,
                                "exit_code": EXIT_INTERRUPTED}})  # fmt: skip
        OUT.info(f"interrupted; manifest: {path}")
        OUT.info(f"hint: {again}")
        sys.exit(EXIT_INTERRUPTED)
    finally:
        progress.stop()
        if running is not None:
            running.stop()
    all_outcomes = [*outcomes, *invalid]
    manifest = write_manifest(out, all_outcomes)
    runner = holder["runner"]
    _summary(runner, all_outcomes, manifest, time.monotonic() - started)
    if runner.fatal is not None:  # a bad key, no credits, a 429 that never ends: its own exit code and hint
        if not OUT.json:
            OUT.info(f"error: {runner.fatal.message}")
            OUT.info(f"hint: {runner.fatal.remedy}")
        sys.exit(runner.fatal.exit_code)
    code = exit_code(all_outcomes)
    if code:
        sys.exit(code)


def _left_at_interrupt(line: Any, sent: dict[int, str], in_flight: set[int], costs: CostPlan) -> Any:
    """A line the run had not finished when interrupted: running (with its job), mid-submit, or unsent."""
    from seedance.batch.manifest import LineOutcome

    usd = costs.costs[line.number].usd
    prompt = line.request.prompt
    if line.number in sent:
        return LineOutcome(
            line.number, "pending", prompt, request_id=sent[line.number], estimated_cost_usd=usd
        )
    if line.number in in_flight:
        return LineOutcome(line.number, "unknown", prompt, estimated_cost_usd=usd,
                           error="interrupted while its submit was on its way: it may have been queued")  # fmt: skip
    return LineOutcome(line.number, "not_submitted", prompt, error="interrupted before it was sent")


def _counts(outcomes: list[Any]) -> dict[str, int]:
    """How many lines ended in each status."""
    from collections import Counter

    return dict(Counter(outcome.status for outcome in outcomes))


def _summary(runner: Any, outcomes: list[Any], manifest: Path, elapsed: float) -> None:
    by_status = _counts(outcomes)
    submitted = [o for o in outcomes if o.request_id or o.status == "unknown"]
    emulated = bool(OUT.context.get("emulator"))  # free work: no spend to report
    spent = 0.0 if emulated else round(sum(o.estimated_cost_usd or 0.0 for o in submitted), 4)
    mine = [
        o for o in submitted if not o.resumed and o.line not in runner.from_others
    ]  # others' spend is theirs
    this_run = 0.0 if emulated else round(sum(o.estimated_cost_usd or 0.0 for o in mine), 4)
    unpriced = sum(1 for o in submitted if o.estimated_cost_usd is None)  # e.g. 2.5: no published price
    for warning in runner.warnings:
        OUT.info(f"warning: {warning}")
    unknown = by_status.get("unknown", 0)
    if unknown:
        OUT.info(f"warning: {unknown} submit(s) with unknown outcome were not resent: check your dashboard; if it "
                 "shows no such job, `--resend-unknown` sends them again")  # fmt: skip
    if OUT.json:
        error = runner.fatal.to_dict() if runner.fatal is not None else None
        OUT.emit({"type": "summary", "ok": all(o.ok for o in outcomes) and error is None,
                  "batch_id": runner.batch.batch_id, "counts": by_status, "elapsed_s": round(elapsed, 3),
                  "estimated_cost_usd": spent, "estimated_cost_this_run_usd": this_run,
                  "unknown_price_jobs": unpriced,
                  "out_dir": str(runner.options.out_dir), "manifest": str(manifest),
                  "rate_limited": runner.pacer.rate_limited, "status_checks": runner.poller.checks,
                  "worker": runner.claims.worker, "submitted_here": len(runner.submitted_here),
                  "error": error, **({"emulated": True} if emulated else {})})  # fmt: skip
        return
    parts = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
    extra = f" plus {unpriced} job(s) of unknown price" if unpriced else ""
    spend = (
        "free (emulated)"
        if emulated
        else f"estimated spend ${this_run:.2f} this run"
        + (f" (${spent:.2f} with earlier runs)" if spent != this_run else "")
        + extra
    )
    OUT.info(f"batch {runner.batch.batch_id}: {parts} in {elapsed:.1f} s; {spend}")
    OUT.info(f"videos in {runner.options.out_dir}; manifest: {manifest}")
    failed = by_status.get("failed", 0)
    if failed:
        OUT.info(f"hint: {failed} generation(s) failed (see the manifest's errors); `seedance batch "
                 f"{runner.batch.path} --out {runner.options.out_dir} --retry-failed` sends them again, "
                 "paid again")  # fmt: skip
