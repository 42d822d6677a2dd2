"""How the public API is meant to be used, checked by mypy --strict (`make typecheck`), never run by pytest.

If a change breaks a caller's types (a renamed parameter, a return type that lost a field), this file
stops type-checking: the public surface is a promise (hynek/stamina's tests/typing).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, assert_type

import seedance


def sync_usage() -> None:
    with seedance.Client(base_url="http://127.0.0.1:8000", api_key="sk-typing-only") as client:
        request = seedance.VideoRequest(prompt="A fox", model="2.0-fast", duration=5)
        job = client.submit(request)
        assert_type(job, seedance.Job)
        assert_type(job.request_id, str)
        status = client.status(job.request_id)
        assert_type(status, seedance.JobStatus)
        assert_type(status.state, seedance.State)
        assert_type(status.video_url, str | None)
        result = client.wait(job, timeout=600, on_update=lambda s: print(s.raw_status))
        assert_type(result, seedance.Result)
        saved = client.download(result, Path("fox.mp4"))
        assert_type(saved.path, Path | None)
        assert_type(saved.sha256, str | None)
        generated = client.generate({"prompt": "A cat", "duration": 5}, "cat.mp4")
        assert_type(generated, seedance.Result)


async def async_usage() -> None:
    async with seedance.AsyncClient(journal=seedance.Journal()) as client:
        result = await client.generate({"prompt": "A cat"}, "cat-async.mp4")
        assert_type(result, seedance.Result)
        status = await client.status(result)
        assert_type(status, seedance.JobStatus)


def errors_usage() -> None:
    try:
        sync_usage()
    except seedance.RepeatRefused as refused:
        assert_type(refused.request_id, str | None)
        assert_type(refused.local_id, str | None)
    except seedance.SubmitUnknownError as unknown:
        assert_type(unknown.local_id, str | None)
    except seedance.SeedanceError as error:
        assert_type(error.exit_code, int)
        assert_type(error.remedy, str)
        assert_type(error.to_dict(), dict[str, Any])
    estimate = seedance.estimate_cost({"prompt": "A cat", "model": "2.0"})
    assert_type(estimate.usd, float | None)
    asyncio.run(async_usage())
