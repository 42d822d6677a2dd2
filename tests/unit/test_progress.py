"""MCP progress notifications: their progress value grows with every one, as the protocol asks."""

from __future__ import annotations

import anyio

from seedance.agents.progress import WaitProgress


def test_states_reported_within_the_same_hundredth_of_a_second_still_grow() -> None:
    """`downloading` then `saved` a few microseconds apart (what a small download does) used to share one
    rounded value; each notification now carries a larger one than the last."""
    sent: list[float] = []

    async def report(progress: float, total: float | None, message: str | None) -> None:
        sent.append(progress)

    async def main() -> None:
        progress = WaitProgress("job-1", 30)
        progress._started = anyio.current_time() - 3.0234  # as if the wait began 3.02 s ago
        for state in ("running", "succeeded", "downloading", "saved"):
            progress.state = state
            assert await progress._report(report)

    anyio.run(main)
    assert sent == sorted(set(sent)), sent
    assert len(sent) == 4
