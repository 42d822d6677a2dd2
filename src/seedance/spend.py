"""Sum what the journal's jobs cost: estimates of charged jobs, with what is pending or uncertain kept apart.

Charged: a job that succeeded. Not charged: a job that ended ERROR (documented as free). A submit the gateway
refused (429, 401, 400...) made no job: it is counted in `refused_submits` only.
Uncertain: a job that ended FAILED (the documentation does not say) and a submit whose outcome is unknown.
Pending: a job still queued or running. A job whose price is unknown counts in `unpriced_jobs`.
Groups: by model, day (the user's own), batch, or who submitted (`user`, `host`, or both as `who`: user@host,
for a team sharing one journal and one account).
Local: a job sent to a gateway on this machine (the emulator) costs nothing and is only counted in
`local_jobs`, unless asked for (a local proxy in front of the real gateway would be paid).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from seedance.config import is_local_gateway
from seedance.journal import JobRecord
from seedance.states import JobState

GroupBy = Literal["model", "day", "batch", "user", "host", "who"]
GROUPS: tuple[GroupBy, ...] = ("model", "day", "batch", "user", "host", "who")
"""What spend can group by: `user` (login name, on any machine), `host` (machine), `who` (user@host)."""


@dataclass
class SpendRow:
    """The sums for one group."""

    key: str
    jobs: int = 0
    spent_usd: float = 0.0
    pending_usd: float = 0.0
    uncertain_usd: float = 0.0
    free_jobs: int = 0
    unpriced_jobs: int = 0
    local_jobs: int = 0
    refused_submits: int = 0
    """Submits the gateway turned away (429, 401, 400...): no job was made, nothing charged."""

    def add(self, record: JobRecord, *, include_local: bool = False) -> None:
        """Count one job into this group (a refused submit is not a job: counted apart)."""
        if record.state == JobState.REJECTED:
            self.refused_submits += 1
            return
        self.jobs += 1
        if not include_local and record.gateway and is_local_gateway(record.gateway):
            self.local_jobs += 1
            return
        bucket = charge_bucket(record)
        cost = record.estimated_cost_usd
        if bucket == "free":
            self.free_jobs += 1
            return
        if cost is None:
            self.unpriced_jobs += 1
            return
        name = {"charged": "spent_usd", "pending": "pending_usd", "uncertain": "uncertain_usd"}[bucket]
        setattr(self, name, round(getattr(self, name) + cost, 4))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def charge_bucket(record: JobRecord) -> Literal["charged", "free", "pending", "uncertain"]:
    """Whether a job is charged, as far as the documentation lets us tell."""
    if record.state in (JobState.SUCCEEDED, JobState.DOWNLOADED) or record.charged is True:
        return "charged"
    if record.state == JobState.REJECTED or record.charged is False:
        return "free"
    if JobState(record.state).is_in_flight:
        return "pending"
    return "uncertain"


def group_key(record: JobRecord, by: GroupBy) -> str:
    """The group a job falls in."""
    if by == "day":  # the day where the user is, not in UTC
        return datetime.fromisoformat(record.created_at).astimezone().date().isoformat()
    if by == "batch":
        return record.batch_id or "(single jobs)"
    if by in ("user", "host", "who"):  # a row from before the journal named who submitted: `?`
        user, host = record.user_name or "?", record.host or "?"
        return {"user": user, "host": host}.get(by, f"{user}@{host}")
    return record.model


def summarize(
    records: Iterable[JobRecord], by: GroupBy = "model", *, include_local: bool = False
) -> tuple[list[SpendRow], SpendRow]:
    """Rows per group (sorted by key) and the total; jobs on a local gateway are summed only if asked."""
    rows: dict[str, SpendRow] = {}
    total = SpendRow("total")
    for record in records:
        rows.setdefault(group_key(record, by), SpendRow(group_key(record, by))).add(
            record, include_local=include_local
        )
        total.add(record, include_local=include_local)
    return [rows[k] for k in sorted(rows)], total
