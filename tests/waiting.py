"""Waiting for something that happens elsewhere (another thread, process or server), never for time.

`wait_for` polls a predicate until it holds: it returns as soon as the event happened, so it does not make
a test slower than the event, and its timeout only bounds a test that would otherwise hang.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.01) -> T:
    """Return the predicate's first truthy value; AssertionError if it stays false for `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"still false after {timeout} s: {getattr(predicate, '__name__', predicate)}"
            )
        time.sleep(interval)
