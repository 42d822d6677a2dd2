"""One emulator's mutable state: options, fault rules, rate limit, jobs and request log, safe across threads."""

from __future__ import annotations

import asyncio
import random
import threading
import uuid
from typing import Any

from seedance.catalog import Operation, frame_size
from seedance.emulator.cache import VideoCache
from seedance.emulator.clock import EmulatorClock
from seedance.emulator.faults import ActiveRule, FaultBook, SlidingWindow, TokenBucket
from seedance.emulator.options import EmulatorOptions, FaultRule
from seedance.emulator.records import RequestRecord
from seedance.emulator.spec import JobRequest
from seedance.emulator.store import JobStore
from seedance.emulator.tasks import Job, Phase, WebhookResult
from seedance.emulator.video import VideoSpec, caption_of


class EmulatorState:
    """Everything an emulator instance remembers; the app (event loop thread) and handles (any thread) share it.

    Reads and writes go through a lock; no lock is ever held across an `await`.
    """

    def __init__(
        self, options: EmulatorOptions, store: JobStore | None = None, clock: EmulatorClock | None = None
    ) -> None:
        self.initial_options = options
        self.clock = clock or EmulatorClock()
        """The one clock of this emulator: every time it measures is read here (tests advance it)."""
        self._lock = threading.RLock()
        self.store = store
        """Where a shared emulator keeps its jobs for later commands (None: they live as long as this one)."""
        self.cache = VideoCache(options.cache_dir or (store.videos if store is not None else None))
        self.jobs: dict[str, Job] = {}
        self.log: list[RequestRecord] = []
        self.webhooks_received: list[dict[str, Any]] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.background: set[asyncio.Task[None]] = set()
        self.epoch = 0
        """How many resets so far: a request held (a `slow` fault) across a reset belongs to the world before it."""
        self.served_at = ""
        """The base URL this emulator serves on (set once its socket is bound)."""
        self._apply(options)

    def _apply(self, options: EmulatorOptions) -> None:
        self.options = options
        self.faults = FaultBook(options.faults)
        rate = options.submit_rate_per_second
        self.bucket: TokenBucket | SlidingWindow | None = None
        if rate and options.submit_limiter == "sliding_window":
            self.bucket = SlidingWindow(rate, clock=self.clock.monotonic)
        elif rate:
            self.bucket = TokenBucket(rate, options.submit_burst, clock=self.clock.monotonic)
        self.rng = random.Random(options.seed)

    # -- configuration ---------------------------------------------------------------------------------------

    def configure(self, changes: dict[str, Any]) -> EmulatorOptions:
        """Apply option changes (validated; a `dialect` mapping is merged); fault counts restart if `faults` is given.

        Changing anything else keeps the live fault rules, their remaining counts and the rate-limit bucket.
        """
        with self._lock:
            new = self.options.updated(changes)
            faults, bucket, rng = self.faults, self.bucket, self.rng
            self._apply(new)
            if "faults" not in changes:
                self.faults = faults
            if not {"submit_rate_per_second", "submit_burst", "submit_limiter"} & set(changes):
                self.bucket = bucket
            if "seed" not in changes:
                self.rng = rng
            return new

    def add_fault(self, rule: FaultRule) -> None:
        """Append a fault rule."""
        with self._lock:
            self.faults.add(rule)

    def fault_rules(self) -> list[ActiveRule]:
        """The rules that can still fire, with their remaining counts."""
        return self.faults.active()

    def reset(self) -> None:
        """Forget jobs, the request log and received webhooks; restore the options the emulator started with.

        Synthesised videos stay cached: a reset never makes the next test wait for an encode. The clock keeps
        any time advanced (it never goes back).
        """
        with self._lock:
            self.jobs.clear()
            self.log.clear()
            self.webhooks_received.clear()
            self._apply(self.initial_options)
            self.epoch += 1
        loop = self.loop
        if loop is not None and not loop.is_closed():
            for task in list(self.background):
                loop.call_soon_threadsafe(task.cancel)

    # -- request log ---------------------------------------------------------------------------------------

    def record(self, record: RequestRecord) -> None:
        """Append a request to the log."""
        with self._lock:
            self.log.append(record)

    def records(self) -> list[RequestRecord]:
        """A snapshot of the request log."""
        with self._lock:
            return list(self.log)

    def receive_webhook(self, received: dict[str, Any]) -> None:
        """Keep a webhook delivery received by the emulator's own sink route."""
        with self._lock:
            self.webhooks_received.append(received)

    # -- jobs ------------------------------------------------------------------------------------------------

    def create_job(
        self, op: Operation, request: JobRequest, body: Any, base_url: str, webhook_url: str | None
    ) -> Job:
        """Create a job: draw its time, apply job faults (fail, stuck, no webhook), start its video synthesis."""
        with self._lock:
            options = self.options
            low, high = options.job_seconds_range or (options.job_seconds, options.job_seconds)
            seconds = (self.rng.uniform(low, high) if high > low else low) * options.time_scale
            job = Job(f"{op.model_info.request_prefix}_{uuid.uuid4()}", op, request, body, base_url,
                      seconds, seconds * options.queued_fraction, clock=self.clock.monotonic,
                      created_wall=self.clock.time(), created_mono=self.clock.monotonic())  # fmt: skip
            rule = self.faults.take("submit", {"fail", "stuck"})
            if rule is not None and rule.kind == "stuck":
                job.outcome = "stuck"
            elif rule is not None:
                job.outcome = "failed"
                job.fail_status = Phase(rule.job_status)
                job.fail_message = rule.message or "Video generation failed (emulated fault)"
            if webhook_url:
                job.webhook = WebhookResult(webhook_url)
                if self.faults.take("submit", {"no_webhook"}) is not None:
                    job.webhook.suppressed = True
            if job.outcome == "complete":
                job.video_spec = self._video_spec(op, request, options)
                job.attach_video(self.cache.get(job.video_spec))
            self.jobs[job.request_id] = job
            if self.store is not None:
                self.store.save(job)
            return job

    @staticmethod
    def _video_spec(op: Operation, request: JobRequest, options: EmulatorOptions) -> VideoSpec:
        width, height = frame_size(request.resolution, request.ratio)
        caption = caption_of(request.prompt, op.title)
        audio = request.generate_audio and options.audio
        return VideoSpec(
            width, height, request.duration, options.fps, caption, audio, options.min_result_bytes
        )

    def job(self, request_id: str) -> Job | None:
        """The job with this id, if it exists (and was not forgotten by a reset)."""
        with self._lock:
            found = self.jobs.get(request_id)
            if found is None and self.store is not None:
                found = self._reload(request_id)
            return found

    def _reload(self, request_id: str) -> Job | None:
        """A job an earlier emulator sharing our store created (another command, before a restart)."""
        assert self.store is not None
        base_url = next((job.base_url for job in self.jobs.values()), None) or self.served_at
        job = self.store.find(request_id, base_url, self.clock)
        if job is None:
            return None
        if job.outcome == "complete" and job.video_spec is not None:
            job.attach_video(self.cache.get(job.video_spec))
            ended = job.created_mono + job.seconds  # the video was ready when its time was up, back then
            job.video.add_done_callback(lambda _: setattr(job, "video_done_mono", ended))  # type: ignore[union-attr]
        self.jobs[job.request_id] = job
        return job

    def all_jobs(self) -> list[Job]:
        """A snapshot of the jobs, oldest first."""
        with self._lock:
            return list(self.jobs.values())

    def close(self) -> None:
        """Stop the synthesis workers and remove the private video folder."""
        self.cache.close()
