"""`seedance models`: the 11 operations, from the catalog (imports nothing heavy)."""

from __future__ import annotations

from typing import Any

import click

from seedance.cli.common import json_option
from seedance.cli.output import OUT


@click.command(short_help="List models and operations.")
@json_option
def models(as_json: bool) -> None:
    """List the Seedance models and their operations, with the skill's apiId/operationId and gateway path."""
    from seedance.catalog import MODELS, OPERATIONS

    rows: list[dict[str, Any]] = [
        {
            "model": op.model,
            "operation": op.kind.value,
            "title": op.title,
            "api_id": op.model_info.api_id,
            "operation_id": op.operation_id,
            "path": op.path,
            "ratios": list(op.ratios),
            "resolutions": list(op.model_info.resolutions),
            "duration": [op.model_info.min_duration, op.model_info.max_duration],
        }
        for op in OPERATIONS
    ]
    if OUT.json:
        OUT.emit({"ok": True, "models": list(MODELS), "operations": rows})
        return
    width = max(len(r["title"]) for r in rows)
    lines = [f"{'operation'.ljust(width)}  {'-m'.ljust(8)}  path"]
    lines += [f"{r['title'].ljust(width)}  {r['model'].ljust(8)}  {r['path']}" for r in rows]
    click.echo("\n".join(lines))
