"""The MCP server: `AgentTools` served over stdio or streamable HTTP. The only module that imports `mcp`.

Each tool answers with one JSON object (as text and as structured content). A `SeedanceError` becomes a
tool error whose text is its one-line message and hint; a missing key becomes the skill's sentence for the
agent to relay verbatim. Every answer passes through `errors.redact`, so the key can never appear in one.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ContentBlock, InputRequiredResult, TextContent, ToolAnnotations
from pydantic import ValidationError

from seedance import __version__, errors
from seedance.agents import progress, requests
from seedance.agents.http_gate import BearerTokenGate
from seedance.agents.tools import AgentTools
from seedance.request import describe_validation_error

FREE = "Free: spends no credits."
Handler = Callable[..., Awaitable[dict[str, Any]]]

DESCRIPTIONS: dict[str, str] = {
    "list_operations": f"List the Seedance models, their 19 operations (and retired ones, marked), the inputs "
    f"and options each takes and their prices (estimates; unpublished ones are null). {FREE} Sends no request.",
    "estimate_cost": f"Check a video request and estimate what it would cost, before paying for it. Takes "
    f"the same inputs as generate_video. {FREE} Sends no request.",
    "generate_video": "Generate one video with Seedance. COSTS CREDITS: about $0.29 per output second on "
    "2.0, $0.24/s on 2.0 Fast, $0.20 per video on 1.0 Pro (call estimate_cost first; the answer includes "
    "the estimate). The operation follows from the inputs: a prompt alone is text to video; "
    "first_frame/last_frame is image to video; ref_images/ref_videos/ref_audios is reference to video; "
    "edit_video is video editing. Media are https:// URLs or files under the server's allowed folders. "
    "Waits up to wait_seconds, then returns the saved file, or 'still running' with the job id for "
    "wait_for_job. Never call it again for a job that is still running: that pays twice (an identical "
    "request within the hour of one still running, or whose submit got no answer, is refused and names that "
    "job; again=true pays for a second one). A team budget (`seedance budget`) may refuse it, nothing sent: "
    "do not retry, tell the person.",
    "get_job": f"Read a job's status once (by request id or journal id). {FREE}",
    "wait_for_job": f"Wait (up to wait_seconds) for a job started earlier, then save its video in the "
    f"output folder. {FREE} If it is still not done, the answer says 'still running': call it again.",
    "list_jobs": f"List the jobs in the local journal, newest first, with their state and cost estimate. "
    f"{FREE} Sends no request.",
    "download_video": f"Save a finished job's video in the server's output folder. {FREE}",
    "account_setup_instructions": f"Say whether a Pixazo API key is configured (never the key itself) and "
    f"how the person gets one. {FREE} Sends no request.",
    "save_api_key": f"Save the Pixazo API key the person pasted to ~/.pixazo/api-key (mode 600), so they "
    f"are never asked again. The key is never shown back. {FREE}",
}

ANNOTATIONS: dict[str, ToolAnnotations] = {
    name: ToolAnnotations(read_only_hint=True, open_world_hint=False)
    for name in ("list_operations", "estimate_cost", "list_jobs", "account_setup_instructions")
} | {
    "generate_video": ToolAnnotations(
        read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
    ),
    "get_job": ToolAnnotations(read_only_hint=True, open_world_hint=True),
    "wait_for_job": ToolAnnotations(read_only_hint=False, idempotent_hint=True, open_world_hint=True),
    "download_video": ToolAnnotations(read_only_hint=False, idempotent_hint=True, open_world_hint=True),
    "save_api_key": ToolAnnotations(read_only_hint=False, idempotent_hint=True, open_world_hint=False),
}

KEY_INSTRUCTION = (
    "Say the sentence above to the person verbatim. When they paste the key, call save_api_key with it, "
    "then call this tool again. Nothing was sent and nothing was charged."
)


def answer(data: dict[str, Any]) -> CallToolResult:
    """A tool's answer: one JSON object as text and as structured content, with any secret redacted."""
    safe = errors.redact_data(json.loads(json.dumps(data, default=str)))  # JSON types only, then redacted
    text = json.dumps(safe, ensure_ascii=False)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=safe)


def failure(exc: errors.SeedanceError) -> CallToolResult:
    """A tool error: the message and hint as text lines, the error's facts as structured content."""
    data = {"ok": False, "error": exc.to_dict()}
    if isinstance(exc, errors.KeyMissingError) and exc.message == errors.KEY_PROMPT:
        data.update(say_to_user=errors.KEY_PROMPT, next_step=KEY_INSTRUCTION)
        lines = [errors.KEY_PROMPT, KEY_INSTRUCTION]
    else:
        lines = [f"error: {exc.message}"] + ([f"hint: {exc.remedy}"] if exc.remedy else [])
        if (step := next_step(exc)) is not None:
            data["next_step"] = step
            lines.append(f"next: {step}")
    content: list[ContentBlock] = [TextContent(type="text", text=errors.redact(line)) for line in lines]
    structured = errors.redact_data(json.loads(json.dumps(data, default=str)))
    return CallToolResult(content=content, structured_content=structured, is_error=True)


def next_step(exc: errors.SeedanceError) -> str | None:
    """The tool to call after an error that leaves a paid job behind (the hints name CLI commands).

    Any error that carries a request id came after the job was submitted: the job is paid for and must be
    picked up, never generated again.
    """
    request_id = getattr(exc, "request_id", None)
    if isinstance(exc, errors.GenerationFailed):
        return None
    if isinstance(exc, errors.InvalidRequestError) and exc.status_code == 404:
        return "call list_jobs to find the job's request id: the gateway knows no job by this one"
    if isinstance(exc, errors.NotReadyError) and request_id:
        return f"call wait_for_job with job_id={request_id!r} (free): the job has not finished yet"
    if isinstance(exc, errors.BudgetExceeded):
        return (
            "do not retry: tell the person the team budget is reached; only they can raise it "
            "(`seedance budget set`) or wait for the next period"
        )
    if isinstance(exc, errors.RepeatRefused) and request_id:
        return f"call wait_for_job with job_id={request_id!r} (free): it is the same video, already paid for"
    if isinstance(exc, errors.DownloadError) and request_id:
        return f"call download_video with job_id={request_id!r} (free; the job itself succeeded)"
    if request_id:
        return f"call wait_for_job with job_id={request_id!r} later (free); do not generate this video again"
    if isinstance(exc, errors.SubmitUnknownError | errors.ServerError):
        return "call list_jobs and ask the person to check the Pixazo dashboard before generating again"
    return None


def as_tool(handler: Handler, parameters: list[inspect.Parameter] | None = None) -> Callable[..., Any]:
    """Wrap a handler as an MCP tool function: same inputs (or `parameters`), errors turned into answers."""

    @functools.wraps(handler)
    async def tool(ctx: Context[Any, Any], **kwargs: Any) -> CallToolResult:
        token = progress.reporter.set(ctx.report_progress)  # waits tell the client how the job goes
        try:
            return answer(await handler(**kwargs))
        except errors.SeedanceError as exc:
            return failure(exc)
        except OSError as exc:  # e.g. the output folder became unwritable: say so in one line
            return failure(errors.InputError(f"{type(exc).__name__}: {exc.strerror or exc}"))
        except ValueError as exc:  # an argument the standard library refuses (e.g. a NUL in a name)
            return failure(errors.InputError(f"an argument is not usable: {exc}"))
        finally:
            progress.reporter.reset(token)

    params = (
        parameters
        if parameters is not None
        else list(inspect.signature(handler, eval_str=True).parameters.values())
    )
    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)  # the SDK fills it
    params = [*params, context]
    tool.__signature__ = inspect.Signature(params, return_annotation=CallToolResult)  # type: ignore[attr-defined]
    tool.__annotations__ = {p.name: p.annotation for p in params} | {"return": CallToolResult}
    del tool.__wrapped__  # the schema comes from __signature__, not the handler
    return tool


class SeedanceServer(MCPServer[Any]):
    """An MCPServer whose argument errors are one line too (the SDK's are pydantic's multi-line report)."""

    accepted: dict[str, set[str]]
    """Each tool's argument names: any other is refused (a misspelt `durations` must not be paid for at the
    default duration)."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        """Call a tool; arguments that do not fit its schema answer like any other bad input."""
        known = self.accepted.get(name)
        unknown = sorted(set(arguments or {}) - known) if known is not None else []
        if unknown:
            return failure(errors.InputError(_unknown_arguments(name, unknown, known or set())))
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):  # the values are not shown: one may be the key
                return failure(errors.InputError(describe_validation_error(exc.__cause__)))
            raise


def build_server(tools: AgentTools) -> MCPServer[Any]:
    """An MCPServer exposing every tool with its description, annotations and input schema."""
    server = SeedanceServer(
        "seedance",
        title="Seedance video generation (Pixazo)",
        version=__version__,
        instructions="Generate videos with ByteDance Seedance through the Pixazo gateway. generate_video "
        "costs credits; every other tool is free. Call estimate_cost before generate_video. If a tool says "
        "a key is needed, relay its sentence verbatim and call save_api_key with the pasted key.",
        log_level="WARNING",  # stderr stays quiet; stdout is the protocol channel
    )
    request_params = requests.request_parameters()
    signatures = {
        "estimate_cost": request_params,
        "generate_video": request_params + requests.OUTPUT_PARAMETERS,
    }
    server.accepted = {}
    for name, description in DESCRIPTIONS.items():
        handler = getattr(tools, name)
        fn = as_tool(handler, signatures.get(name))
        server.add_tool(fn, name=name, description=description, annotations=ANNOTATIONS[name])
        server.accepted[name] = set(inspect.signature(fn).parameters) - {"ctx"}
    return server


def _unknown_arguments(tool: str, unknown: list[str], known: set[str]) -> str:
    """`durations` is not an argument of generate_video (did you mean `duration`?); nothing was sent."""
    import difflib

    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return f"{tool} takes no argument {', '.join(parts)}; nothing was sent"


def serve_http(server: MCPServer[Any], host: str, port: int, token: str | None) -> None:
    """Serve streamable HTTP at http://HOST:PORT/mcp; with a token, only requests that carry it get in.

    The SDK's own Host/Origin checks (against DNS rebinding) stay on for loopback addresses.
    """
    import uvicorn

    app: Any = server.streamable_http_app(host=host)
    if token is not None:
        app = BearerTokenGate(app, token)
    uvicorn.run(app, host=host, port=port, log_level="warning")
