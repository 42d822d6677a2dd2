"""What earlier runs of the same batch already did, read from the journal: what to skip, resume or submit.

A line whose row has a request id is never submitted again: it is polled and downloaded (or reported, if it
failed). A line whose submit has an unknown outcome is reported, never resent. Only a line with no row, or
whose rows were all refused by the gateway (nothing queued, e.g. a 429 or 402), is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from seedance.batch.cost import CostPlan
from seedance.batch.input import BatchFile, BatchLine
from seedance.batch.manifest import LineOutcome
from seedance.errors import InputError
from seedance.journal import JobRecord, Journal

_RANK = {
    "downloaded": 0,
    "succeeded": 1,
    "running": 2,
    "queued": 2,
    "failed": 3,
    "unknown": 4,
    "submitting": 5,
}


@dataclass
class Prior:
    """The batch as the journal knows it."""

    done: list[LineOutcome] = field(default_factory=list)
    """Lines that need nothing more (downloaded) or must not be touched again (failed, unknown)."""
    to_resume: list[tuple[BatchLine, JobRecord]] = field(default_factory=list)
    """Lines submitted earlier and not finished: poll and download them."""
    to_submit: list[BatchLine] = field(default_factory=list)
    committed_usd: float = 0.0
    """What the cap counts as already spent by earlier runs (submitted or possibly submitted lines)."""


def file_label(path: str | Path | None, out_dir: Path) -> str | None:
    """A file's name relative to the output folder (its full path when it lies elsewhere)."""
    if path is None:
        return None
    p = Path(path)
    try:
        return str(p.relative_to(out_dir))
    except ValueError:
        return str(p)


def same_gateway(record: JobRecord, gateway: str | None) -> bool:
    """Whether a row was sent to this gateway. None is a gateway that just started (the in-process emulator)
    and knows no earlier job; a row from before gateways were recorded matches any gateway."""
    if gateway is None:
        return False
    return record.gateway is None or record.gateway.rstrip("/") == gateway.rstrip("/")


def read_prior(
    journal: Journal, batch: BatchFile, costs: CostPlan, out_dir: Path, gateway: str | None
) -> Prior:
    """Sort the batch's lines by what the journal says about the runs of this batch on this gateway.

    Runs on another gateway (a test run on the emulator before the real one) neither skip nor block a line.
    """
    journal.unfinished()  # marks submits of processes that died mid-request as `unknown`
    rows: dict[int, list[JobRecord]] = {}
    for record in journal.jobs(batch_id=batch.batch_id):
        if record.batch_line is not None and same_gateway(record, gateway):
            rows.setdefault(record.batch_line, []).append(record)
    prior = Prior()
    for line in batch.lines:
        candidates = [r for r in rows.get(line.number, []) if r.state in _RANK]
        best = min(candidates, key=lambda r: _RANK[r.state], default=None)
        if best is None:
            prior.to_submit.append(line)
            continue
        if best.state == "submitting":
            raise InputError(
                f"line {line.number} of this batch is being submitted right now by process {best.pid}",
                hint="let that run finish (or stop it), then run the batch again",
            )
        prior.committed_usd += costs.costs[line.number].cap_usd
        outcome = LineOutcome(
            line.number,
            best.state,
            line.request.prompt,
            request_id=best.request_id,
            estimated_cost_usd=costs.costs[line.number].usd,
            error=best.error,
            resumed=True,
        )
        if best.state == "downloaded" and best.output_path and Path(best.output_path).is_file():
            outcome.file = file_label(best.output_path, out_dir)
            prior.done.append(outcome)
        elif best.state in ("failed", "unknown"):
            prior.done.append(outcome)
        else:
            prior.to_resume.append((line, best))
    return prior
