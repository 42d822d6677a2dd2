"""What each MCP tool does, as plain async methods returning JSON-ready dicts (errors stay `SeedanceError`s).

Every job goes through `AsyncClient(journal=Journal())`, exactly as the CLI's jobs do, so a person sees an
agent's jobs with `seedance jobs` and finishes them with `seedance resume`. The key is resolved the CLI's
way but never asked for (stdin is the protocol channel): without one, `KeyMissingError(KEY_PROMPT)`.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import anyio
from pydantic import Field

from seedance import auth, bodies, catalog, errors, media, pricing
from seedance import jobs as service
from seedance.agents import requests
from seedance.agents.answers import estimate_data, record_data, result_data, still_downloading, still_running
from seedance.agents.progress import WaitProgress
from seedance.agents.safety import Sandbox
from seedance.client import AsyncClient, JobRef, off_loop
from seedance.request import VideoRequest, parse_request


@dataclass(frozen=True)
class Gateway:
    """How the server reaches the gateway: its URL, a fixed key (emulator) or none (resolve per call)."""

    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    poll_interval: float | None = None
    emulator: bool = False

    def client(self) -> AsyncClient:
        """A journaled client; raises KeyMissingError (the skill's sentence) when there is no key.

        Its submits take turns in the key's shared pace (batch.pacing), so a batch running on the same key
        counts them, and learns from their 429s, instead of fighting them for the rate limit.
        """
        from seedance import auth
        from seedance.batch.pacing import SubmitPacer
        from seedance.batch.runner import make_client

        key = auth.resolve_key(self.api_key, interactive=False).key
        pacer = SubmitPacer.for_account(self.base_url, key)
        return make_client(base_url=self.base_url, api_key=key, poll_interval=self.poll_interval,
                           journal=service.user_journal(), pacer=pacer)  # fmt: skip


JobId = Annotated[str, Field(description="The job's request id (or its journal id, or a unique prefix).")]
WaitSeconds = Annotated[
    int,
    Field(description=f"Seconds to wait (1-{requests.MAX_WAIT_SECONDS}) before answering 'still running'."),
]
Output = Annotated[
    str | None, Field(description="File name in the server's output folder (default: the job's own name).")
]


MIN_DOWNLOAD_SECONDS = 5.0
"""A finished job's download gets at least this long within a call, even when the wait used up the rest."""


def _same_file_key(path: Path) -> str:
    """What two output paths share when they name one file on any disk (macOS and Windows ignore case)."""
    return str(path).casefold()


class AgentTools:
    """The server's tools over one gateway and one sandbox; each method is one MCP tool."""

    def __init__(self, gateway: Gateway, sandbox: Sandbox) -> None:
        self.gateway = gateway
        self.sandbox = sandbox
        self._downloads: dict[str, anyio.Lock] = {}
        """One lock per output file that wait_for_job and download_video write (see `_one_download`)."""
        self._reserved: set[str] = set()
        """Output files promised to calls still running (two calls must not be paid into one file), by
        `_same_file_key`: on a case-insensitive disk, Cat.mp4 and cat.mp4 are one file."""

    def _request(self, values: dict[str, Any]) -> VideoRequest:
        fields = requests.request_fields(values)
        extend = self.sandbox.extend_source(fields.pop("extend_video", None))
        fields = self.sandbox.check_request_media(fields)
        if extend is not None:
            fields["extend_video"] = extend
        request = parse_request(fields)
        bodies.build_body(request, resolve=media.check)  # the files themselves: as generate_video would
        return request

    @asynccontextmanager
    async def _reserve(self, target: Path, given: str | None) -> AsyncIterator[None]:
        """Hold `target` for one call: another call, an existing file, or a job still to be downloaded there
        (one left 'still running') may not use it. (No await between the set's check and its add.)"""
        key = _same_file_key(target)
        awaited = await off_loop(lambda: service.owner_of(service.user_journal(), target) is not None)
        if key in self._reserved or (given and target.exists()) or awaited:
            raise errors.InputError(
                f"output: {target.name} already exists (or is being made) in {self.sandbox.out_dir}",
                hint="choose another output name",
            )
        self._reserved.add(key)
        try:
            yield
        finally:
            self._reserved.discard(key)

    async def list_operations(self) -> dict[str, Any]:
        """The 19 operations served (and any retired, marked so), what each takes, its limits and price."""
        from seedance.listing import model_row, operation_row

        prices = pricing.load_prices()
        current = catalog.current()
        models = {m.name: model_row(m, prices) for m in current.models.values()}
        operations = []
        for op in current.operations:
            row = operation_row(op, prices)
            row["inputs"] = catalog_inputs(op)  # in words an agent reads; the row's mapping stays below
            row["input_rules"] = dict(op.inputs)
            operations.append(row)
        return {"ok": True, "models": models, "operations": operations}

    async def estimate_cost(self, **values: Any) -> dict[str, Any]:
        """Validate a request and estimate its cost; nothing is sent."""
        request = self._request(values)
        return {
            "ok": True,
            "spends_credits": False,
            "operation": request.op.name,
            "model": request.model,
            "duration": request.effective_duration(),
            **estimate_data(request, emulated=self.gateway.emulator),
        }

    async def generate_video(
        self, *, output: str | None, wait_seconds: int, download: bool, again: bool, **values: Any
    ) -> dict[str, Any]:
        """Submit one paid job, wait a bounded time, download it; or say it is still running."""
        request = self._request(values)
        target = self.sandbox.output(output, prompt=request.prompt)
        if download:
            self.sandbox.check_out_dir()
        cost = estimate_data(request, emulated=self.gateway.emulator)
        async with (
            self._reserve(target, output),
            self._one_download(str(target) if download else None, None),
            self.gateway.client() as client,
        ):
            # A client that gives up on the call (its timeout) cancels it: not while the submit is on its
            # way, or the job's request id would be lost and the job left `submitting`. The HTTP timeout
            # bounds the shielded part.
            with anyio.CancelScope(shield=True):
                plan = functools.partial(
                    service.plan,
                    journal=client.journal,
                    gateway=client.base_url,
                    again=again,
                    download=download,
                    free=self.gateway.emulator,  # emulator work is free: a repeat costs nothing
                    steps=REPEAT_STEPS,
                )
                chosen = await off_loop(plan, request, target)  # media checks and journal reads
                job, _ = await service.asubmit(client, chosen)
            facts = {"operation": job.operation, "model": request.model, **cost}
            # the request's own warnings (an unconfirmed value), then the submit's
            facts["warnings"] = [*cost["warnings"], *job.warnings]
            limit = requests.wait_limit(request.model, request.effective_duration())
            with _paid_for(job.request_id):
                answer = await self._finish(client, job, wait_seconds, download, target, limit)
        return {
            **(answer or still_running(job.request_id, job.local_id, emulated=self.gateway.emulator)),
            **facts,
        }

    async def _finish(
        self,
        client: AsyncClient,
        job: JobRef,
        wait_seconds: float,
        download: bool,
        target: Path | str | None,
        limit: float = requests.MAX_WAIT_SECONDS,
    ) -> dict[str, Any] | None:
        """Wait and download within `wait_seconds` (the whole call: status checks, then the download, which
        gets what is left and at least MIN_DOWNLOAD_SECONDS); None when the job is not done in time, a
        "downloading" answer when the download is not."""
        budget = requests.bounded_wait(wait_seconds, limit)
        if budget <= 0:
            return None
        deadline = anyio.current_time() + budget
        progress = WaitProgress(job if isinstance(job, str) else job.request_id, budget)
        async with progress.reporting():
            result = None
            with anyio.move_on_after(budget + 5):  # a slow or silent gateway cannot hold the agent's call
                with contextlib.suppress(errors.PollTimeout):
                    result = await client.wait(job, timeout=budget, on_update=progress.update)
            if result is None:
                return None
            if not download:
                progress.state = "succeeded"
                return result_data(result)
            progress.state = "downloading"
            with anyio.move_on_after(max(deadline - anyio.current_time(), MIN_DOWNLOAD_SECONDS)):
                saved = await client.download(result, target)
                progress.state = "saved"
                return result_data(saved)
        return still_downloading(result.request_id, result.video_url)

    async def get_job(self, job_id: JobId) -> dict[str, Any]:
        """A job's status: read once from the gateway (free), with what the journal knows."""
        record = await off_loop(service.find, job_id)
        if record is not None and not record.request_id:  # never reached the gateway: nothing to ask
            return {"ok": True, **record_data(record)}
        async with self.gateway.client() as client:
            status = await client.status(job_id)
        record = await off_loop(service.find, job_id)
        data: dict[str, Any] = record_data(record) if record is not None else {"request_id": job_id}
        data.update(state=status.state.value, status=status.raw_status, video_url=status.video_url)
        emulated = self.gateway.emulator or (record is not None and record.emulated)
        data.update(error=status.error, charged=False if emulated else status.charged)
        return {"ok": True, **data}

    async def wait_for_job(
        self,
        job_id: JobId,
        wait_seconds: WaitSeconds = requests.DEFAULT_WAIT_SECONDS,
        download: Annotated[bool, Field(description="Save the video (false: only return its URL).")] = True,
    ) -> dict[str, Any]:
        """Wait a bounded time for a job, then download its video into the output folder."""
        await off_loop(_require_request_id, job_id)
        record = await off_loop(service.find, job_id)
        request_id = record.request_id if record is not None and record.request_id else job_id
        target = await off_loop(self._download_target, job_id, None) if download else None
        duration = record.settings.get("duration") if record is not None else None
        limit = requests.wait_limit(
            record.model if record else None, duration if isinstance(duration, int) else None
        )
        async with self._one_download(target, request_id), self.gateway.client() as client:
            with _paid_for(request_id):
                answer = await self._finish(client, job_id, max(wait_seconds, 1), download, target, limit)
        return answer or still_running(
            request_id, record.local_id if record else None, emulated=self.gateway.emulator
        )

    async def list_jobs(
        self,
        state: Annotated[
            str | None,
            Field(
                description="Only jobs in this state: queued, running, succeeded, downloaded, failed, "
                "unknown or rejected."
            ),
        ] = None,
        limit: Annotated[int, Field(description="At most this many jobs (1-200).")] = 20,
    ) -> dict[str, Any]:
        """The journal's jobs, newest first (no request is sent)."""
        listing = functools.partial(service.listed, state=state or None, limit=min(max(limit, 1), 200))
        records = await off_loop(listing)
        return {"ok": True, "jobs": [record_data(r) for r in records]}

    async def download_video(self, job_id: JobId, output: Output = None) -> dict[str, Any]:
        """Download a finished job's video into the output folder."""
        await off_loop(_require_request_id, job_id)
        target = await off_loop(self._download_target, job_id, output)
        async with self._one_download(target, job_id), self.gateway.client() as client:
            with _paid_for(job_id), anyio.move_on_after(requests.DEFAULT_WAIT_SECONDS):
                return result_data(await client.download(job_id, target))
        return still_downloading(job_id, None)

    @asynccontextmanager
    async def _one_download(self, target: str | None, request_id: str | None) -> AsyncIterator[None]:
        """One call at a time waits for and downloads into one file. A second call (an agent calling again
        while the first still runs) is told to call again later, instead of both failing on one part file."""
        if target is None:
            yield
            return
        lock = self._downloads.setdefault(_same_file_key(Path(target)), anyio.Lock())
        if lock.locked():
            raise errors.NotReadyError(
                f"another call is already waiting for this job and saving its video as {Path(target).name}",
                request_id=request_id,
                hint="call wait_for_job again in a little while: it answers once that call is done",
            )
        async with lock:
            yield

    def _download_target(self, job_id: str, output: str | None) -> str:
        journal = service.user_journal()
        record = journal.get(job_id)
        recorded = self.sandbox.recorded_output(record.output_path if record else None)
        if output:
            target = self.sandbox.output(output)
            # Before any wait: never another job's video, nor a file that is not this job's own.
            service.check_download_target(journal, target, job=record, overwrite=False)
            return str(target)
        if recorded is not None:
            return str(recorded)
        request_id = record.request_id if record and record.request_id else job_id
        return str(self.sandbox.output(f"seedance-{request_id}"))

    async def account_setup_instructions(self) -> dict[str, Any]:
        """Whether a key is configured (never the key), and how a person gets one."""
        data: dict[str, Any] = {
            "ok": True,
            "key_file": str(auth.key_path()),
            "get_a_key": errors.API_KEYS_URL,
            "balance_and_prices": errors.DASHBOARD_URL,
        }
        if self.gateway.api_key is not None:
            return {**data, "has_key": True, "key_source": "emulator" if self.gateway.emulator else "flag"}
        try:
            found = auth.resolve_key(None, interactive=False)
        except errors.SeedanceError as exc:
            return {
                **data,
                "has_key": False,
                "problem": None if exc.message == errors.KEY_PROMPT else exc.message,
                "fix": None if exc.message == errors.KEY_PROMPT else exc.remedy,
                "say_to_user": errors.KEY_PROMPT,
                "then": "call save_api_key with the key the person pastes",
            }
        return {**data, "has_key": True, "key_source": {"env": auth.ENV_VAR}.get(found.source, "key_file")}

    async def save_api_key(
        self, api_key: Annotated[str, Field(description="The key exactly as the person pasted it.")]
    ) -> dict[str, Any]:
        """Save a pasted key to ~/.pixazo/api-key (mode 600); never echo it."""
        path = auth.save_key(api_key)
        data: dict[str, Any] = {"ok": True, "saved_to": str(path), "mode": "600"}
        if os.environ.get(auth.ENV_VAR, "").strip():
            data["note"] = f"{auth.ENV_VAR} is set for this server and is used before the file"
        if self.gateway.api_key is not None:
            data["note"] = "this server was started with a fixed key (--emulator); the saved key is for later"
        return data


REPEAT_STEPS = service.NextSteps(
    on_its_way="call list_jobs in a few seconds for its request id, then wait_for_job",
    to_wait="call wait_for_job with job_id={request_id!r} for its video (free)",
    to_check="check list_jobs and the Pixazo dashboard before submitting again",
    again="pass again=true only to pay for a second video of the same request",
)
"""What a refused repeat tells the agent to do instead of paying again."""


def catalog_inputs(op: catalog.Operation) -> str:
    """Which request fields an operation uses, in the tools' own names, read from its row."""
    words = [name if need == "required" else f"{name} (optional)" for name, need in op.inputs.items()]
    if op.needs_one_of:
        words.append(f"at least one of {', '.join(op.needs_one_of)}")
    return ", ".join(words)


def _require_request_id(job_id: str) -> None:
    """Refuse a journal job that never reached the gateway (there is nothing to wait for or download)."""
    record = service.find(job_id)
    if record is not None and not record.request_id:
        raise errors.InputError(
            f"job {job_id} never got a request id (state {record.state}): {record.error or 'not sent'}",
            hint="`seedance jobs show ID` has the details; check your dashboard before submitting again",
        )


@contextmanager
def _paid_for(request_id: str) -> Iterator[None]:
    """Errors after a submit belong to a paid job: they carry its id (so the answer says to pick it up with
    wait_for_job, never to generate again), whatever step failed."""
    try:
        yield
    except errors.SeedanceError as exc:
        if not isinstance(exc, errors.LocalError) and getattr(exc, "request_id", None) is None:
            exc.request_id = request_id  # type: ignore[attr-defined]
        raise
    except (OSError, ValueError) as exc:  # e.g. the output folder became a file: still a paid job to pick up
        error = errors.SeedanceError(f"{type(exc).__name__}: {exc}")
        error.request_id = request_id  # type: ignore[attr-defined]
        raise error from None
