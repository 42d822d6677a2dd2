"""The sans-IO core: every decision of a submit, a status check and a wait, with no sockets and no clocks.

A flow is a generator that yields actions (`HttpRequest` to send, `Sleep` to wait) and receives the results
(`HttpResponse`, or a `TransportFailure` thrown in). `transport.py` drives the same flows synchronously and
asynchronously, so the sync and async clients cannot drift apart, and these rules are tested with plain data.

Retry rules (the seed skill's table): 429 waits `Retry-After` (else 5 s) and retries once; 5xx retries
once; 401/402/other 4xx never retry. A submit that may have reached the gateway is never resent silently:
a retried 5xx submit carries a warning, and a connection lost after sending raises SubmitUnknownError.
Status checks are free and idempotent, so they retry more.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from seedance import catalog, errors, parsing, verdicts
from seedance.models import JobStatus, State

Purpose = Literal["submit", "status", "media"]
USER_AGENT = "seedance-python/0.1"


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request for a driver to send."""

    method: str
    url: str
    headers: Mapping[str, str] = field(repr=False)
    json: Any = None
    purpose: Purpose = "status"


@dataclass(frozen=True)
class HttpResponse:
    """What a driver got back: status, headers (lower-case names) and the whole body."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Sleep:
    """Ask the driver to wait."""

    seconds: float


@dataclass(frozen=True)
class Observe:
    """Hand a status that changed to the driver's observer (the journal, the caller's `on_update`); the
    driver answers None. The async driver writes the journal off the event loop."""

    status: JobStatus


class TransportFailure(Exception):
    """Thrown into a flow by a driver when no answer came; `maybe_sent` is False only when nothing left us."""

    def __init__(self, message: str, *, maybe_sent: bool) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


Action = HttpRequest | Sleep | Observe
Flow = Generator[Any, Any, Any]


@dataclass(frozen=True)
class Settings:
    """Where to send requests and how patient to be; the key never appears in its repr."""

    base_url: str
    api_key: str = field(repr=False)
    rate_limit_wait: float = 5.0
    """Seconds to wait after a 429 without Retry-After (the seed's 5 s)."""
    server_error_wait: float = 2.0
    """Seconds to wait before retrying after a 5xx."""
    status_retries: int = 4
    """How many times a status check is retried after a 429, 5xx, bad body or lost connection."""
    webhook_url: str | None = None


def build_headers(settings: Settings, *, with_body: bool) -> dict[str, str]:
    """The documented headers: the key, no-cache, and JSON content type for bodies."""
    headers = {
        catalog.KEY_HEADER: settings.api_key,
        "Cache-Control": "no-cache",
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }
    if with_body:
        headers["Content-Type"] = "application/json"
    return headers


def same_origin(url: str, base_url: str) -> bool:
    """Whether `url` is on the configured gateway (scheme, host and port): the only place the key goes."""
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def is_usable_id(request_id: str) -> bool:
    """Whether a request id can be polled, stored and printed: 1-200 printable characters, not all dots."""
    return (
        bool(request_id)
        and not set(request_id) <= {"."}
        and len(request_id) <= 200
        and request_id.isprintable()
    )


def check_request_id(request_id: str) -> str:
    """Return `request_id`, or raise InputError for what cannot be an id (empty, dots, control characters)."""
    if not is_usable_id(request_id):
        raise errors.InputError(
            f"'{errors.shown(request_id, 60)}' is not a job id",
            hint="job ids look like seedance-2-0_3f2a...; `seedance jobs` lists yours",
        )
    return request_id


def status_url(settings: Settings, request_id: str, polling_url: str | None = None) -> str:
    """The URL to poll: the gateway's `polling_url` if it is on the configured host, else the documented path."""
    check_request_id(request_id)
    if polling_url and same_origin(polling_url, settings.base_url):
        return polling_url
    # One path segment whatever the id holds: `../_emulator/config` must not become another path on the
    # gateway, fetched with the key.
    return settings.base_url.rstrip("/") + catalog.STATUS_PATH.format(
        request_id=quote(request_id, safe="-._~")
    )


def retry_after_seconds(headers: Mapping[str, str], default: float) -> float:
    """Seconds from a Retry-After header (numeric form), bounded to 0-120; `default` when absent or odd."""
    value = headers.get("retry-after")
    try:
        return min(max(float(value), 0.0), 120.0) if value is not None else default
    except ValueError:
        return default


def error_from_response(
    resp: HttpResponse, *, request_id: str | None = None, hint: str | None = None
) -> errors.APIError:
    """Build the typed error for an HTTP error answer, keeping the gateway's message verbatim."""
    text = parsing.error_text(resp.body)
    body = resp.body[:2000].decode("utf-8", "replace")
    kwargs: dict[str, Any] = {
        "status_code": resp.status_code,
        "body": body,
        "request_id": request_id,
        "hint": hint,
    }
    code = resp.status_code
    if code == 401:
        return errors.AuthError(f"the gateway refused the API key (401): {text}", **kwargs)
    if code == 402:
        return errors.CreditsError(f"out of credits (402): {text}", **kwargs)
    if code == 429:
        wait = retry_after_seconds(resp.headers, 0.0) or None
        return errors.RateLimitError(f"rate limited (429): {text}", retry_after=wait, **kwargs)
    if code >= 500:
        return errors.ServerError(f"the gateway failed ({code}): {text}", **kwargs)
    return errors.InvalidRequestError(f"the gateway rejected the request ({code}): {text}", **kwargs)


@dataclass
class Submitted:
    """The outcome of a submit flow."""

    request_id: str
    polling_url: str | None
    attempts: int
    warnings: list[str]
    body: Any


def submit_flow(settings: Settings, path: str, body: Mapping[str, Any]) -> Flow:
    """POST a generation request; return `Submitted`. Retries follow the seed's table, once each."""
    headers = build_headers(settings, with_body=True)
    if settings.webhook_url:
        headers[catalog.WEBHOOK_HEADER] = settings.webhook_url
    request = HttpRequest("POST", settings.base_url.rstrip("/") + path, headers, dict(body), "submit")
    warnings: list[str] = []
    retried_429 = retried_5xx = retried_connect = False
    attempts = 0
    while True:
        attempts += 1
        try:
            resp: HttpResponse = yield request
        except TransportFailure as exc:
            if exc.maybe_sent:
                raise errors.SubmitUnknownError(
                    f"the connection was lost after the submit was sent ({exc}); the job may have been queued"
                ) from None
            if retried_connect:
                raise errors.TransportError(f"could not reach the gateway: {exc}") from None
            retried_connect = True  # nothing left us, so a resend cannot double-charge
            yield Sleep(1.0)
            continue
        if 200 <= resp.status_code < 300:
            data = parsing.decode_json(resp.body)
            request_id = parsing.find_id(data)
            if request_id is None:
                raise errors.SubmitUnknownError(
                    f"the gateway accepted the submit ({resp.status_code}) but its answer has no request id: "
                    f"{parsing.error_text(resp.body)}"
                )
            if not is_usable_id(request_id):
                # The job was probably made (and will be charged), but this id cannot be polled, kept or
                # printed: the submit's outcome is unknown to us, never "nothing was sent".
                raise errors.SubmitUnknownError(
                    f"the gateway accepted the submit ({resp.status_code}) but its request id is not usable "
                    f"({len(request_id)} characters: {errors.shown(request_id, 60)}); the job may have been "
                    "queued and charged"
                )
            polling = data.get("polling_url") if isinstance(data, Mapping) else None
            return Submitted(
                request_id, polling if isinstance(polling, str) else None, attempts, warnings, data
            )
        if resp.status_code == 429 and not retried_429:
            retried_429 = True  # a 429 means nothing was queued: waiting and resending is safe
            yield Sleep(retry_after_seconds(resp.headers, settings.rate_limit_wait))
            continue
        if resp.status_code >= 500 and not retried_5xx:
            retried_5xx = True
            warnings.append(
                f"the first submit answered {resp.status_code} and was retried once, as the seed's rules say; "
                "if that first attempt was queued anyway you may see (and pay for) a second job on the dashboard"
            )
            yield Sleep(settings.server_error_wait)
            continue
        error = error_from_response(resp)
        if isinstance(error, errors.ServerError):
            error = errors.ServerError(
                error.message + "; the job may have been queued despite the error",
                status_code=error.status_code,
                body=error.body,
                hint="check `seedance jobs` and your dashboard before submitting again",
            )
        raise error


def status_flow(settings: Settings, request_id: str, polling_url: str | None = None) -> Flow:
    """GET a job's status once (with free retries); return a JobStatus."""
    request = HttpRequest(
        "GET",
        status_url(settings, request_id, polling_url),
        build_headers(settings, with_body=False),
        None,
        "status",
    )
    problem, delay = "", 0.0
    for attempt in range(settings.status_retries + 1):
        if attempt:
            yield Sleep(delay)
        try:
            resp: HttpResponse = yield request
        except TransportFailure as exc:
            problem, delay = f"no answer from the gateway: {exc}", min(2.0**attempt, 10.0)
            continue
        if 200 <= resp.status_code < 300:
            status = parsing.parse_status(parsing.decode_json(resp.body))
            if status is not None:
                return status
            problem, delay = f"an unreadable status answer: {parsing.error_text(resp.body)}", 1.0
            continue
        if resp.status_code == 429:
            problem = "rate limited (429)"
            delay = retry_after_seconds(resp.headers, settings.rate_limit_wait)
            continue
        if resp.status_code >= 500:
            # Free to retry: back off 0.5, 1, 2, 4 s (with the default 2 s base).
            problem, delay = f"server error ({resp.status_code})", settings.server_error_wait * 2**attempt / 4
            continue
        if resp.status_code == 404:
            raise errors.InvalidRequestError(
                f"the gateway does not know request {request_id} (404): {parsing.error_text(resp.body)}",
                status_code=404,
                body=resp.body[:2000].decode("utf-8", "replace"),
                request_id=request_id,
                hint="check the id (`seedance jobs` lists yours); old requests may have been purged",
            )
        # A refused status check says nothing about the job, which was submitted (and paid for) already.
        again = (
            f"then check it with `seedance wait {request_id}` (the job itself was submitted; do not resubmit)"
        )
        fix = "fix the key (`seedance auth login`), " if resp.status_code == 401 else "try again later, "
        raise error_from_response(resp, request_id=request_id, hint=fix + again)
    # The job was already submitted (and paid for): the hint must say how to pick it up, never to submit again.
    hint = f"the job itself is unaffected; check it again later with `seedance wait {request_id}` (do not resubmit)"
    if problem.startswith("rate limited"):
        raise errors.RateLimitError(
            f"status checks for {request_id} stayed rate limited",
            status_code=429,
            request_id=request_id,
            hint=hint,
        )
    if problem.startswith("server error"):
        raise errors.ServerError(
            f"status checks for {request_id} kept failing: {problem}",
            status_code=500,
            request_id=request_id,
            hint=hint,
        )
    failure = errors.TransportError(f"status checks for {request_id} failed: {problem}", hint=hint)
    failure.request_id = request_id
    raise failure


UpdateCallback = Callable[[JobStatus], None]


def wait_flow(
    settings: Settings,
    request_id: str,
    *,
    polling_url: str | None = None,
    timeout: float = 600.0,
    next_delay: Callable[[float, int], float],
    clock: Callable[[], float],
    first_delay: float = 0.0,
    elapsed_offset: float = 0.0,
) -> Flow:
    """Poll until the job ends; return the final JobStatus with a video URL.

    Raises GenerationFailed when the job fails and PollTimeout when `timeout` seconds pass first.
    `next_delay(elapsed, polls)` is the polling schedule (see `polling.py`), called with the seconds since
    the submit (`elapsed_offset` is how long before this wait the job was submitted); `first_delay` is
    slept before the first status check.
    """
    started = clock()
    if first_delay > 0:
        yield Sleep(min(first_delay, timeout))
    polls = looks_without_url = 0
    last_state: State | None = None
    while True:
        status: JobStatus = yield from status_flow(settings, request_id, polling_url)
        polls += 1
        if status.state != last_state or status.state.is_final:
            yield Observe(status)
        last_state = status.state
        elapsed = clock() - started
        verdict = verdicts.judge(
            status,
            request_id=request_id,
            looks_without_url=looks_without_url,
            elapsed=elapsed,
            timeout=timeout,
        )
        if verdict.error is not None:
            raise verdict.error
        if verdict.status is not None:
            return verdict.status
        looks_without_url = verdict.looks_without_url
        yield Sleep(max(0.0, min(next_delay(elapsed + elapsed_offset, polls), timeout - elapsed)))
