"""A job is journaled as sent to a gateway that ends with its process only when the client is told so: no
global decides it (an emulator started in the same process, like the test's own, is not enough)."""

from __future__ import annotations

from seedance import Client
from seedance.emulator import EmulatorHandle
from seedance.journal import Journal

REQUEST = {"prompt": "A cat", "duration": 4, "resolution": "480p"}


def test_only_a_client_told_its_gateway_is_ephemeral_journals_its_jobs_so(
    emulator: EmulatorHandle, journal_location: str
) -> None:
    journal = Journal(journal_location)
    sent = {}
    for ephemeral in (False, True):
        with Client(api_key=emulator.api_key, base_url=emulator.base_url, journal=journal) as client:
            client.ephemeral_gateway = ephemeral
            job = client.submit({**REQUEST, "prompt": f"A cat, ephemeral={ephemeral}"}, want_download=False)
        sent[job.request_id] = ephemeral
    rows = {row.request_id: row.ephemeral_gateway for row in journal.jobs()}
    assert rows == sent
    assert sorted(rows.values()) == [False, True]
