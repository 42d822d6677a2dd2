"""The operation table for `seedance models`, printed without click (the entry point calls it directly)."""

from __future__ import annotations

from seedance.cli.output import OUT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def render_models(as_json: bool) -> None:
    """Print the operation table (or JSON); needs no click, so the entry point can call it directly."""
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
    if as_json:
        OUT.emit({"ok": True, "models": list(MODELS), "operations": rows})
        return
    width = max(len(r["title"]) for r in rows)
    lines = [f"{'operation'.ljust(width)}  {'-m'.ljust(8)}  path"]
    lines += [f"{r['title'].ljust(width)}  {r['model'].ljust(8)}  {r['path']}" for r in rows]
    print("\n".join(lines))
