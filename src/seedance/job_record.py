"""One row of the journal as a typed record, with what can be said of it without the database."""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from seedance.config import EMULATOR_ENV, gateway_key, is_emulated
from seedance.models import Job
from seedance.states import JobState


class JobRecord(BaseModel):
    """One journal row."""

    model_config = ConfigDict(defer_build=True)

    local_id: str
    created_at: str
    updated_at: str
    operation: str
    model: str
    prompt: str | None
    request_json: str
    """The body sent, with media data URIs replaced by their type, size and sha256."""
    settings_json: str
    """The request's options as given (file paths, not their content)."""
    state: JobState
    """submitting, unknown, rejected, queued, running, succeeded, failed, or downloaded."""
    request_id: str | None
    polling_url: str | None
    raw_status: str | None
    video_url: str | None
    video_url_at: str | None
    error: str | None
    charged: bool | None
    estimated_cost_usd: float | None
    submit_attempts: int
    warnings_json: str
    output_path: str | None
    want_download: bool
    bytes_downloaded: int | None
    sha256: str | None
    downloaded_at: str | None
    submitted_at: str | None
    finished_at: str | None
    elapsed_s: float | None
    batch_id: str | None
    batch_line: int | None
    pid: int | None
    gateway: str | None
    """The gateway base URL the job was sent to (resume only polls that gateway)."""
    ephemeral_gateway: bool = False
    """Sent to an emulator inside the submitting process (`--emulator`): gone with that process, free."""
    user_name: str | None = None
    """Who submitted it (the login name on `host`)."""
    host: str | None = None
    """The machine it was submitted from."""
    follower: str | None = None
    """The process following it now, `host:pid` (see `seedance.leases`)."""
    lease_until: str | None = None
    """On a shared journal: the follower's lease (renewed by its heartbeat) ends then."""

    @property
    def who(self) -> str:
        """Who submitted it, `user@host` (`?` for a part an older row does not know)."""
        return f"{self.user_name or '?'}@{self.host or '?'}"

    @property
    def emulated(self) -> bool:
        """Whether the job ran on a local emulator (`--emulator`): free, nothing charged."""
        return self.ephemeral_gateway or is_emulated(self.gateway)

    @property
    def gateway_name(self) -> str:
        """The gateway in words: its URL, or `the local emulator`."""
        if self.ephemeral_gateway:
            return f"an emulator that stopped with its command ({self.gateway})"
        return "the local emulator" if is_emulated(self.gateway) else str(self.gateway)

    @property
    def gateway_hint(self) -> str:
        """How to reach the job's gateway again (or why it cannot be)."""
        if self.ephemeral_gateway:
            return "that emulator is gone and the job with it (it cost nothing); `seedance jobs forget ID` drops it"
        if is_emulated(self.gateway):
            if self.host is not None and self.host != socket.gethostname():
                return f"it ran on the local emulator of {self.host}: resume it there"
            return f"pass --emulator (or set {EMULATOR_ENV}=1)"
        return f"pass --base-url {self.gateway} (or set SEEDANCE_BASE_URL to it)"

    def sent_to(self, gateway: str) -> bool:
        """Whether the job went to this gateway, however its URL is spelled (a row from before gateways were
        recorded may have gone anywhere: it matches). A local emulator is another machine's own: its jobs
        are reachable only from the machine that sent them (a shared journal holds both)."""
        if self.emulated and self.host is not None and self.host != socket.gethostname():
            return False
        return self.gateway is None or gateway_key(self.gateway) == gateway_key(gateway)

    @property
    def settings(self) -> dict[str, Any]:
        """The request's options as a dict."""
        data: dict[str, Any] = json.loads(self.settings_json)
        return data

    def to_job(self) -> Job:
        """The Job this row stands for (it must have a request id), timed from when it was submitted."""
        if self.request_id is None:
            raise ValueError(f"job {self.local_id} has no request id")
        submitted = datetime.fromisoformat(self.submitted_at) if self.submitted_at else datetime.now(UTC)
        return Job(
            request_id=self.request_id,
            operation=self.operation,
            polling_url=self.polling_url,
            local_id=self.local_id,
            estimated_cost_usd=self.estimated_cost_usd,
            submitted_at=submitted,
        )

    @property
    def is_unfinished(self) -> bool:
        """Whether resume has work to do: still running, or succeeded but not yet downloaded."""
        state = JobState(self.state)
        return state.is_in_flight or (state is JobState.SUCCEEDED and self.want_download)


def record_from_row(row: Mapping[str, Any]) -> JobRecord:
    """A journal row (a sqlite3.Row, or any mapping of its columns) as a JobRecord."""
    data = dict(row)
    data["charged"] = None if data["charged"] is None else bool(data["charged"])
    data["want_download"] = bool(data["want_download"])
    data["ephemeral_gateway"] = bool(data["ephemeral_gateway"])
    return JobRecord.model_validate(data)
