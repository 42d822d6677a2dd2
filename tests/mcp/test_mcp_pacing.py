"""The MCP server's client shares the key's pace record with batches: its submits count in their schedule."""

from __future__ import annotations

import asyncio
from typing import Any

from seedance.agents.tools import Gateway
from seedance.batch.pacing import SubmitPacer


def test_a_server_submit_takes_a_turn_in_the_keys_shared_schedule(emulator: Any) -> None:
    """A job submitted through the server's client is a turn and an accepted submit in the record that a
    batch on the same key reads (and a 429 it gets would lower that batch's pace too)."""
    gateway = Gateway(base_url=emulator.base_url, api_key=emulator.api_key, poll_interval=0.05)

    async def submit() -> None:
        async with gateway.client() as client:
            await client.submit({"prompt": "A cat walking on the beach", "duration": 4, "resolution": "480p"})

    asyncio.run(submit())
    batch_view = SubmitPacer.for_account(emulator.base_url, emulator.api_key)
    assert batch_view.record.update(lambda s: (len(s.turns), len(s.accepted))) == (1, 1)
    other_key = SubmitPacer.for_account(emulator.base_url, "another-key")
    assert other_key.record.update(lambda s: (len(s.turns), len(s.accepted))) == (0, 0)
