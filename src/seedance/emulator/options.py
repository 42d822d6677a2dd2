"""The emulator's settings: one pydantic model shared by the CLI flags, the control route and the handle."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

RouteClass = Literal["submit", "status", "media", "any"]
"""Which gateway routes a fault rule applies to (`status` covers the documented and the legacy poll path)."""

FaultKind = Literal[
    "http", "drop", "drop_after_create", "slow", "fail", "stuck", "truncate", "expire", "no_webhook"
]
"""What a fault rule does; see `FaultRule` and the README's fault table."""

# Kinds consumed per created job or per media download only make sense on one route.
_FIXED_ROUTE: dict[str, RouteClass] = {
    "drop_after_create": "submit",
    "fail": "submit",
    "stuck": "submit",
    "no_webhook": "submit",
    "truncate": "media",
    "expire": "media",
}


class FaultRule(BaseModel):
    """One injected misbehaviour: what, on which route class, for how many calls (or jobs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FaultKind
    """What happens: an HTTP error, a dropped connection, a delay, a failed/stuck job, a broken download."""
    route: RouteClass = "any"
    """The route class it applies to; job and media kinds force their own route."""
    count: int | None = Field(default=None, ge=1)
    """How many calls (or jobs, for `fail`/`stuck`/`no_webhook`) it affects; None means every one."""
    status: int | None = Field(default=None, ge=100, le=599)
    """`http`: the status code to answer; `expire`: 404 (default) or 403."""
    retry_after: int = Field(default=1, ge=0)
    """`http` 429/403: the `Retry-After` seconds, also written in the message."""
    html: bool = False
    """`http` 5xx: answer an HTML error page instead of JSON, as a proxy in front of the gateway would."""
    partial: bool = False
    """`drop`/`drop_after_create`: send the status line, headers and part of the body before closing."""
    delay: float = Field(default=1.0, ge=0)
    """`slow`: seconds to wait before answering normally."""
    job_status: Literal["FAILED", "ERROR"] = "FAILED"
    """`fail`: the final status of the affected jobs."""
    message: str | None = None
    """`fail`: the job's `error` text; `http`: overrides the body's message."""
    after_bytes: int = Field(default=0, ge=0)
    """`truncate`: body bytes sent before the connection closes (Content-Length still says the full size)."""
    after_seconds: float = Field(default=0.0, ge=0)
    """`expire`: a media URL stops working this many seconds after the status call that issued it."""

    @model_validator(mode="before")
    @classmethod
    def _fill_route(cls, data: Any) -> Any:
        if isinstance(data, dict):
            kind = data.get("kind")
            if kind in _FIXED_ROUTE:
                fixed = _FIXED_ROUTE[kind]
                if data.get("route", fixed) not in (fixed, "any"):
                    raise ValueError(f"a {kind} fault only applies to the {fixed} route")
                data = {**data, "route": fixed}
            elif kind == "http" and str(data.get("status")) == "402" and "route" not in data:
                data = {**data, "route": "submit"}
        return data

    @model_validator(mode="after")
    def _check_params(self) -> FaultRule:
        if self.kind == "http" and self.status is None:
            raise ValueError("an http fault needs a status, e.g. http:status=503")
        if self.kind == "expire" and self.status not in (None, 403, 404):
            raise ValueError("an expire fault answers 404 or 403")
        return self


class Dialect(BaseModel):
    """How the emulator spells its answers: the documented shape by default, or a variant a client must read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status_words: Literal["documented", "lower", "succeeded"] = "documented"
    """`documented` QUEUED/PROCESSING/COMPLETED/FAILED/ERROR, `lower` the same in lower case, `succeeded`
    queued/running/succeeded/failed/error."""
    media_url: Literal["list", "string"] = "list"
    """Whether the video URL is a one-element list (documented) or a plain string."""
    url_field: Literal["output.media_url", "video_url", "output_url", "url"] = "output.media_url"
    """Where the video URL sits: `output.media_url` (documented) or a top-level field (then `output` is omitted)."""
    id_field: Literal["request_id", "task_id", "id"] = "request_id"
    """The name of the job id field in submit and status answers."""
    polling_url: str = "documented"
    """`documented` (/v2/requests/status/{id}), `legacy` (/{base}/v1/result/{id}), `none` (omitted), or another
    base URL (http(s)://...) that the polling URL points to, to check that clients never send the key there."""

    @field_validator("polling_url")
    @classmethod
    def _check_polling_url(cls, value: str) -> str:
        if value in ("documented", "legacy", "none") or value.startswith(("http://", "https://")):
            return value.rstrip("/")
        raise ValueError("polling_url is documented, legacy, none or an http(s):// base URL")


class EmulatorOptions(BaseModel):
    """Everything that shapes one emulator instance; the same fields as the CLI flags and `/_emulator/config`."""

    model_config = ConfigDict(extra="forbid")

    api_key: str | None = None
    """The key every gateway call must carry; None accepts any non-empty key."""
    job_seconds: float = Field(default=4.0, ge=0)
    """How long a job runs (QUEUED for `queued_fraction` of it, then PROCESSING) before it completes."""
    job_seconds_range: tuple[float, float] | None = None
    """When set, each job's time is drawn uniformly from (low, high) instead, for benchmarks."""
    seed: int | None = None
    """Seed of the random generator that draws job times (reproducible benchmarks)."""
    time_scale: float = Field(default=1.0, gt=0)
    """Multiplies every job time (0.01 makes a 60 s job take 0.6 s)."""
    queued_fraction: float = Field(default=0.2, ge=0, le=1)
    """The share of a job's time spent QUEUED before PROCESSING."""
    submit_status: Literal[200, 202] = 202
    """The HTTP status of an accepted submit (the gateway documents 202)."""
    strict: bool = True
    """Reject unknown top-level body fields (and unknown content item keys) with 400."""
    dialect: Dialect = Field(default_factory=Dialect)
    """How answers are spelled."""
    faults: list[FaultRule] = Field(default_factory=list)
    """The fault rules, matched in order; each keeps its own remaining count."""
    submit_rate_per_second: float | None = Field(default=None, gt=0)
    """A token-bucket limit on submits; excess submits get 429 with Retry-After. None means unlimited."""
    submit_burst: int | None = Field(default=None, ge=1)
    """The bucket's size (submits accepted at once); None means max(1, rate)."""
    submit_limiter: Literal["token_bucket", "sliding_window"] = "token_bucket"
    """How `submit_rate_per_second` is enforced: a token bucket of `submit_burst`, or a sliding one-second
    window of `rate` submits (API management's per-key rate; `submit_burst` is then unused). Both answer 429
    with Retry-After in whole seconds (at least 1) and APIM's body."""
    media_base_url: str | None = None
    """Serve result URLs under this base instead of the gateway's own (e.g. http://localhost:PORT)."""
    fps: int = Field(default=24, ge=1, le=60)
    """Frames per second of synthesised videos."""
    audio: bool = True
    """Add a quiet sine AAC track when the request asks for sound (2.x `generate_audio`)."""
    min_result_bytes: int = Field(default=0, ge=0)
    """Pad result files with a top-level MP4 `free` box to at least this size (download benchmarks)."""
    cache_dir: Path | None = None
    """Where synthesised videos are kept and reused across instances; None uses a private temporary folder."""
    webhook_timeout: float = Field(default=5.0, gt=0)
    """Seconds the emulator waits for a webhook receiver to answer."""
    catalog_file: Path | None = None
    """Catalog rows to serve on top of the shipped ones (a user catalog file, read at start); None: the
    user's own catalog file, as the client reads it."""

    @field_validator("media_base_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        if value and not re.match(r"(?i)^https?://[^/\s]+", value):
            raise ValueError("give an http:// or https:// base URL, e.g. http://localhost:8000")
        return value.rstrip("/") if value else None

    def updated(self, changes: dict[str, Any]) -> EmulatorOptions:
        """Return a validated copy with `changes` applied; a `dialect` mapping is merged into the current one."""
        data = self.model_dump()
        for name, value in changes.items():
            if name == "dialect" and isinstance(value, dict):
                data["dialect"] = {**data["dialect"], **value}
            else:
                data[name] = value
        return EmulatorOptions.model_validate(data)


def parse_fault_spec(spec: str) -> FaultRule:
    """Parse the CLI's `KIND[:key=value,...]` (a bare status code means `http:status=CODE`) into a rule.

    Examples: `503`, `429:retry_after=2,count=1`, `drop:route=submit,count=1`, `fail:count=2,message=boom`,
    `expire:after_seconds=5,status=403`, `slow:delay=2,route=status`. `count=always` means every call.
    """
    head, _, rest = spec.partition(":")
    head = head.strip()
    data: dict[str, Any] = {"status": int(head), "kind": "http"} if head.isdigit() else {"kind": head}
    # Split on commas that start a new key=, so that a message may itself contain commas.
    for pair in filter(None, (p.strip() for p in re.split(r",(?=\s*[A-Za-z_-]+=)", rest))):
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"fault parameter {pair!r} is not key=value")
        key = key.strip().replace("-", "_")
        data[key] = None if key == "count" and value.lower() in ("always", "none") else value.strip()
    return FaultRule.model_validate(data)


def parse_dialect_assignments(
    assignments: list[str] | tuple[str, ...], base: Dialect | None = None
) -> Dialect:
    """Apply CLI `NAME=VALUE` assignments (e.g. `status_words=lower`, `id_field=task_id`) to a dialect."""
    data: dict[str, str] = (base or Dialect()).model_dump()
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in Dialect.model_fields:
            raise ValueError(f"dialect setting {assignment!r} is not NAME=VALUE with NAME in {sorted(data)}")
        data[name] = value.strip()
    return Dialect.model_validate(data)


FLAG_OPTIONS_ENV = "SEEDANCE_EMULATOR_OPTIONS"
"""Shapes the emulator that `--emulator` starts: `job_seconds=0.3,fps=4,cache_dir=/tmp/videos` (any scalar
option of EmulatorOptions; e.g. fast jobs and one video cache for a CI script's many commands)."""
_NOT_FROM_ENV = ("api_key", "dialect", "faults", "job_seconds_range")


def options_from_env(text: str | None) -> EmulatorOptions:
    """EmulatorOptions from `$SEEDANCE_EMULATOR_OPTIONS` (`NAME=VALUE,...`); ValueError says what is wrong."""
    data: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in (text or "").split(","))):
        name, sep, value = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in EmulatorOptions.model_fields or name in _NOT_FROM_ENV:
            settable = sorted(set(EmulatorOptions.model_fields) - set(_NOT_FROM_ENV))
            raise ValueError(f"{pair!r} is not NAME=VALUE with NAME one of {', '.join(settable)}")
        data[name] = value.strip()
    try:
        return EmulatorOptions.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None
