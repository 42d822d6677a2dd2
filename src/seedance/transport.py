"""The two thin drivers that run the sans-IO flows over httpx: one blocking, one async. No decisions here.

A driver sends what a flow yields and hands back what came: an `HttpResponse`, a `TransportFailure`
(thrown in, with whether the request may have left this machine), or a `MediaOutcome` for downloads.
Gateway calls never follow redirects (the key must not travel to another host); a result download does,
as it never carries the key, but not from https down to http. TLS is always verified.
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx

from seedance import errors
from seedance.catalog import KEY_HEADER
from seedance.download import DownloadTarget, FetchMedia, MediaOutcome
from seedance.models import JobStatus
from seedance.protocol import USER_AGENT, Flow, HttpRequest, HttpResponse, Observe, Sleep, TransportFailure

MAX_BODY_BYTES = 4 * 1024 * 1024
"""A gateway JSON answer larger than this is cut off (it is then unreadable, never held whole in memory)."""

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before the request left this machine: resending cannot double a job."""


def tls() -> ssl.SSLContext:
    """The TLS settings of every client (certificates verified, as httpx's default, which reads
    SSL_CERT_FILE / SSL_CERT_DIR), built once per set of those: building them reads the CA bundle, about 30 ms
    of CPU each time a client is made."""
    return _tls(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _tls(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context()


def make_timeout(seconds: float) -> httpx.Timeout:
    """Timeouts for every call: connect quickly, allow slow answers up to `seconds`."""
    return httpx.Timeout(seconds, connect=min(10.0, seconds))


def _failure(exc: httpx.TransportError) -> TransportFailure:
    detail = errors.redact(str(exc) or type(exc).__name__)
    return TransportFailure(f"{type(exc).__name__}: {detail}", maybe_sent=not isinstance(exc, NOT_SENT))


def _bad_url(exc: Exception) -> errors.TransportError:
    return errors.TransportError(
        f"the gateway URL is not usable: {exc}", hint="check SEEDANCE_BASE_URL / --base-url"
    )


def _unusable(target: DownloadTarget, exc: Exception) -> errors.DownloadError:
    return errors.DownloadError(f"the result URL is not usable: {exc}", request_id=target.request_id)


def _media_request(http: httpx.Client | httpx.AsyncClient, action: FetchMedia) -> httpx.Request:
    """The GET of a result. It never carries the key (a caller's own client may hold it as a default header;
    it is taken off here, and redirects copy this request's headers), so it may follow a CDN's redirects to a
    signed or regional URL, which a gateway call never does."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **action.target.request_headers()}
    request = http.build_request("GET", action.url, headers=headers)
    request.headers.pop(KEY_HEADER, None)
    return request


def _check_redirects(action: FetchMedia, resp: httpx.Response) -> None:
    """Refuse a result that came from https through plain http: anyone on the way could have replaced it."""
    if action.url.lower().startswith("https:") and any(
        r.url.scheme != "https" for r in [*resp.history, resp]
    ):
        raise errors.DownloadError(
            "the result URL redirected from https to plain http; the video was not saved",
            request_id=action.target.request_id,
            hint="ask Pixazo support about the result host; the job itself succeeded",
        )


class SyncDriver:
    """Runs flows with a blocking httpx.Client and a blocking sleep."""

    def __init__(self, http: httpx.Client, sleep: Callable[[float], None]) -> None:
        self.http = http
        self.sleep = sleep

    def run(self, flow: Flow, observe: Callable[[JobStatus], None] | None = None) -> Any:
        """Drive a flow to its end and return its value (its exceptions propagate); `observe` gets each
        status the flow reports (`protocol.Observe`)."""
        try:
            action = next(flow)
            while True:
                if isinstance(action, Sleep):
                    self.sleep(action.seconds)
                    action = flow.send(None)
                elif isinstance(action, Observe):
                    if observe is not None:
                        observe(action.status)
                    action = flow.send(None)
                elif isinstance(action, FetchMedia):
                    action = flow.send(self.fetch(action))
                else:
                    try:
                        response = self.send(action)
                    except httpx.TransportError as exc:
                        action = flow.throw(_failure(exc))
                    else:
                        action = flow.send(response)
        except StopIteration as stop:
            return stop.value

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request and read at most MAX_BODY_BYTES of its answer."""
        try:
            with self.http.stream(
                request.method,
                request.url,
                headers=dict(request.headers),
                json=request.json,
                follow_redirects=False,  # the key must not travel: whatever a caller's own client says
            ) as resp:
                body = bytearray()
                try:
                    for chunk in resp.iter_bytes():
                        body += chunk
                        if len(body) > MAX_BODY_BYTES:
                            break
                except httpx.DecodingError:
                    body = bytearray()  # a body its Content-Encoding cannot decode is unreadable, not a crash
                return HttpResponse(resp.status_code, dict(resp.headers), bytes(body[:MAX_BODY_BYTES]))
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise _bad_url(exc) from None

    def fetch(self, action: FetchMedia) -> MediaOutcome:
        """Stream a media URL into the download target; report how it went."""
        target = action.target
        try:
            request = _media_request(self.http, action)
            resp = self.http.send(request, stream=True, follow_redirects=True, auth=None)
            try:
                _check_redirects(action, resp)
                if resp.status_code not in (200, 206):
                    return MediaOutcome(resp.status_code)
                target.begin(resp.status_code, resp.headers)
                try:
                    for chunk in resp.iter_raw():
                        target.write(chunk)
                except BaseException:
                    target.close(
                        quiet=True
                    )  # keep the bytes for a resume; the first error is the one to tell
                    raise
                target.close()
                return MediaOutcome(resp.status_code)
            finally:
                resp.close()
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.TooManyRedirects) as exc:
            raise _unusable(target, exc) from None
        except httpx.TransportError as exc:
            return MediaOutcome(200, f"{type(exc).__name__}: {exc}")


class AsyncDriver:
    """Runs flows with an httpx.AsyncClient and anyio's sleep (never blocking the event loop)."""

    def __init__(self, http: httpx.AsyncClient, sleep: Callable[[float], Any] | None = None) -> None:
        self.http = http
        self.sleep = sleep or anyio.sleep

    async def run(self, flow: Flow, observe: Callable[[JobStatus], Awaitable[None]] | None = None) -> Any:
        """Drive a flow to its end and return its value (its exceptions propagate); `observe` is awaited
        with each status the flow reports (`protocol.Observe`)."""
        try:
            action = next(flow)
            while True:
                if isinstance(action, Sleep):
                    await self.sleep(action.seconds)
                    action = flow.send(None)
                elif isinstance(action, Observe):
                    if observe is not None:
                        await observe(action.status)
                    action = flow.send(None)
                elif isinstance(action, FetchMedia):
                    action = flow.send(await self.fetch(action))
                else:
                    try:
                        response = await self.send(action)
                    except httpx.TransportError as exc:
                        action = flow.throw(_failure(exc))
                    else:
                        action = flow.send(response)
        except StopIteration as stop:
            return stop.value

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request and read at most MAX_BODY_BYTES of its answer."""
        try:
            async with self.http.stream(
                request.method,
                request.url,
                headers=dict(request.headers),
                json=request.json,
                follow_redirects=False,  # the key must not travel: whatever a caller's own client says
            ) as resp:
                body = bytearray()
                try:
                    async for chunk in resp.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_BODY_BYTES:
                            break
                except httpx.DecodingError:
                    body = bytearray()  # a body its Content-Encoding cannot decode is unreadable, not a crash
                return HttpResponse(resp.status_code, dict(resp.headers), bytes(body[:MAX_BODY_BYTES]))
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise _bad_url(exc) from None

    async def fetch(self, action: FetchMedia) -> MediaOutcome:
        """Stream a media URL into the download target; report how it went."""
        target = action.target
        try:
            request = _media_request(self.http, action)
            resp = await self.http.send(request, stream=True, follow_redirects=True, auth=None)
            try:
                _check_redirects(action, resp)
                if resp.status_code not in (200, 206):
                    return MediaOutcome(resp.status_code)
                target.begin(resp.status_code, resp.headers)
                try:
                    async for chunk in resp.aiter_raw():
                        target.write(chunk)
                except BaseException:
                    target.close(
                        quiet=True
                    )  # keep the bytes for a resume; the first error is the one to tell
                    raise
                await anyio.to_thread.run_sync(target.close)  # the fsync waits for the disk, not the loop
                return MediaOutcome(resp.status_code)
            finally:
                await resp.aclose()
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.TooManyRedirects) as exc:
            raise _unusable(target, exc) from None
        except httpx.TransportError as exc:
            return MediaOutcome(200, f"{type(exc).__name__}: {exc}")
