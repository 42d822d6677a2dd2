"""What earlier runs of the same batch already did, read from the journal: what to skip, resume or submit.

A batch is its output folder: every run into the same `--out` on the same gateway is the same batch, however
the file was edited, moved or piped in between. A line is matched to earlier jobs by what it asks for (its
settings: prompt, model, inputs, duration, ...), not by its line number, so adding, removing or reordering
lines never resends one that was already paid for; a changed line is a new request and is sent.

A line whose job has a request id is never submitted again: it is polled and downloaded (or reported, if it
failed; `retry_failed` sends a failed line again, into the file name its failed job had). A line whose submit
has an unknown outcome is reported, never resent unless `resend_unknown` says the user checked. Otherwise only a line with no job, or whose jobs were all
refused by the gateway (nothing queued, e.g. a 429 or 402), is submitted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from seedance import bodies, jobs, media
from seedance.batch.cost import CostPlan
from seedance.batch.input import BatchFile, BatchLine
from seedance.batch.manifest import LineOutcome
from seedance.bounded import KIB, read_file
from seedance.errors import InputError
from seedance.journal import JobRecord, Journal
from seedance.states import JobState

RANK = {
    "downloaded": 0,
    "succeeded": 1,
    "running": 2,
    "queued": 2,
    "failed": 3,
    "unknown": 4,
    "submitting": 5,
}
"""Which of a line's jobs stands for it: the lowest rank (a saved video before a running job, ...)."""


@dataclass
class Prior:
    """The batch as the journal knows it."""

    done: list[LineOutcome] = field(default_factory=list)
    """Lines that need nothing more (downloaded) or must not be touched again (failed, unknown)."""
    to_resume: list[tuple[BatchLine, JobRecord]] = field(default_factory=list)
    """Lines submitted earlier and not finished: poll and download them."""
    to_submit: list[BatchLine] = field(default_factory=list)
    lines: list[BatchLine] = field(default_factory=list)
    """Every line, with the file name it will have (see read_prior)."""
    committed_usd: float = 0.0
    """What the cap counts as already spent by earlier runs (submitted or possibly submitted lines)."""
    retried: list[int] = field(default_factory=list)
    """Line numbers of lines sent again (`retry_failed`, `resend_unknown`): they are in `to_submit` too."""
    in_flight: dict[int, str] = field(default_factory=dict)
    """Lines in `done` whose submit another live run has on its way (not settled: no lock), with its job."""
    superseded: set[str] = field(default_factory=set)
    """Local ids of the earlier attempts of the lines sent again: they do not make such a line taken."""


def file_label(path: str | Path | None, out_dir: Path) -> str | None:
    """A file's name relative to the output folder (its full path when it lies elsewhere)."""
    if path is None:
        return None
    p = Path(path)
    return p.name if in_folder(p, out_dir) else str(p)


def in_folder(path: str | Path, out_dir: Path) -> bool:
    """Whether a file lies directly in the output folder, however either is spelled (`sub/../videos`, a
    symlink, /tmp or /private/tmp): a batch must recognise its own files to never overwrite one."""
    return Path(path).parent.resolve() == out_dir.resolve()


MARKER_NAME = ".seedance-batch"
"""A file in the output folder holding the batch's id: the folder stays the same batch when it is moved."""


def batch_id_for(out_dir: Path) -> str:
    """The batch's id: the one in the folder's marker (a moved folder stays its batch), else one from the
    folder's resolved path. A copied folder (its original, with the same marker, is still where the marker
    says) is a batch of its own: two folders never share an id, nor the one run at a time it stands for."""
    here = out_dir.expanduser().resolve()
    own = "batch-" + hashlib.sha256(str(here).encode()).hexdigest()[:16]
    written, where = _read_marker(here)
    if written is None:
        return own
    if where is not None and where != here and _read_marker(where)[0] == written:
        return own  # a copy: the original folder is still there and is that batch
    return written


def _read_marker(folder: Path) -> tuple[str | None, Path | None]:
    """The id and the folder a marker names (None, None without a usable marker)."""
    try:
        lines = read_file(folder / MARKER_NAME, 64 * KIB, "the batch marker").decode("utf-8").splitlines()
    except (InputError, UnicodeDecodeError):
        return None, None
    if not lines or not re.fullmatch(r"batch-[0-9a-f]{16}", lines[0].strip()):
        return None, None
    return lines[0].strip(), Path(lines[1].strip()) if len(lines) > 1 and lines[1].strip() else None


def mark_folder(out_dir: Path, batch_id: str) -> None:
    """Write the folder's marker (its batch id, and where the folder is), when it says anything else."""
    here = out_dir.expanduser().resolve()
    if _read_marker(here) != (batch_id, here):
        with contextlib.suppress(OSError):
            (here / MARKER_NAME).write_text(f"{batch_id}\n{here}\n", encoding="utf-8")


def own_file(record: JobRecord, out_dir: Path) -> Path | None:
    """The file in the output folder that is this job's: where it was recorded, or, after the folder was
    moved, the file of the same name and size in it. None when the job's file lies elsewhere."""
    if not record.output_path:
        return None
    recorded = Path(record.output_path)
    if in_folder(recorded, out_dir):
        return out_dir / recorded.name
    moved = out_dir / recorded.name
    if record.bytes_downloaded and moved.is_file() and moved.stat().st_size == record.bytes_downloaded:
        return moved
    return None


def repeats_elsewhere(
    journal: Journal, batch: BatchFile, lines: list[BatchLine], gateway: str | None
) -> list[tuple[BatchLine, JobRecord]]:
    """Lines about to be sent that another batch on this gateway already sent (the same request, not failed
    or refused): a renamed batch file, or a folder named anew, would otherwise pay for them again."""
    if not lines or gateway is None:
        return []
    earlier: dict[str, JobRecord] = {}
    for record in journal.jobs():
        if record.batch_id in (None, batch.batch_id) or not same_gateway(record, gateway):
            continue
        if record.state in (JobState.FAILED, JobState.REJECTED) or not (
            record.request_id or record.state == JobState.UNKNOWN
        ):
            continue
        earlier.setdefault(record_fingerprint(record), record)
    found = [(line, earlier.get(line_fingerprint(line))) for line in lines]
    return [(line, record) for line, record in found if record is not None]


def fingerprint(operation: str, body: object) -> str:
    """What a job asked for: its operation and the body sent, with media as type, size and sha256 (so a
    batch folder moved elsewhere, its images with it, still matches), as one comparable string."""
    return json.dumps([operation, body], sort_keys=True, ensure_ascii=False)


def line_fingerprint(line: BatchLine) -> str:
    """A line's fingerprint, as its job would be recorded once sent (media files are hashed, not sent)."""
    body = bodies.build_body(line.request, resolve=media.summary_url)  # already in the journal's summary form
    return fingerprint(line.request.op.name, body)


def record_fingerprint(record: JobRecord) -> str:
    """The fingerprint of a job the journal recorded."""
    return fingerprint(record.operation, json.loads(record.request_json))


def same_gateway(record: JobRecord, gateway: str | None) -> bool:
    """Whether a row was sent to this gateway. None is a gateway that just started (the in-process emulator)
    and knows no earlier job; a row from before gateways were recorded matches any gateway."""
    return gateway is not None and record.sent_to(gateway)


def read_prior(
    journal: Journal,
    batch: BatchFile,
    costs: CostPlan,
    out_dir: Path,
    gateway: str | None,
    *,
    locked: bool = True,
    retry_failed: bool = False,
    resend_unknown: bool = False,
) -> Prior:
    """Sort the batch's lines by what the journal says about earlier runs of this batch on this gateway.

    Runs on another gateway (a test run on the emulator before the real one) neither skip nor block a line.
    When the caller holds the batch's lock, a row still `submitting` was left by a run that died mid-request:
    it is settled as unknown (possibly queued, never resent). Without the lock (a dry run) it is only counted.
    Every line leaves with its file name: a line already sent keeps its job's file, and a new line never
    takes a name an earlier job (or any file) already has in the folder.
    """
    jobs.settle_orphans(journal)  # submits of processes that died mid-request become `unknown`
    records = journal.jobs(batch_id=batch.batch_id)
    slots = _earlier_lines(records, gateway)
    taken = _names_in_use(records, out_dir)
    prior = Prior()
    for line in batch.lines:
        attempts = _take_slot(slots, line_fingerprint(line), line.number) if slots else []
        candidates = [r for r in attempts if r.state in RANK]
        best = min(candidates, key=lambda r: RANK[r.state], default=None)
        if best is None:
            line = _with_free_name(line, taken)
            prior.lines.append(line)
            prior.to_submit.append(line)
            continue
        if own := own_file(best, out_dir):
            line = dataclasses.replace(line, name=own.name)  # the job's own file
        elif best.state not in (
            JobState.FAILED,
            JobState.UNKNOWN,
            JobState.SUBMITTING,
        ):  # its file was meant for elsewhere
            line = _with_free_name(line, taken)
        failed_again = best.state == JobState.FAILED and retry_failed and _generation_failed(best)
        unknown_again = best.state == JobState.UNKNOWN and resend_unknown and not best.request_id
        if failed_again or unknown_again:
            prior.committed_usd += costs.costs[line.number].cap_usd  # whether a failure is charged is unknown
            if (out_dir / line.name).exists():  # no video came of the failed job: the name is normally free
                line = _with_free_name(line, taken)
            prior.lines.append(line)
            prior.to_submit.append(line)
            prior.retried.append(line.number)
            prior.superseded.update(r.local_id for r in attempts)
            continue
        prior.lines.append(line)
        if best.state == JobState.SUBMITTING and locked:  # no other run holds the lock: its process is gone
            journal.mark_unknown(
                best.local_id, "the batch run submitting this line stopped before the gateway answered"
            )
            best = journal.get(best.local_id) or best
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
        saved = own_file(best, out_dir) or (Path(best.output_path) if best.output_path else None)
        if best.state == JobState.DOWNLOADED and saved is not None and saved.is_file():
            outcome.file = file_label(saved, out_dir)
            prior.done.append(outcome)
        elif best.state in (JobState.FAILED, JobState.UNKNOWN, JobState.SUBMITTING):
            prior.done.append(outcome)
            if best.state == JobState.SUBMITTING:
                prior.in_flight[line.number] = best.local_id
        else:
            prior.to_resume.append((line, best))
    return prior


def _generation_failed(record: JobRecord) -> bool:
    """Whether the gateway said the generation failed (FAILED, ERROR...): a job it merely forgot (a 404 on a
    later status check) may have succeeded and been charged, so --retry-failed leaves it alone."""
    from seedance.models import State
    from seedance.parsing import classify_status

    return bool(record.raw_status) and classify_status(record.raw_status or "") is State.FAILED


def _earlier_lines(records: list[JobRecord], gateway: str | None) -> dict[str, list[list[JobRecord]]]:
    """Earlier runs' jobs on this gateway, as lines: by what they asked for, each line's attempts together."""
    by_line: dict[tuple[str, int], list[JobRecord]] = {}
    for record in records:
        if record.batch_line is not None and same_gateway(record, gateway):
            by_line.setdefault((record_fingerprint(record), record.batch_line), []).append(record)
    slots: dict[str, list[list[JobRecord]]] = {}
    for (asked, _number), attempts in sorted(by_line.items(), key=lambda item: item[0][1]):
        slots.setdefault(asked, []).append(attempts)
    return slots


def _names_in_use(records: list[JobRecord], out_dir: Path) -> set[str]:
    """File names a new line must not take: every file in the folder, and every file a sent job will write."""
    taken = {p.name.casefold() for p in out_dir.iterdir()} if out_dir.is_dir() else set()
    for record in records:
        sent = record.request_id or record.state in (JobState.UNKNOWN, JobState.SUBMITTING)
        if sent and (own := own_file(record, out_dir)) is not None:
            taken.add(own.name.casefold())
    return taken


def _with_free_name(line: BatchLine, taken: set[str]) -> BatchLine:
    """The line, renamed `0007-a-cat-2.mp4` (-3, ...) if its name is taken; the name is then taken."""
    name, stem, n = line.name, line.name.removesuffix(".mp4"), 1
    while name.casefold() in taken:  # case-insensitive: on macOS and Windows A.mp4 is a.mp4
        n += 1
        name = f"{stem}-{n}.mp4"
    taken.add(name.casefold())
    return line if name == line.name else dataclasses.replace(line, name=name)


def _take_slot(slots: dict[str, list[list[JobRecord]]], asked: str, number: int) -> list[JobRecord]:
    """The earlier line this line continues: the same request, at the same line number if there is one
    (so identical lines keep their own jobs), else the first left. Each earlier line is used once."""
    candidates = slots.get(asked)
    if not candidates:
        return []
    for index, attempts in enumerate(candidates):
        if attempts[0].batch_line == number:
            return candidates.pop(index)
    return candidates.pop(0)
