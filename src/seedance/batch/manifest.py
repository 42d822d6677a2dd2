"""What became of each line: the outcome records, their JSON form, and `manifest.jsonl` in the output folder."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from seedance.bounded import MIB, read_file
from seedance.errors import InputError

MAX_MANIFEST_BYTES = 256 * MIB
"""A manifest is read back (to mark a resumed line) only up to this size."""

MANIFEST_NAME = "manifest.jsonl"

OK_STATUSES = frozenset({"downloaded", "skipped_cost_cap", "invalid"})
"""Statuses that are not a problem: the video is there, or the user asked to leave the line out."""

EXIT_PRIORITY = ("unknown", "timeout", "download_failed", "failed", "rejected", "pending", "not_submitted")
"""When lines went wrong, the batch exits with the code of the first status here that occurred."""
STATUS_EXIT = {
    "unknown": 7,
    "timeout": 9,
    "download_failed": 10,
    "failed": 8,
    "rejected": 6,
    "pending": 9,
    "not_submitted": 7,
}


@dataclass
class LineOutcome:
    """One line's fate.

    status: `downloaded`, `failed` (the generation failed), `unknown` (the submit's outcome is unknown: never
    resent, check the dashboard), `rejected` (the gateway refused it: nothing queued), `invalid` (skipped with
    --skip-invalid), `skipped_cost_cap` (left unsubmitted by --max-cost), `not_submitted` (the batch stopped
    before it), `timeout` / `pending` (still running when we stopped: `seedance batch FILE` or
    `seedance resume` finishes it), `download_failed` (the job succeeded; run the batch again).
    """

    line: int
    status: str
    prompt: str | None = None
    file: str | None = None
    """The video's file name inside the output folder."""
    request_id: str | None = None
    estimated_cost_usd: float | None = None
    error: str | None = None
    resumed: bool = False
    """Whether an earlier run of the batch had already submitted it."""

    @property
    def ok(self) -> bool:
        """Whether this line needs no attention."""
        return self.status in OK_STATUSES

    def to_json(self) -> dict[str, Any]:
        """The manifest row."""
        return {"ok": self.ok, **asdict(self)}


def write_manifest(folder: Path, outcomes: list[LineOutcome]) -> Path:
    """Write (atomically replace) `manifest.jsonl`: one row per input line, in line order."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MANIFEST_NAME
    _write_rows(path, [outcome.to_json() for outcome in sorted(outcomes, key=lambda o: o.line)])
    return path


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Replace the manifest atomically: a reader sees the old rows or the new ones, never half."""
    tmp = path.with_name(f".{MANIFEST_NAME}.{os.getpid()}.tmp")
    tmp.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    tmp.replace(path)


def exit_code(outcomes: list[LineOutcome]) -> int:
    """0 when every line is fine; else the code of the most serious problem (see EXIT_PRIORITY)."""
    seen = {o.status for o in outcomes if not o.ok}
    for status in EXIT_PRIORITY:
        if status in seen:
            return STATUS_EXIT[status]
    return 0


def update_manifest_row(folder: Path, request_id: str, **changes: Any) -> bool:
    """Set fields of the manifest row of one job (found by its request id), e.g. after `seedance resume`
    finished it; return whether a row was changed. A folder without a manifest, or a row not found: False."""
    path = folder / MANIFEST_NAME
    try:
        text = read_file(path, MAX_MANIFEST_BYTES, "the manifest").decode("utf-8")
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (InputError, ValueError, RecursionError):
        return False
    changed = False
    for row in rows:
        if isinstance(row, dict) and row.get("request_id") == request_id:
            row.update(changes)
            row["ok"] = row.get("status") in OK_STATUSES
            changed = True
    if changed:
        _write_rows(path, rows)
    return changed
