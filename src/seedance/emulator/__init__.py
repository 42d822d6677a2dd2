"""A local Pixazo gateway for Seedance: same paths, headers, bodies and timing, real MP4 results, fault switches.

`start()` runs one in a thread and returns its handle; `seedance emulator` runs one in the foreground; the pytest
plugin `seedance.testing` gives tests an `emulator` fixture. Heavy modules load on first use of a name.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seedance.emulator.handle import EmulatorHandle
    from seedance.emulator.jobinfo import JobInfo
    from seedance.emulator.options import (
        Dialect,
        EmulatorOptions,
        FaultRule,
        parse_dialect_assignments,
        parse_fault_spec,
    )
    from seedance.emulator.records import RequestRecord
    from seedance.emulator.server import RunningEmulator, start

__all__ = [
    "Dialect",
    "EmulatorHandle",
    "EmulatorOptions",
    "FaultRule",
    "JobInfo",
    "RequestRecord",
    "RunningEmulator",
    "parse_dialect_assignments",
    "parse_fault_spec",
    "start",
]

_HOMES = {
    "Dialect": "options",
    "EmulatorOptions": "options",
    "FaultRule": "options",
    "parse_dialect_assignments": "options",
    "parse_fault_spec": "options",
    "EmulatorHandle": "handle",
    "JobInfo": "jobinfo",
    "RequestRecord": "records",
    "RunningEmulator": "server",
    "start": "server",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (starlette and uvicorn load only when needed)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
