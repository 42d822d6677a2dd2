"""`X-Webhook-URL`: once a job ends the emulator POSTs its final status body there, once."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from seedance.catalog import WEBHOOK_HEADER
from seedance.emulator import EmulatorHandle

from .conftest import Api


class Receiver(HTTPServer):
    """A tiny webhook receiver on a pre-bound 127.0.0.1 port, keeping what it is sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[dict[str, Any]] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"path": self.path, "json": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_webhook_is_posted_once_to_an_outside_receiver(
    api: Api, emulator: EmulatorHandle, receiver: Receiver
) -> None:
    """The receiver gets the COMPLETED status body with a working media URL, exactly once."""
    request_id = api.submit_id(headers={WEBHOOK_HEADER: receiver.url})
    job = emulator.wait_for_job(request_id)  # returns once the receiver has answered the one delivery
    [delivery] = receiver.received
    assert delivery["path"] == "/hook"
    body = delivery["json"]
    assert (body["request_id"], body["status"]) == (request_id, "COMPLETED")
    assert body["output"]["media_url"][0].startswith(emulator.base_url + "/_media/")
    assert (job.webhook_sent, job.webhook_status_code, job.webhook_error) == (True, 204, None)


def test_webhook_reports_a_failure(api: Api, emulator: EmulatorHandle) -> None:
    """A failed job's webhook carries FAILED and the error (sent to the emulator's own sink)."""
    emulator.add_fault("fail:count=1,message=nope")
    request_id = api.submit_id(headers={WEBHOOK_HEADER: emulator.webhook_url})
    emulator.wait_for_job(request_id)
    [delivery] = emulator.webhooks
    assert (delivery["json"]["status"], delivery["json"]["error"]) == ("FAILED", "nope")


def test_unreachable_receiver_is_recorded_not_raised(api: Api, emulator: EmulatorHandle) -> None:
    """A receiver that refuses the connection leaves an error on the job; the emulator goes on."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
        request_id = api.submit_id(headers={WEBHOOK_HEADER: url})
        job = emulator.wait_for_job(request_id)
    assert job.webhook_sent
    assert job.webhook_status_code is None
    assert "ConnectError" in (job.webhook_error or "")
    assert api.submit().status_code == 202


def test_no_webhook_fault_suppresses_delivery(api: Api, emulator: EmulatorHandle) -> None:
    """A `no_webhook` rule drops the next job's delivery."""
    emulator.add_fault("no_webhook", count=1)
    suppressed = api.submit_id(headers={WEBHOOK_HEADER: emulator.webhook_url})
    delivered = api.submit_id(headers={WEBHOOK_HEADER: emulator.webhook_url})
    assert emulator.wait_for_job(suppressed).webhook_suppressed
    emulator.wait_for_job(delivered)  # both jobs ended and the delivered one's POST was answered
    assert [w["json"]["request_id"] for w in emulator.webhooks] == [delivered]
