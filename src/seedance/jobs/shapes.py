"""The JSON shapes of a finished job and of a journal row, once, for every interface (the CLI's `--json`,
the MCP tools' answers); each interface adds only its own envelope (`ok`, its answer kind, costs shown)."""

from __future__ import annotations

from typing import Any

from seedance.job_record import JobRecord
from seedance.models import Result
from seedance.states import JobState


def result_fields(result: Result) -> dict[str, Any]:
    """A finished job: its ids, the gateway's last word, the video and where it was saved."""
    return {
        "request_id": result.request_id,
        "local_id": result.local_id,
        "operation": result.operation,
        "state": (JobState.DOWNLOADED if result.path else JobState.SUCCEEDED).value,
        "raw_status": result.status.raw_status,
        "video_url": result.video_url,
        "file": str(result.path) if result.path else None,
        "size_bytes": result.size_bytes,
        "sha256": result.sha256,
        "elapsed_s": result.elapsed_s,
        "warnings": result.warnings,
    }


def record_fields(record: JobRecord) -> dict[str, Any]:
    """A journal row. Emulator work is free: never shown as charged or costing anything."""
    return {
        "local_id": record.local_id,
        "request_id": record.request_id,
        "created_at": record.created_at,
        "model": record.model,
        "operation": record.operation,
        "state": record.state.value,
        "status": record.raw_status,
        "prompt": record.prompt,
        "file": record.output_path if record.state == JobState.DOWNLOADED else None,
        "video_url": record.video_url,
        "error": record.error,
        "estimated_cost_usd": 0.0 if record.emulated else record.estimated_cost_usd,
        "charged": False if record.emulated else record.charged,
        "emulated": record.emulated,
        "batch_id": record.batch_id,
        "batch_line": record.batch_line,
        "user": record.user_name,
        "host": record.host,
    }
