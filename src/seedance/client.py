"""`Client` and `AsyncClient`: submit, status, wait, download and generate, over one shared core.

Everything both twins do alike lives in `client_core.ClientCore`; the twins only run `protocol` flows with
their driver (`send` vs `await send`). A job can be picked up from its request id alone, which is what
resume needs.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import httpx

from seedance import errors, jobs, protocol
from seedance.client_core import (
    ClientCore,
    JobRef,
    ProgressCallback,
    UpdateCallback,
    names_folder,
    safe_filename,
)
from seedance.download import download_flow
from seedance.journal import Journal
from seedance.models import Job, JobStatus, Result
from seedance.request import VideoRequest
from seedance.transport import AsyncDriver, SyncDriver, make_timeout, tls

__all__ = ["AsyncClient", "Client", "JobRef", "names_folder", "safe_filename"]

T = TypeVar("T")


async def off_loop(work: Callable[..., T], *args: Any) -> T:
    """Run blocking work (SQLite, which may wait up to 30 s for another writer; reading local files) in a
    worker thread, so the async client never stalls its event loop (an MCP server answers other calls)."""
    return await anyio.to_thread.run_sync(functools.partial(work, *args))


class Client(ClientCore):
    """A blocking Seedance client. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        poll_interval: float | None = None,
        journal: Journal | None = None,
        webhook_url: str | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            poll_interval=poll_interval,
            journal=journal,
            webhook_url=webhook_url,
        )
        self._http = http or httpx.Client(timeout=make_timeout(timeout), follow_redirects=False, verify=tls())
        self._driver = SyncDriver(self._http, sleep)
        self._clock = clock

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop following this client's jobs and close the connection pool."""
        self._let_go()
        self._http.close()

    def submit(
        self,
        request: VideoRequest | dict[str, Any],
        *,
        output_path: str | None = None,
        want_download: bool = True,
        batch_id: str | None = None,
        batch_line: int | None = None,
        replace_existing: bool = True,
        checks: Callable[[], None] | None = None,
    ) -> Job:
        """Validate and send one generation request (this spends credits); return the queued Job.

        With a journal, `output_path` is claimed for this job in the same transaction that records it
        (OutputClaimed, nothing sent, when another job still has to save there); `replace_existing=False`
        also refuses a file already there (one a job of the same second may have just saved). `checks` run
        in that transaction too (the job service's refusals: `seedance.jobs.plan`).
        """
        req, body = self._prepare(request)
        local_id = self._record(
            req, body, output_path, want_download, batch_id, batch_line, replace_existing, checks
        )
        try:
            sub = self._driver.run(protocol.submit_flow(self.settings, req.op.path, body))
        except errors.SeedanceError as exc:
            self._submit_failed(local_id, exc)
            raise
        except BaseException:
            self._submit_interrupted(local_id)
            raise
        return self._job_from(req, local_id, sub)

    def status(self, job: JobRef) -> JobStatus:
        """Read a job's status once (free)."""
        ref = self._resolve(job)
        status: JobStatus = self._driver.run(
            protocol.status_flow(self.settings, ref.request_id, ref.polling_url)
        )
        self._observer(ref, None)(status)
        return status

    def wait(self, job: JobRef, *, timeout: float = 600.0, on_update: UpdateCallback | None = None) -> Result:
        """Poll until the job ends; return its Result. Raises GenerationFailed or PollTimeout."""
        ref = self._resolve(job)
        started = self._clock()
        flow = self._wait_flow(ref, timeout, self._clock)
        final = self._driver.run(flow, observe=self._observer(ref, on_update))
        return self._result(ref, final, started, self._clock)

    def download(
        self,
        result: JobRef,
        path: str | Path | None = None,
        *,
        overwrite: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """Save a finished job's video to `path` (resuming a partial download); return the Result with it.
        `on_progress(bytes_so_far, total_or_None)` is called as the bytes arrive.

        Another job's video (saved at `path`, or to be saved there) is never replaced; any other file that is
        not this job's own is refused (OutputClaimed) unless `overwrite`.
        """
        job, known = self._status_for_download(result)
        if known is None:
            known = self._result(job, self.status(job), self._clock(), self._clock)
        target = self._checked_target(job, path, overwrite, on_progress)
        try:
            outcome = self._driver.run(
                download_flow(self.settings, job.request_id, known.video_url, target, job.polling_url)
            )
        finally:
            target.release()
        return self._downloaded(known, job, outcome)

    def generate(
        self,
        request: VideoRequest | dict[str, Any],
        path: str | Path | None = None,
        *,
        timeout: float | None = None,
        on_update: UpdateCallback | None = None,
        download: bool = True,
        overwrite: bool = False,
        again: bool = False,
    ) -> Result:
        """Submit, wait and download: a prompt in, a video file out.

        Safe by default, before anything is sent: a file already at `path` is refused unless `overwrite`,
        another job's video always, and (with a journal) a request identical to a job still open unless
        `again` (`seedance.jobs.plan`). Without a `timeout`, the wait follows the job (`default_timeout`:
        model, duration, past run times).
        """
        chosen = self._plan(request, path, download=download, overwrite=overwrite, again=again)
        wait = timeout if timeout is not None else self.default_timeout(chosen.request)
        job, chosen = jobs.submit(self, chosen)
        where = chosen.target or path
        return self.finish(
            job, where, timeout=wait, on_update=on_update, download=download, overwrite=overwrite
        )

    def finish(
        self,
        job: JobRef,
        path: str | Path | None = None,
        *,
        timeout: float = 600.0,
        on_update: UpdateCallback | None = None,
        download: bool = True,
        overwrite: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """Wait for a submitted job and download its video: what `resume` does for each unfinished job."""
        result = self.wait(job, timeout=timeout, on_update=on_update)
        if not download:
            return result
        return self.download(result, path, overwrite=overwrite, on_progress=on_progress)


class AsyncClient(ClientCore):
    """The async twin of `Client` (anyio: asyncio or trio). Use `async with`, or call `aclose()`."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        poll_interval: float | None = None,
        journal: Journal | None = None,
        webhook_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_connections: int = 100,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            poll_interval=poll_interval,
            journal=journal,
            webhook_url=webhook_url,
        )
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=20)
        self._http = http or httpx.AsyncClient(
            timeout=make_timeout(timeout), follow_redirects=False, verify=tls(), limits=limits
        )
        self._driver = AsyncDriver(self._http, sleep)
        self._clock = clock

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop following this client's jobs and close the connection pool."""
        await off_loop(self._let_go)
        await self._http.aclose()

    async def submit(
        self,
        request: VideoRequest | dict[str, Any],
        *,
        output_path: str | None = None,
        want_download: bool = True,
        batch_id: str | None = None,
        batch_line: int | None = None,
        replace_existing: bool = True,
        checks: Callable[[], None] | None = None,
    ) -> Job:
        """Validate and send one generation request (this spends credits); return the queued Job.

        With a journal, `output_path` is claimed for this job in the same transaction that records it
        (OutputClaimed, nothing sent, when another job still has to save there); `replace_existing=False`
        also refuses a file already there (one a job of the same second may have just saved). `checks` run
        in that transaction too (the job service's refusals: `seedance.jobs.plan`).
        """
        req, body = await off_loop(self._prepare, request)  # local files are read here
        record = functools.partial(self._record, req, body, output_path, want_download, batch_id, batch_line)
        with anyio.CancelScope(shield=True):  # a row written must be known here, to be settled below
            local_id = await off_loop(record, replace_existing, checks)
        try:
            sub = await self._driver.run(protocol.submit_flow(self.settings, req.op.path, body))
        except errors.SeedanceError as exc:
            with anyio.CancelScope(shield=True):
                await off_loop(self._submit_failed, local_id, exc)
            raise
        except BaseException:
            with anyio.CancelScope(shield=True):  # cancelled: the journal must still say `unknown`
                await off_loop(self._submit_interrupted, local_id)
            raise
        job = None
        try:
            with anyio.CancelScope(shield=True):  # the paid job's request id must reach the journal
                job = await off_loop(self._job_from, req, local_id, sub)
        finally:
            if job is None:  # a cancel got in before the worker ran (asyncio's own task.cancel() is not
                job = self._job_from(
                    req, local_id, sub
                )  # held off by the shield): record it here, on the loop
        return job

    async def status(self, job: JobRef) -> JobStatus:
        """Read a job's status once (free)."""
        ref = await off_loop(self._resolve, job)
        flow = protocol.status_flow(self.settings, ref.request_id, ref.polling_url)
        status: JobStatus = await self._driver.run(flow)
        await off_loop(self._journal_status, ref, status)
        return status

    async def wait(
        self, job: JobRef, *, timeout: float = 600.0, on_update: UpdateCallback | None = None
    ) -> Result:
        """Poll until the job ends; return its Result. Raises GenerationFailed or PollTimeout."""
        ref = await off_loop(self._resolve, job)
        started = self._clock()
        flow = await off_loop(self._wait_flow, ref, timeout, self._clock)  # the schedule reads the journal

        async def observe(status: JobStatus) -> None:
            await off_loop(self._journal_status, ref, status)
            if on_update is not None:
                on_update(status)

        final = await self._driver.run(flow, observe=observe)
        return self._result(ref, final, started, self._clock)

    async def download(
        self,
        result: JobRef,
        path: str | Path | None = None,
        *,
        overwrite: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """Save a finished job's video to `path` (resuming a partial download); return the Result with it.
        `on_progress(bytes_so_far, total_or_None)` is called as the bytes arrive.

        Another job's video (saved at `path`, or to be saved there) is never replaced; any other file that is
        not this job's own is refused (OutputClaimed) unless `overwrite`.
        """
        job, known = await off_loop(self._status_for_download, result)
        if known is None:
            known = self._result(job, await self.status(job), self._clock(), self._clock)
        target = await off_loop(self._checked_target, job, path, overwrite, on_progress)
        try:
            outcome = await self._driver.run(
                download_flow(self.settings, job.request_id, known.video_url, target, job.polling_url)
            )
        finally:
            target.release()
        return await off_loop(self._downloaded, known, job, outcome)

    async def generate(
        self,
        request: VideoRequest | dict[str, Any],
        path: str | Path | None = None,
        *,
        timeout: float | None = None,
        on_update: UpdateCallback | None = None,
        download: bool = True,
        overwrite: bool = False,
        again: bool = False,
    ) -> Result:
        """Submit, wait and download: a prompt in, a video file out (refusals and wait as `Client.generate`)."""
        plan = functools.partial(self._plan, download=download, overwrite=overwrite, again=again)
        chosen = await off_loop(plan, request, path)
        wait = timeout if timeout is not None else await off_loop(self.default_timeout, chosen.request)
        job, chosen = await jobs.asubmit(self, chosen)
        where = chosen.target or path
        return await self.finish(
            job, where, timeout=wait, on_update=on_update, download=download, overwrite=overwrite
        )

    async def finish(
        self,
        job: JobRef,
        path: str | Path | None = None,
        *,
        timeout: float = 600.0,
        on_update: UpdateCallback | None = None,
        download: bool = True,
        overwrite: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """Wait for a submitted job and download its video: what `resume` does for each unfinished job."""
        result = await self.wait(job, timeout=timeout, on_update=on_update)
        if not download:
            return result
        return await self.download(result, path, overwrite=overwrite, on_progress=on_progress)
