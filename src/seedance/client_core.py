"""What the sync and async clients share: validation, body building, journal bookkeeping, the polling
schedule, the download's target and turning statuses into results (`ClientCore`); the twins in `client.py`
only run `protocol` flows with their driver.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from seedance import auth, bodies, config, errors, jobs, journal_leases, protocol, verdicts
from seedance.download import DownloadTarget
from seedance.jobs import outputs
from seedance.journal import JobRecord, Journal
from seedance.leases import is_followed
from seedance.models import Job, JobStatus, Result
from seedance.polling import PollSchedule, default_timeout, schedule_from_history
from seedance.pricing import estimate
from seedance.request import VideoRequest, parse_request

T = TypeVar("T")

JobRef = Job | Result | str
UpdateCallback = Callable[[JobStatus], None]
ProgressCallback = Callable[[int, int | None], None]
"""Called with the bytes of a download so far and its whole size (None when the server did not say)."""


def safe_filename(name: str, suffix: str = ".mp4") -> str:
    """A file name made only of safe characters (names from the gateway or prompts never become paths)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:100] or "video"
    return stem + suffix


class ClientCore:
    """State and decisions shared by the sync and async clients."""

    ephemeral_gateway = False
    """Set True on a client whose gateway ends with this process (a private emulator): its jobs are journaled
    as gone with it, free. Nothing in seedance sets it: the `--emulator` gateway is shared and keeps its jobs."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float,
        poll_interval: float | None,
        journal: Journal | None,
        webhook_url: str | None,
    ) -> None:
        url = config.base_url(base_url)
        key = auth.resolve_key(api_key, interactive=False).key
        self.settings = protocol.Settings(url, key, webhook_url=webhook_url)
        self.timeout = timeout
        interval = config.poll_interval(poll_interval)
        # Faster than once a second only against a local gateway (the emulator): never hammer the real one.
        if interval is not None and not config.is_local_gateway(url):
            interval = max(interval, 1.0)
        self.poll_interval = interval
        self.journal = journal
        self._followed: set[str] = set()
        """The journal's jobs this client follows (submitted or took over): given back when it closes."""

    @property
    def base_url(self) -> str:
        """The gateway this client talks to."""
        return self.settings.base_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _prepare(self, request: VideoRequest | dict[str, Any]) -> tuple[VideoRequest, dict[str, Any]]:
        req = request if isinstance(request, VideoRequest) else parse_request(request)
        return req, bodies.build_body(req)

    def _record(
        self,
        req: VideoRequest,
        body: dict[str, Any],
        output_path: str | None,
        want_download: bool,
        batch_id: str | None,
        batch_line: int | None,
        replace_existing: bool = True,
        checks: Callable[[], None] | None = None,
    ) -> str | None:
        if self.journal is None:
            return None
        journal, path = self.journal, _absolute(output_path)

        def before_insert() -> None:  # in the journal's write transaction: no other writer between
            if path is not None and want_download:
                outputs.refuse_taken(journal, path)  # never into another job's file
                outputs.refuse_existing(path, overwrite=replace_existing)
            if checks is not None:
                checks()
            # Every journaled submit (generate, batch lines, MCP tools) reserves its estimate here.
            jobs.refuse_over_budget(
                journal, req, gateway=config.journal_gateway(self.base_url), ephemeral=self.ephemeral_gateway
            )

        local_id = self.journal.record_submission(
            operation=req.op.name,
            model=req.model,
            prompt=req.prompt,
            body=bodies.summarize_body(body),
            settings=req.settings(),
            estimated_cost_usd=estimate(req).usd,
            output_path=path,  # resume may run from another folder
            want_download=want_download,
            before_insert=before_insert,
            batch_id=batch_id,
            batch_line=batch_line,
            gateway=config.journal_gateway(self.base_url),
            ephemeral_gateway=self.ephemeral_gateway,
        )
        self._followed.add(local_id)
        return local_id

    def take_over(self, record: JobRecord) -> bool:
        """Follow a journal's job from now on, unless a live process follows it (on another machine: its
        lease is current). False: leave it to that process."""
        if (
            self.journal is None
            or journal_leases.take_over(self.journal, record.local_id, is_followed=is_followed) is None
        ):
            return False
        self._followed.add(record.local_id)
        return True

    def _let_go(self) -> None:
        """Stop following this client's jobs (it closes): any process may take them over now."""
        if self.journal is not None and self._followed:
            with contextlib.suppress(errors.JournalError):  # the leases then simply run out
                journal_leases.let_go(self.journal, sorted(self._followed))
            self._followed.clear()

    def _submit_interrupted(self, local_id: str | None) -> None:
        # Ctrl-C or a cancelled task while the POST was in flight: the gateway may have queued the job.
        if local_id is not None and self.journal is not None:
            with contextlib.suppress(errors.JournalError):  # the row stays `submitting`: settled as unknown
                self.journal.mark_unknown(
                    local_id, "interrupted while submitting: the job may have been queued"
                )

    def _submit_failed(self, local_id: str | None, exc: errors.SeedanceError) -> None:
        if local_id is None or self.journal is None:
            return
        with contextlib.suppress(errors.JournalError):  # the submit's own error is the one to tell
            if isinstance(exc, errors.SubmitUnknownError | errors.ServerError):
                self.journal.mark_unknown(local_id, exc.message)
                if isinstance(exc, errors.SubmitUnknownError):
                    exc.local_id = local_id
            else:
                self.journal.mark_rejected(local_id, exc.message)

    def _job_from(self, req: VideoRequest, local_id: str | None, sub: protocol.Submitted) -> Job:
        job = Job(
            request_id=sub.request_id,
            operation=req.op.name,
            polling_url=sub.polling_url,
            local_id=local_id,
            estimated_cost_usd=estimate(req).usd,
            warnings=sub.warnings,
        )
        self._journal_safely(
            job,
            "its request id",
            lambda journal, local_id: journal.mark_submitted(
                local_id,
                request_id=sub.request_id,
                polling_url=sub.polling_url,
                attempts=sub.attempts,
                warnings=sub.warnings,
            ),
        )
        return job

    def _journal_safely(self, job: Job, what: str, use: Callable[[Journal, str], T]) -> T | None:
        """Use the journal about a job already paid for; if the journal fails, the job goes on (None).

        A locked, read-only or full journal must not cost a paid job: the failure becomes one warning on
        the job (with the request id to keep), said once; later uses are attempted again.
        """
        if self.journal is None or job.local_id is None:
            return None
        try:
            return use(self.journal, job.local_id)
        except errors.JournalError as exc:
            warning = (
                f"the journal could not record {what} ({exc.message}); keep the request id "
                f"{job.request_id}: `seedance wait {job.request_id}` finishes the job"
            )
            if not any(w.startswith("the journal could not record") for w in job.warnings):
                job.warnings.append(warning)
            return None

    def _resolve(self, ref: JobRef) -> Job:
        """A Job for a job, a result or a request id (looked up in the journal when there is one)."""
        if isinstance(ref, Job):
            return ref
        if isinstance(ref, Result):
            return Job(request_id=ref.request_id, operation=ref.operation or "", local_id=ref.local_id)
        record = self.journal.get(ref) if self.journal is not None else None
        if record is not None and record.request_id:
            if not record.sent_to(self.base_url):
                raise errors.InputError(
                    f"job {record.local_id} was sent to {record.gateway_name}, not to "
                    f"{config.journal_gateway(self.base_url)}",
                    hint=(
                        f"leave out --emulator (and unset {config.EMULATOR_ENV}); " + record.gateway_hint
                        if config.is_emulated(self.base_url) and not record.emulated
                        else record.gateway_hint
                    ),
                )
            return record.to_job()
        if record is not None:  # never reached the gateway, or its answer never came: nothing to ask it
            raise errors.InputError(
                f"job {record.local_id} has no request id (it is {record.state}"
                + (f": {record.error}" if record.error else "")
                + ")",
                hint="check your Pixazo dashboard; `seedance jobs show ID` has its details",
            )
        if self.journal is not None and (several := self.journal.ambiguous(ref)):
            raise errors.InputError(
                f"{ref!r} matches several jobs ({', '.join(several)}); give more of the id",
                hint="`seedance jobs` lists the jobs with their whole ids",
            )
        return Job(request_id=ref, operation="")

    def _journal_status(self, job: Job, status: JobStatus) -> None:
        self._journal_safely(
            job, "its status", lambda journal, local_id: journal.record_status(local_id, status)
        )

    def _observer(self, job: Job, on_update: UpdateCallback | None) -> UpdateCallback:
        def observe(status: JobStatus) -> None:
            self._journal_status(job, status)
            if on_update is not None:
                on_update(status)

        return observe

    def _schedule(self, job: Job) -> PollSchedule:
        """The polling schedule for a job: fixed when configured, else learnt from similar past jobs."""

        def history(journal: Journal, local_id: str) -> list[float]:
            record = journal.get(local_id)
            if record is None:
                return []
            settings = record.settings
            return journal.durations(
                record.operation, resolution=settings.get("resolution"), duration=settings.get("duration")
            )

        past = self._journal_safely(job, "its history", history) if self.poll_interval is None else None
        return schedule_from_history(past or [], fixed_interval=self.poll_interval)

    def default_timeout(self, request: VideoRequest) -> float:
        """How long to wait for this request's job by default: from its model, duration and the journal's
        run times of similar jobs (`polling.default_timeout`)."""
        past: list[float] = []
        if self.journal is not None:
            with contextlib.suppress(errors.JournalError):  # no history: the model's figure stands
                past = self.journal.durations(
                    request.op.name, resolution=request.resolution, duration=request.duration
                )
        model = request.model_info
        return default_timeout(model.wait_per_second, model.max_duration, request.effective_duration(), past)

    def _wait_flow(self, job: Job, timeout: float, clock: Callable[[], float]) -> protocol.Flow:
        schedule = self._schedule(job)
        since_submit = max((datetime.now(UTC) - job.submitted_at).total_seconds(), 0.0)
        return protocol.wait_flow(
            self.settings,
            job.request_id,
            polling_url=job.polling_url,
            timeout=timeout,
            next_delay=schedule,
            clock=clock,
            first_delay=schedule.first_delay(since_submit),
            elapsed_offset=since_submit,
        )

    def _result(self, job: Job, status: JobStatus, started: float, clock: Callable[[], float]) -> Result:
        # One status read outside a wait (a download asked for): `verdicts.judge` decides, as for a wait,
        # with no more looks left for a missing URL and no deadline.
        verdict = verdicts.judge(
            status,
            request_id=job.request_id,
            looks_without_url=verdicts.LOOKS_WITHOUT_URL,
            elapsed=0.0,
            timeout=math.inf,
        )
        if verdict.error is not None:
            raise verdict.error
        if verdict.status is None or status.video_url is None:
            raise errors.NotReadyError(
                f"the job has no video yet: it is {status.raw_status}", request_id=job.request_id
            )
        return Result(
            request_id=job.request_id,
            operation=job.operation or None,
            status=status,
            video_url=status.video_url,
            # The gateway's own timestamps say how long the job took, even when we came late to it.
            elapsed_s=round(status.run_seconds if status.run_seconds is not None else clock() - started, 3),
            local_id=job.local_id,
            warnings=job.warnings,
        )

    def _plan(
        self,
        request: VideoRequest | dict[str, Any],
        path: str | Path | None,
        *,
        download: bool,
        overwrite: bool,
        again: bool,
    ) -> jobs.Plan:
        return jobs.plan(
            request,
            path,
            journal=self.journal,
            gateway=self.base_url,
            again=again,
            overwrite=overwrite,
            download=download,
            stamp=False,  # no path: the file is named after its request id once it has one
        )

    def _checked_target(
        self, job: Job, path: str | Path | None, overwrite: bool, on_progress: ProgressCallback | None = None
    ) -> DownloadTarget:
        """The download's target, refused when it is another job's video (always) or a file that is not
        this job's own (unless `overwrite`)."""
        target = self._target(job, path)
        target.on_progress = on_progress
        record = (
            self._journal_safely(job, "its output path", lambda journal, local_id: journal.get(local_id))
            if job.local_id
            else None
        )
        own_name = safe_filename(f"seedance-{job.request_id}")  # named after the job: no other job's name
        try:
            jobs.check_download_target(
                self.journal, target.path, job=record, overwrite=overwrite, default_name=own_name
            )
        except errors.JournalError:  # a paid job's video matters more: check what can be checked without it
            jobs.check_download_target(
                None, target.path, job=record, overwrite=overwrite, default_name=own_name
            )
        return target

    def _target(self, job: Job, path: str | Path | None) -> DownloadTarget:
        if path is None:
            record = self._journal_safely(
                job, "its output path", lambda journal, local_id: journal.get(local_id)
            )
            path = record.output_path if record is not None else None
        default_name = safe_filename(f"seedance-{job.request_id}")
        if path is None:
            return DownloadTarget(Path.cwd() / default_name, request_id=job.request_id)
        target = Path(path).expanduser().absolute()
        if names_folder(str(path)) or target.is_dir():
            target = target / default_name
        return DownloadTarget(target, request_id=job.request_id)

    def _downloaded(self, result: Result, job: Job, outcome: tuple[Path, int, str, str]) -> Result:
        path, size, digest, url = outcome
        self._journal_safely(
            job,
            "the download",
            lambda journal, local_id: journal.mark_downloaded(
                local_id, path=str(path), size=size, sha256=digest
            ),
        )
        warnings = result.warnings + [w for w in job.warnings if w not in result.warnings]
        return result.model_copy(
            update={
                "path": path,
                "size_bytes": size,
                "sha256": digest,
                "video_url": url,
                "warnings": warnings,
            }
        )

    def _status_for_download(self, ref: JobRef) -> tuple[Job, Result | None]:
        job = self._resolve(ref)
        return job, ref if isinstance(ref, Result) else None


def names_folder(path: str) -> bool:
    """`videos/`: a trailing separator names a folder, even one that does not exist yet."""
    return path.endswith(("/", os.sep)) or (os.altsep is not None and path.endswith(os.altsep))


def _absolute(path: str | None) -> str | None:
    """An output path made absolute (`~` expanded), keeping a trailing separator that names a folder."""
    if path is None:
        return None
    absolute = str(Path(path).expanduser().absolute())
    return absolute + os.sep if names_folder(path) and not absolute.endswith(os.sep) else absolute
