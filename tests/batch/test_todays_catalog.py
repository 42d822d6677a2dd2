"""Batch lines for today's operations: a 2.0 Mini line and a 2.5 extension line (`extend_video`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from contract import reference as ref

from .conftest import Run, write_jsonl


def test_mini_and_extend_lines_send_the_reference_bodies(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Each line goes to its reference path with its reference body; the extension's field is extend_video."""
    emulator.configure(job_seconds=0.05, fps=4)
    mini_fields, mini_body = ref.SAMPLES[("2.0-mini", "first-last-frame")]
    extend_fields, extend_body = ref.SAMPLES[("2.5", "extend")]
    path = write_jsonl(
        tmp_path / "jobs.jsonl", [{"model": "2.0-mini", **mini_fields}, {"model": "2.5", **extend_fields}]
    )
    run = seedance("batch", str(path), "--yes", "--json", "--concurrency", "1")
    assert run.code == 0, run.stderr
    sent = {r.path: r.json for r in emulator.submits}
    assert sent == {
        ref.PATHS[("2.0-mini", "first-last-frame")]: mini_body,
        ref.PATHS[("2.5", "extend")]: extend_body,
    }
    summary = run.json_lines()[-1]
    assert summary["unknown_price_jobs"] == 2  # neither price is published
