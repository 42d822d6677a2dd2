"""The gateway's HTTP surface as a starlette app, its submit routes mounted from `catalog.OPERATIONS`."""

from __future__ import annotations

import asyncio
import json
import math
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from seedance import catalog
from seedance.emulator.answers import (
    expired,
    fault_answer,
    json_answer,
    not_found,
    rate_limited,
    unauthorized,
)
from seedance.emulator.control import control_routes
from seedance.emulator.dialects import status_body, submit_body
from seedance.emulator.media import FileStreamResponse, parse_range, range_not_satisfiable
from seedance.emulator.records import RECORD_KEY, RecordingMiddleware, RequestRecord
from seedance.emulator.spec import InvalidParameter, ModelNotFound
from seedance.emulator.tasks import Phase
from seedance.emulator.validation import validate_body
from seedance.emulator.webhooks import deliver_when_done, media_url
from seedance.emulator.wire import DroppedResponse

if TYPE_CHECKING:
    import httpx

    from seedance.emulator.state import EmulatorState

MEDIA_PATH = "/_media/{request_id}/{token}/output.mp4"
"""Where result files are served, without a key, as from a public CDN bucket."""

Endpoint = Callable[[Request], Awaitable[Response]]


def legacy_result_paths(operations: tuple[catalog.Operation, ...] = catalog.OPERATIONS) -> list[str]:
    """The seed's polling paths, `/{api_base}/v1/result/{id}`, one per API base in the catalog."""
    bases = sorted({op.path.strip("/").split("/")[0] for op in operations})
    return [f"/{base}/v1/result/{{request_id}}" for base in bases]


def served_catalog(state: EmulatorState) -> catalog.Catalog:
    """The catalog this emulator serves: the shipped rows with its `catalog_file` (or the user's file)."""
    extra = state.options.catalog_file
    return catalog.load(extra) if extra is not None else catalog.current()


def create_app(state: EmulatorState) -> ASGIApp:
    """Build the emulator's ASGI app over `state` (routes, control routes, request log).

    Only the operations of models still served are mounted: a retired model's path answers 404
    `Resource not found`, as the gateway's front does for a route it no longer has.
    """
    gateway = _Gateway(state)
    live = served_catalog(state).live_operations()
    routes: list[BaseRoute] = [Route(op.path, gateway.submit_endpoint(op), methods=["POST"]) for op in live]
    routes += [
        Route(path, gateway.status, methods=["GET"])
        for path in [catalog.STATUS_PATH, *legacy_result_paths(live)]
    ]
    routes += [
        Route(MEDIA_PATH, gateway.media, methods=["GET", "HEAD"]),
        Mount("/_emulator", routes=control_routes(state)),
    ]
    app = Starlette(
        routes=routes,
        lifespan=gateway.lifespan,
        exception_handlers={404: _not_routed, 405: _not_routed},
    )
    return RecordingMiddleware(app, state.record)


async def _not_routed(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 404
    message = "Resource not found" if code == 404 else "Method not allowed"
    return json_answer({"statusCode": code, "message": message}, code)


def _record(request: Request, route: str) -> RequestRecord:
    record: RequestRecord = request.scope[RECORD_KEY]
    record.route = route
    return record


class _Gateway:
    """The route handlers; each reads the options in force when the request arrives."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.client: httpx.AsyncClient | None = None

    @asynccontextmanager
    async def lifespan(self, _: Starlette) -> AsyncIterator[None]:
        """On shutdown cancel pending deliveries and close the webhook client, if one was opened."""
        self.state.loop = asyncio.get_running_loop()
        try:
            yield
        finally:
            tasks = list(self.state.background)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.client is not None:
                await self.client.aclose()
                self.client = None

    async def _gate(self, request: Request, route: str) -> Response | None:
        """Apply faults, then the key check; return the answer to send now, or None to go on."""
        state, record = self.state, _record(request, route)
        slow = state.faults.take(route, {"slow"})
        if slow is not None:
            record.fault, epoch = "slow", state.epoch
            await asyncio.sleep(slow.delay)
            if state.epoch != epoch:  # reset while held: take no new fault, make no job
                return DroppedResponse()
        rule = state.faults.take(route, {"http", "drop"})
        if rule is not None:
            record.fault = rule.kind
            if rule.kind == "http":
                return fault_answer(rule)
            return DroppedResponse(partial=rule.partial)
        if route != "media":
            key = request.headers.get(catalog.KEY_HEADER, "")
            expected = state.options.api_key
            if not key.strip():
                return unauthorized(missing=True)
            if expected is not None and not secrets.compare_digest(key.encode(), expected.encode()):
                return unauthorized(missing=False)
        return None

    def submit_endpoint(self, op: catalog.Operation) -> Endpoint:
        """The handler of one operation's submit path."""

        async def submit(request: Request) -> Response:
            return await self._submit(op, request)

        submit.__name__ = f"submit_{op.name}"
        return submit

    async def _submit(self, op: catalog.Operation, request: Request) -> Response:
        state = self.state
        record = request.scope[RECORD_KEY]
        record.operation, record.job_created = op.name, False
        early = await self._gate(request, "submit")
        if early is not None:
            return early
        if state.bucket is not None and (wait := state.bucket.try_take()) > 0:
            record.fault = "rate_limit"
            return rate_limited(max(1, math.ceil(wait)))
        try:
            body = json.loads(await request.body())
        except ValueError as exc:
            return json_answer(
                {"error": "Invalid JSON", "message": f"The request body is not JSON: {exc}"}, 400
            )
        try:
            job_request = validate_body(op, body, state.options.strict)
        except (InvalidParameter, ModelNotFound) as exc:
            return json_answer(exc.body(), 400)
        base_url = str(request.base_url).rstrip("/")
        job = state.create_job(op, job_request, body, base_url, request.headers.get(catalog.WEBHOOK_HEADER))
        record.job_created, record.request_id = True, job.request_id
        if job.webhook is not None and not job.webhook.suppressed and job.outcome != "stuck":
            self._spawn(deliver_when_done(state, job, self._webhook_client()))
        payload = submit_body(state.options.dialect, job)
        drop = state.faults.take("submit", {"drop_after_create"})
        if drop is not None:  # the job exists and will be charged, but the client never hears of it
            record.fault = drop.kind
            return DroppedResponse(json.dumps(payload).encode(), state.options.submit_status, drop.partial)
        return json_answer(payload, state.options.submit_status)

    async def status(self, request: Request) -> Response:
        """`GET /v2/requests/status/{id}` and the legacy `/{base}/v1/result/{id}`: the job's status body."""
        early = await self._gate(request, "status")
        if early is not None:
            return early
        request_id = request.path_params["request_id"]
        request.scope[RECORD_KEY].request_id = request_id
        job = self.state.job(request_id)
        if job is None:
            return not_found(request_id)
        phase = job.phase()
        url = media_url(self.state, job) if phase is Phase.COMPLETED else None
        return json_answer(status_body(self.state.options.dialect, job, phase, url))

    async def media(self, request: Request) -> Response:
        """`GET`/`HEAD /_media/{id}/{token}/output.mp4`: the video, with single-range support and no key."""
        early = await self._gate(request, "media")
        if early is not None:
            return early
        request_id, token = request.path_params["request_id"], request.path_params["token"]
        record = request.scope[RECORD_KEY]
        record.request_id, record.range = request_id, request.headers.get("range")
        job = self.state.job(request_id)
        issued = job.tokens.get(token) if job is not None else None
        video = job.video_file if job is not None else None
        if issued is None or video is None:
            return not_found(request_id)
        rule = self.state.faults.take(
            "media", {"expire"}, lambda r: self.state.clock.monotonic() - issued >= r.after_seconds
        )
        if rule is not None:
            record.fault = "expire"
            return expired(rule)
        byte_range = parse_range(request.headers.get("range"), video.size)
        if byte_range == "unsatisfiable":
            return range_not_satisfiable(video.size)
        cut = self.state.faults.take("media", {"truncate"}) if request.method == "GET" else None
        if cut is not None:
            record.fault = "truncate"
        return FileStreamResponse(video.path, video.size, byte_range, cut.after_bytes if cut else None)

    def _webhook_client(self) -> httpx.AsyncClient:
        """The client that delivers webhooks, opened with the first one: most emulators never send any, and
        a client's TLS settings cost about 30 ms of CPU (every test session and `--emulator` command)."""
        if self.client is None:
            import httpx

            from seedance.transport import tls

            self.client = httpx.AsyncClient(verify=tls())
        return self.client

    def _spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self.state.background.add(task)
        task.add_done_callback(self.state.background.discard)
