"""The `/_emulator/` control routes (no key): steer an emulator that runs in another process."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from seedance.emulator.jobinfo import job_info
from seedance.emulator.options import FaultRule

if TYPE_CHECKING:
    from seedance.emulator.state import EmulatorState


def control_routes(state: EmulatorState) -> list[BaseRoute]:
    """The control routes over `state`, to mount under `/_emulator`."""

    async def read_config(_: Request) -> Response:
        return JSONResponse(_config_view(state))

    async def write_config(request: Request) -> Response:
        changes = await _json_object(request)
        if isinstance(changes, Response):
            return changes
        try:
            state.configure(changes)
        except ValidationError as exc:
            return _invalid(exc)
        return JSONResponse(_config_view(state))

    async def add_fault(request: Request) -> Response:
        data = await _json_object(request)
        if isinstance(data, Response):
            return data
        try:
            state.add_fault(FaultRule.model_validate(data))
        except ValidationError as exc:
            return _invalid(exc)
        return JSONResponse(_config_view(state))

    async def reset(_: Request) -> Response:
        state.reset()
        return JSONResponse(_config_view(state))

    async def requests(request: Request) -> Response:
        route = request.query_params.get("route")
        records = [r.to_json() for r in state.records() if route is None or r.route == route]
        return JSONResponse(records)

    async def jobs(_: Request) -> Response:
        return JSONResponse([job_info(job).model_dump(mode="json") for job in state.all_jobs()])

    async def job(request: Request) -> Response:
        request_id = request.path_params["request_id"]
        found = state.job(request_id)
        if found is None:
            return JSONResponse({"error": "Not Found", "message": f"Request '{request_id}' not found"}, 404)
        return JSONResponse(job_info(found).model_dump(mode="json"))

    async def receive_webhook(request: Request) -> Response:
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        state.receive_webhook({"path": request.url.path, "headers": dict(request.headers), "json": body})
        return JSONResponse({"received": True})

    async def webhooks(_: Request) -> Response:
        return JSONResponse(state.webhooks_received)

    async def read_clock(_: Request) -> Response:
        return JSONResponse(_clock_view(state))

    async def advance_clock(request: Request) -> Response:
        data = await _json_object(request)
        if isinstance(data, Response):
            return data
        seconds = data.get("advance")
        try:
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise ValueError(f"`advance` must be a number of seconds, not {seconds!r}")
            state.clock.advance(float(seconds))
        except ValueError as exc:
            return JSONResponse({"error": "Invalid clock step", "message": str(exc)}, 400)
        return JSONResponse(_clock_view(state))

    return [
        Route("/config", read_config, methods=["GET"]),
        Route("/config", write_config, methods=["POST"]),
        Route("/faults", add_fault, methods=["POST"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/requests", requests, methods=["GET"]),
        Route("/jobs", jobs, methods=["GET"]),
        Route("/jobs/{request_id}", job, methods=["GET"]),
        Route("/clock", read_clock, methods=["GET"]),
        Route("/clock", advance_clock, methods=["POST"]),
        Route("/webhooks", webhooks, methods=["GET"]),
        Route("/webhooks", receive_webhook, methods=["POST"]),
        Route("/webhooks/{name:path}", receive_webhook, methods=["POST"]),
    ]


def _config_view(state: EmulatorState) -> dict[str, Any]:
    options = state.options.model_dump(mode="json")
    options["faults_active"] = [
        {**active.rule.model_dump(mode="json"), "remaining": active.remaining}
        for active in state.fault_rules()
    ]
    return options


def _clock_view(state: EmulatorState) -> dict[str, float]:
    return {
        "advanced_seconds": state.clock.offset,
        "monotonic": state.clock.monotonic(),
        "time": state.clock.time(),
    }


async def _json_object(request: Request) -> dict[str, Any] | Response:
    try:
        data = json.loads(await request.body())
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return JSONResponse({"error": "Invalid JSON", "message": "The body must be a JSON object"}, 400)
    return data


def _invalid(exc: ValidationError) -> Response:
    errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
    return JSONResponse({"error": "Invalid options", "message": str(exc), "errors": errors}, 400)
