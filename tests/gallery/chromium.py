"""Drive a real headless Chromium over the DevTools protocol, with no Python dependency beyond the stdlib.

Chromium's `--remote-debugging-pipe` speaks the DevTools protocol on file descriptors 3 (commands in) and 4
(answers and events out), one JSON message per NUL byte: no websocket client is needed. bash places our pipe
ends on 3 and 4 (dash cannot name descriptors above 9, and `preexec_fn` is unsafe with the emulator's threads).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")
"""Where Debian's chromium (and its Ubuntu name) is looked for."""

FLAGS = (
    "--headless=new",
    "--no-sandbox",  # containers run as root without user namespaces: the sandbox cannot start there
    "--disable-gpu",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",  # only the page's own requests should reach the network log
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """The chromium executable, or None when none is installed."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    """Chromium answered a command with an error, closed the pipe, or did not answer in time."""


class Browser:
    """One headless Chromium process and one page (tab) in it, driven over the DevTools pipe."""

    def __init__(self, binary: str, profile: Path, log: Path, *, timeout: float = 20.0) -> None:
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._buffer = b""
        self._next_id = 0
        commands_in, self._commands = os.pipe()
        self._answers, answers_out = os.pipe()
        # Above 9 so the shell's `3<&N 4>&M` can never clobber one of its own sources.
        child_in = fcntl.fcntl(commands_in, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(answers_out, fcntl.F_DUPFD, 10)
        for fd in (commands_in, answers_out):
            os.close(fd)
        script = f'exec "$@" 3<&{child_in} 4>&{child_out} {child_in}<&- {child_out}>&-'
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [
                    "bash",
                    "-c",
                    script,
                    "chromium",
                    binary,
                    *FLAGS,
                    f"--user-data-dir={profile}",
                    "about:blank",
                ],
                pass_fds=(child_in, child_out),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        os.close(child_in)
        os.close(child_out)
        self.session = ""
        self.loader = ""
        """The DevTools loader id of the document opened by the last `goto`."""
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
            self.session = attached["sessionId"]
            for domain in ("Page", "Runtime", "Network"):
                self.call(f"{domain}.enable")
        except BaseException:
            self.close()
            raise

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one command (to the page once attached) and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        answer = self._read_until(lambda m: m.get("id") == self._next_id, f"the answer to {method}")
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer["result"]
        return result

    def wait_event(self, method: str) -> dict[str, Any]:
        """Wait for the next event named `method` (events already received count)."""
        for n, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(n)
        found = self._read_until(lambda m: m.get("method") == method, method)
        self.events.remove(found)
        return found

    def goto(self, url: str, *, width: int, height: int) -> None:
        """Open `url` in a phone-sized (or any) viewport and wait for its load event."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        self.events.clear()
        self.loader = self.call("Page.navigate", {"url": url}).get("loaderId", "")
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page (awaiting a promise) and return its JSON value; a JS exception raises."""
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """Save the viewport as a PNG."""
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def requested_urls(self) -> list[str]:
        """Every URL the page opened by the last `goto` asked for (not the browser's own, e.g. a late favicon)."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent" and e["params"].get("loaderId") == self.loader
        ]

    def close(self) -> None:
        """Close the browser (politely, then by force) and the pipes."""
        try:
            if self.process.poll() is None:
                self.session = ""
                self.call("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        os.close(self._commands)
        os.close(self._answers)

    def _read_until(self, wanted: Any, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buffer:
                raw, _, self._buffer = self._buffer.partition(b"\0")
                message: dict[str, Any] = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if wanted(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"chromium did not send {what} within {self.timeout:.0f} s")
            ready, _, _ = select.select([self._answers], [], [], left)
            chunk = os.read(self._answers, 1 << 16) if ready else b""
            if ready and not chunk:
                raise BrowserError(f"chromium closed the DevTools pipe before {what} (see its log)")
            self._buffer += chunk
