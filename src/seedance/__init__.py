"""seedance: generate videos with ByteDance Seedance through the Pixazo gateway.

    >>> import seedance
    >>> with seedance.Client() as client:                                # doctest: +SKIP
    ...     result = client.generate({"prompt": "A cat walking on the beach"}, "cat.mp4")

The names below are the public surface; everything else is private, whatever its module is called.
Heavy modules load on first use, so `import seedance` stays cheap for the command line.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not imported from typing: `import seedance` stays cheap (mypy honours the name)

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "AsyncClient",
    "AuthError",
    "BudgetExceeded",
    "Client",
    "CreditsError",
    "DownloadError",
    "GenerationFailed",
    "InputError",
    "InvalidRequestError",
    "Job",
    "JobError",
    "JobStatus",
    "Journal",
    "JournalError",
    "KeyMissingError",
    "LocalError",
    "NotReadyError",
    "OutputClaimed",
    "PollTimeout",
    "RateLimitError",
    "RepeatRefused",
    "Result",
    "SeedanceError",
    "ServerError",
    "State",
    "SubmitUnknownError",
    "TransportError",
    "VideoRequest",
    "__version__",
    "estimate_cost",
    "models",
]

_LAZY = {
    "Client": "seedance.client",
    "AsyncClient": "seedance.client",
    "Journal": "seedance.journal",
    "Job": "seedance.models",
    "JobStatus": "seedance.models",
    "Result": "seedance.models",
    "State": "seedance.models",
    "VideoRequest": "seedance.request",
}
_ERRORS = {
    name
    for name in __all__
    if name.endswith(("Error", "Failed", "Timeout"))
    or name in ("BudgetExceeded", "OutputClaimed", "RepeatRefused")
}

if TYPE_CHECKING:
    from typing import Any

    from seedance.catalog import Operation
    from seedance.client import AsyncClient, Client
    from seedance.errors import (
        APIError,
        AuthError,
        BudgetExceeded,
        CreditsError,
        DownloadError,
        GenerationFailed,
        InputError,
        InvalidRequestError,
        JobError,
        JournalError,
        KeyMissingError,
        LocalError,
        NotReadyError,
        OutputClaimed,
        PollTimeout,
        RateLimitError,
        RepeatRefused,
        SeedanceError,
        ServerError,
        SubmitUnknownError,
        TransportError,
    )
    from seedance.journal import Journal
    from seedance.models import Job, JobStatus, Result, State
    from seedance.pricing import Estimate
    from seedance.request import VideoRequest


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _ERRORS:
        return getattr(importlib.import_module("seedance.errors"), name)
    raise AttributeError(f"module 'seedance' has no attribute {name!r}")


def models() -> list[Operation]:
    """List the operations of the catalog in force (19 served and the retired 1.0 Lite one, plus any rows of
    the user's catalog file): model, kind, the skill's apiId/operationId, gateway path, inputs, limits."""
    from seedance.catalog import current

    return list(current().operations)


def estimate_cost(request: VideoRequest | dict[str, Any]) -> Estimate:
    """Estimate what a request will cost before paying for it (an estimate: billing may round up)."""
    from seedance.pricing import estimate
    from seedance.request import VideoRequest as _Request
    from seedance.request import parse_request

    return estimate(request if isinstance(request, _Request) else parse_request(request))
