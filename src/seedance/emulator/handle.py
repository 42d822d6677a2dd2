"""The in-process remote control of a running emulator: options, faults, request log, jobs, reset."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from seedance.catalog import KEY_HEADER
from seedance.emulator.jobinfo import JobInfo, job_info
from seedance.emulator.options import EmulatorOptions, FaultKind, FaultRule, parse_fault_spec
from seedance.emulator.records import RequestRecord
from seedance.emulator.tasks import END_PHASES

if TYPE_CHECKING:
    from seedance.emulator.state import EmulatorState

ANY_KEY = "emulator-any-key"
"""The key `api_key` reports when the emulator accepts any non-empty key (`EmulatorOptions.api_key` is None)."""


class EmulatorHandle:
    """Steer and inspect one emulator from the process that runs it (the HTTP twin is `/_emulator/`)."""

    def __init__(self, state: EmulatorState, base_url: str) -> None:
        self._state = state
        self.base_url = base_url
        """The gateway base URL, e.g. `http://127.0.0.1:54321` (no trailing slash)."""

    @property
    def api_key(self) -> str:
        """A key the emulator accepts now (the configured one, or a placeholder when any key is accepted)."""
        return self._state.options.api_key or ANY_KEY

    @property
    def headers(self) -> dict[str, str]:
        """The key header a client must send, ready for an HTTP client."""
        return {KEY_HEADER: self.api_key}

    @property
    def webhook_url(self) -> str:
        """A webhook receiver inside the emulator; what it receives is in `webhooks`."""
        return f"{self.base_url}/_emulator/webhooks"

    def url(self, path: str) -> str:
        """The absolute URL of a path on the emulator."""
        return self.base_url + path

    @property
    def options(self) -> EmulatorOptions:
        """The options in force."""
        return self._state.options

    def configure(self, **changes: Any) -> EmulatorOptions:
        """Change options (any `EmulatorOptions` field; `dialect` may be a partial mapping); return the result."""
        return self._state.configure(changes)

    def add_fault(self, kind: FaultRule | FaultKind | str, /, **params: Any) -> FaultRule:
        """Add a fault rule and return it.

        Give a `FaultRule`, a kind with parameters (`add_fault("http", status=503, route="submit", count=1)`),
        or the CLI's spec string (`add_fault("http:status=503,route=submit,count=1")`, `add_fault("503")`).
        """
        if isinstance(kind, FaultRule):
            rule = kind
        elif ":" in kind or kind.isdigit():
            rule = parse_fault_spec(kind)
            rule = (
                FaultRule.model_validate({**rule.model_dump(exclude_unset=True), **params})
                if params
                else rule
            )
        else:
            rule = FaultRule.model_validate({"kind": kind, **params})
        self._state.add_fault(rule)
        return rule

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._state.configure({"faults": []})

    def advance(self, seconds: float) -> float:
        """Let `seconds` of emulator time pass at once (jobs progress, media URLs age, rate limits refill);
        return the total advanced. Tests call this instead of sleeping."""
        return self._state.clock.advance(seconds)

    def reset(self) -> None:
        """Forget jobs, requests and webhooks; restore the start options (cached videos are kept)."""
        self._state.reset()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every gateway request received since the last reset, oldest first (control routes excluded)."""
        return self._state.records()

    @property
    def submits(self) -> list[RequestRecord]:
        """The submits that created a job (even if the answer was then dropped)."""
        return [r for r in self._state.records() if r.route == "submit" and r.job_created]

    @property
    def jobs(self) -> list[JobInfo]:
        """Snapshots of every job, oldest first."""
        return [job_info(job) for job in self._state.all_jobs()]

    def job(self, request_id: str) -> JobInfo:
        """A snapshot of one job (status, timing, sha256 and path of its MP4...); KeyError if unknown."""
        found = self._state.job(request_id)
        if found is None:
            raise KeyError(request_id)
        return job_info(found)

    def wait_for_job(self, request_id: str, timeout: float = 30.0) -> JobInfo:
        """Block until the job has ended (and its webhook, if any, was attempted); TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            info = self.job(request_id)
            hook_pending = info.webhook_url and not info.webhook_suppressed and not info.webhook_sent
            if info.status in END_PHASES and not hook_pending:
                return info
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {request_id} is still {info.status} after {timeout} s")
            time.sleep(0.01)

    @property
    def webhooks(self) -> list[dict[str, Any]]:
        """Webhook deliveries received at `webhook_url` (path, headers, json), oldest first."""
        return list(self._state.webhooks_received)
