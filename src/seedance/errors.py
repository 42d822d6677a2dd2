"""One exception tree for everything that can go wrong, each error knowing its exit code and its remedy.

    SeedanceError
    ├── LocalError                  our own checks, raised before any money is spent
    │   ├── InputError              bad request values or media files            exit 2
    │   │   ├── OutputClaimed       the output file is another job's             exit 2
    │   │   ├── RepeatRefused       the same request is already on its way       exit 2
    │   │   └── BudgetExceeded      the team's budget for this period is spent   exit 2
    │   ├── JournalError            the journal cannot be read or written        exit 2
    │   └── KeyMissingError         no API key found and none could be asked for exit 3
    ├── APIError                    the gateway answered with an error status
    │   ├── AuthError               401                                           exit 3
    │   ├── CreditsError            402                                           exit 4
    │   ├── RateLimitError          429 (after the one retry)                     exit 5
    │   ├── InvalidRequestError     other 4xx, the gateway's message verbatim     exit 6
    │   └── ServerError             5xx (after the one retry)                     exit 7
    ├── TransportError              no usable answer: refused, timed out, dropped exit 7
    │   └── SubmitUnknownError      the submit may or may not have been queued    exit 7
    └── JobError                    the job itself did not give us a video
        ├── GenerationFailed        the task ended FAILED / ERROR / CANCELLED     exit 8
        ├── PollTimeout             still not done when we stopped waiting       exit 9
        └── DownloadError           the video could not be fetched or checked    exit 10
            └── NotReadyError       no video yet: the job is still queued or running exit 10

Messages never contain the API key: `redact()` is applied to every text taken from the outside world.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

API_KEYS_URL = "https://api-console.pixazo.ai/api_keys"
DASHBOARD_URL = "https://api-console.pixazo.ai/dashboard"
EXIT_OK = 0
EXIT_INTERRUPTED = 130

_secrets: set[str] = set()


def register_secret(secret: str) -> None:
    """Remember a secret (the API key) so that `redact()` removes it from any text we show."""
    if secret and len(secret) >= 4:
        _secrets.add(secret)


def redact(text: str) -> str:
    """Return `text` with every registered secret, and anything shaped like a key header, replaced by ***."""
    for secret in _secrets:
        text = text.replace(secret, "***")
    return re.sub(r"(?i)(ocp-apim-subscription-key['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+", r"\1***", text)


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_UNPRINTABLE_BUT_LINES = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""What Python makes of bytes that are not UTF-8 (and what a JSON `\\udc80` decodes to): not text."""


def escape_controls(value: object, *, json_text: bool = False, keep_lines: bool = False) -> str:
    """`value` as text with control characters, line breaks (unless `keep_lines`) and lone surrogates escaped:
    `\\x1b`, or `\\u001b` in JSON text (which stays valid JSON). One line stays one line; an escape sequence
    cannot retitle or recolour a terminal; text that is not UTF-8 can still be printed."""

    def escaped(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\u{code:04x}" if json_text or code > 0xFF else f"\\x{code:02x}"

    pattern = _UNPRINTABLE_BUT_LINES if keep_lines else _UNPRINTABLE
    return pattern.sub(escaped, value if isinstance(value, str) else str(value))


def shown(value: object, limit: int = 200) -> str:
    """A user-given or gateway-given value as it may stand inside a one-line message: escaped
    (`escape_controls`) and at most `limit` characters.

    A path holding a line break must not forge a second `hint:` line; a 100 KB id must not flood the screen.
    """
    text = escape_controls(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def redact_data(data: Any) -> Any:
    """`data` (JSON-ready dicts, lists, strings, numbers) with `redact()` applied to every string in it.

    Redacting values, not the JSON text, keeps the result valid whatever a secret looks like: a "key" that
    is `true` or `1` must not turn `"ok": true` into `"ok": ***`.
    """
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {redact_data(key): redact_data(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [redact_data(item) for item in data]
    return data


class SeedanceError(Exception):
    """Base of every error this library raises."""

    exit_code: ClassVar[int] = 1
    hint: ClassVar[str] = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = redact(message)
        self._hint = redact(hint) if hint is not None else None
        super().__init__(self.message)

    @property
    def remedy(self) -> str:
        """One line that says what to do about it."""
        return self._hint if self._hint is not None else self.hint

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description: type, message, hint, exit code."""
        return {
            "type": type(self).__name__,
            "message": self.message,
            "hint": self.remedy,
            "exit_code": self.exit_code,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class LocalError(SeedanceError):
    """A problem found on this machine before anything was sent."""


class InputError(LocalError):
    """A request value or media file is not acceptable; nothing was sent."""

    exit_code = 2
    hint = "fix the value named above and run the command again"


class JournalError(LocalError):
    """The job journal (SQLite) cannot be read or written: locked, read-only, on a full disk, damaged.

    Before a submit it stops the job (nothing was sent). After a submit the job goes on without the journal:
    the client says so in the job's warnings, with the request id to keep.
    """

    exit_code = 2
    hint = "set SEEDANCE_HOME to a writable folder, or stop the program holding jobs.db, then run it again"

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"cannot use the job journal {path}: {reason}")
        self.reason = reason


class OutputClaimed(InputError):
    """The output file is where another job, still running, will save its video; nothing was sent."""


class RepeatRefused(InputError):
    """An identical job is still open: sending this request would most likely pay twice; nothing was sent.

    `request_id` is that job's (None while its submit is on its way or got no answer); `local_id` its journal
    row. The JSON names both under `same_as`.
    """

    def __init__(self, message: str, *, request_id: str | None, local_id: str | None, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.request_id = request_id
        self.local_id = local_id

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description, with the job this request would repeat."""
        return {**super().to_dict(), "same_as": {"request_id": self.request_id, "local_id": self.local_id}}


class BudgetExceeded(InputError):
    """The job would take the team's spending this period past its budget (`seedance budget`); nothing was
    sent.

    `budget_usd` a `period` (day, week, month); `reserved_usd`: what this period's paid submits already hold
    (their estimates, an unknown price at the dearest known rate); `estimate_usd`: this job's share. The JSON
    names them under `budget`.
    """

    def __init__(
        self,
        message: str,
        *,
        budget_usd: float,
        period: str,
        reserved_usd: float,
        estimate_usd: float,
        hint: str,
    ) -> None:
        super().__init__(message, hint=hint)
        self.budget_usd = budget_usd
        self.period = period
        self.reserved_usd = reserved_usd
        self.estimate_usd = estimate_usd

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description, with the budget, what is reserved and this job's estimate."""
        budget = {
            "amount_usd": self.budget_usd,
            "period": self.period,
            "reserved_usd": self.reserved_usd,
            "estimate_usd": self.estimate_usd,
            "left_usd": round(max(self.budget_usd - self.reserved_usd, 0.0), 4),
        }
        return {**super().to_dict(), "budget": budget}


KEY_PROMPT = (
    "I'll need your Pixazo API key once. Get it free at https://api-console.pixazo.ai/api_keys — sign in, "
    'click "Create new key", copy it, and paste it here. I\'ll save it to ~/.pixazo/api-key so you only do '
    "this once."
)
"""The skill's fixed sentence, verbatim, used whenever a key must be asked for."""


class KeyMissingError(LocalError):
    """No API key in the flag, PIXAZO_API_KEY or ~/.pixazo/api-key, and no terminal to ask on."""

    exit_code = 3
    hint = "set PIXAZO_API_KEY, or run `seedance auth login` once in a terminal"


class APIError(SeedanceError):
    """The gateway answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: str = "",
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status_code = status_code
        self.body = redact(body)
        self.request_id = request_id

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description, with the HTTP status (and the job, when there is one)."""
        data = {**super().to_dict(), "status_code": self.status_code}
        return data | ({"request_id": self.request_id} if self.request_id else {})


class AuthError(APIError):
    """401: the key is missing or wrong."""

    exit_code = 3
    hint = f"Your Pixazo API key looks invalid. Get a fresh one at {API_KEYS_URL}"


class CreditsError(APIError):
    """402: the account is out of credits."""

    exit_code = 4
    hint = f"Your Pixazo account is out of credits. Top up at {DASHBOARD_URL}"


class RateLimitError(APIError):
    """429: rate limited, still so after waiting and retrying once."""

    exit_code = 5
    hint = "Pixazo is rate-limiting this key; wait a minute and run the command again (nothing was queued)"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InvalidRequestError(APIError):
    """Any other 4xx: the gateway rejected the request; its message is kept verbatim."""

    exit_code = 6
    hint = "change the value the gateway names above; nothing was queued"


class ServerError(APIError):
    """5xx: the gateway had a problem, still so after one retry."""

    exit_code = 7
    hint = "Pixazo had a hiccup; try again in a minute"


class TransportError(SeedanceError):
    """No usable answer from the gateway: connection refused, timed out, dropped, or not JSON."""

    exit_code = 7
    hint = "check your network and SEEDANCE_BASE_URL, then try again"
    request_id: str | None = None
    """The job concerned, when the failure came after its submit (status checks)."""


class SubmitUnknownError(TransportError):
    """The submit request may have reached the gateway, but no answer came back: it may have been queued."""

    hint = (
        "the job may have been queued and charged; check `seedance jobs` and your dashboard before "
        "submitting again"
    )

    def __init__(self, message: str, *, local_id: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.local_id = local_id

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description, with the journal id of the job whose outcome is unknown."""
        return {**super().to_dict(), "local_id": self.local_id}


class JobError(SeedanceError):
    """The job did not give us a video."""

    def __init__(self, message: str, *, request_id: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.request_id = request_id

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description, with the request id."""
        return {**super().to_dict(), "request_id": self.request_id}


class GenerationFailed(JobError):
    """The task ended in failure (FAILED, ERROR or CANCELLED); the gateway's reason is in the message."""

    exit_code = 8
    hint = "change the prompt or inputs and try again (ERROR jobs are documented as not charged)"

    def __init__(self, message: str, *, status: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.status = status


class PollTimeout(JobError, TimeoutError):
    """We stopped waiting; the job may still finish and can be picked up later."""

    exit_code = 9

    @property
    def remedy(self) -> str:
        """How to pick the job up again."""
        if self._hint is not None:
            return self._hint
        return f"the job may still finish: run `seedance wait {self.request_id}` or `seedance resume`"


class DownloadError(JobError):
    """The video could not be downloaded or failed its checks."""

    exit_code = 10

    @property
    def remedy(self) -> str:
        """How to fetch the file again."""
        if self._hint is not None:
            return self._hint
        if self.request_id is None:
            return "try the download again (the job itself succeeded)"
        return f"run `seedance download {self.request_id}` to try again (the job itself succeeded)"


class NotReadyError(DownloadError):
    """There is no video to download yet: the job is still queued or running."""

    @property
    def remedy(self) -> str:
        """Wait for it first."""
        return (
            self._hint if self._hint is not None else f"run `seedance wait {self.request_id}` to wait for it"
        )
