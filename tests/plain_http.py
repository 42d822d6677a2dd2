"""httpx's one-call API (`get`, `post`, `head`, `request`, `stream`) and `client()`, with one TLS context.

`httpx.get(url)` builds a client for the call, and with it a TLS context read from the CA bundle: 30-45 ms of
CPU, most of what such a call costs against the emulator on 127.0.0.1 (and a test polling a server that is
starting does it every 50 ms). These are the same calls, each with a fresh client and no connection kept
between calls, with httpx's default settings; only the TLS context (httpx's default one) is made once.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
from collections.abc import Iterator
from typing import Any

import httpx


@functools.cache
def tls() -> ssl.SSLContext:
    """httpx's default TLS context (certificates checked against its CA bundle), made once per process."""
    return httpx.create_ssl_context()


def client(**options: Any) -> httpx.Client:
    """`httpx.Client(**options)` with the shared TLS context."""
    return httpx.Client(verify=tls(), **options)


def request(method: str, url: str, *, timeout: float = 5.0, **options: Any) -> httpx.Response:
    """As `httpx.request` (5 s timeout by default)."""
    with client(timeout=timeout) as http:
        return http.request(method, url, **options)


def get(url: str, **options: Any) -> httpx.Response:
    """As `httpx.get`."""
    return request("GET", url, **options)


def post(url: str, **options: Any) -> httpx.Response:
    """As `httpx.post`."""
    return request("POST", url, **options)


def head(url: str, **options: Any) -> httpx.Response:
    """As `httpx.head`."""
    return request("HEAD", url, **options)


@contextlib.contextmanager
def stream(method: str, url: str, *, timeout: float = 5.0, **options: Any) -> Iterator[httpx.Response]:
    """As `httpx.stream`."""
    with client(timeout=timeout) as http, http.stream(method, url, **options) as response:
        yield response
