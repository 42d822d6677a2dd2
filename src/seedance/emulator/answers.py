"""The gateway's error answers, byte for byte as documented or as its Azure API Management front writes them."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response

from seedance.emulator.options import FaultRule

MISSING_KEY_MESSAGE = (
    "Access denied due to missing subscription key. Make sure to include subscription key when making requests to "
    "an API."
)
INVALID_KEY_MESSAGE = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
INSUFFICIENT_BALANCE = {
    "error": "Insufficient Balance",
    "message": "Your wallet does not have enough balance.",
}

_HTML_PAGE = """<!DOCTYPE html>
<html><head><title>{code} {phrase}</title></head>
<body><center><h1>{code} {phrase}</h1></center><hr><center>nginx</center></body></html>
"""


def json_answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON answer (`Content-Type: application/json`)."""
    return JSONResponse(body, status_code=status, headers=headers)


def unauthorized(missing: bool) -> JSONResponse:
    """APIM's 401: the key header is missing, or its value is not a valid key."""
    return json_answer(
        {"statusCode": 401, "message": MISSING_KEY_MESSAGE if missing else INVALID_KEY_MESSAGE}, 401
    )


def rate_limited(seconds: int) -> JSONResponse:
    """APIM's 429 with `Retry-After` in whole seconds."""
    return json_answer(
        {"statusCode": 429, "message": f"Rate limit is exceeded. Try again in {seconds} seconds."},
        429,
        {"Retry-After": str(seconds)},
    )


def not_found(request_id: str) -> JSONResponse:
    """The 404 for an unknown request id (or an unknown media token)."""
    return json_answer({"error": "Not Found", "message": f"Request '{request_id}' not found"}, 404)


def fault_answer(rule: FaultRule) -> Response:
    """The answer an `http` (or `expire`) fault rule asks for."""
    code = rule.status or 500
    phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error"
    if code == 401:
        return unauthorized(missing=False)
    if code == 402:
        return json_answer(INSUFFICIENT_BALANCE if rule.message is None else {**INSUFFICIENT_BALANCE,
                                                                              "message": rule.message}, 402)  # fmt: skip
    if code == 429:
        return rate_limited(rule.retry_after)
    if code == 403 and rule.kind == "http":
        # APIM's quota-exhausted answer also carries Retry-After.
        message = (
            rule.message
            or f"Out of call volume quota. Quota will be replenished in 00:00:{rule.retry_after:02d}."
        )
        return json_answer(
            {"statusCode": 403, "message": message}, 403, {"Retry-After": str(rule.retry_after)}
        )
    if rule.html and code >= 500:
        return HTMLResponse(_HTML_PAGE.format(code=code, phrase=phrase), status_code=code)
    if code < 500:  # other client errors come from the gateway itself, in its own envelope
        return json_answer({"error": phrase, "message": rule.message or phrase}, code)
    return json_answer({"statusCode": code, "message": rule.message or phrase}, code)


def expired(rule: FaultRule) -> JSONResponse:
    """The answer for a media URL past its (emulated) expiry: 404 by default, or 403 like a signed URL."""
    if rule.status == 403:
        return json_answer({"error": "Forbidden", "message": rule.message or "Request has expired"}, 403)
    return json_answer(
        {"error": "Not Found", "message": rule.message or "The requested media has expired"}, 404
    )
