"""`seedance mcp`: run the MCP server so AI agents can generate videos (stdio, or streamable HTTP)."""

from __future__ import annotations

import click

from seedance.cli.common import gateway_options


@click.command(short_help="Run the MCP server for AI agents.")
@click.option("--http", is_flag=True, help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address for --http.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port for --http."
)
@click.option(
    "--allow-dir",
    "allow_dirs",
    multiple=True,
    metavar="DIR",
    help="A folder agents may send local media from (repeatable; default: the working directory).",
)
@click.option(
    "--out-dir",
    metavar="DIR",
    help="The folder videos are saved in (default: the working directory); nothing is written elsewhere.",
)
@gateway_options
def mcp(
    http: bool,
    host: str,
    port: int,
    allow_dirs: tuple[str, ...],
    out_dir: str | None,
    base_url: str | None,
    api_key: str | None,
    poll_interval: float | None,
    emulator: bool,
) -> None:
    """Run an MCP server exposing Seedance as tools: list_operations, estimate_cost, generate_video (paid),
    get_job, wait_for_job, list_jobs, download_video, account_setup_instructions, save_api_key.

    \b
    The key is read like the CLI reads it (PIXAZO_API_KEY, then ~/.pixazo/api-key) but never asked for:
    without one, tools answer with the sentence to relay to the person, and save_api_key stores the key.
    Every job goes into the journal: `seedance jobs` and `seedance resume` see and finish it.

    \b
    Examples:
      seedance mcp                                    # stdio, for Claude Desktop, Cursor, ...
      seedance mcp --emulator                         # against a local emulator, no key, no network
      seedance mcp --http --port 8765 --allow-dir ~/pictures --out-dir ~/videos

    \b
    Over HTTP, with SEEDANCE_MCP_TOKEN set, only requests that carry `Authorization: Bearer <token>` get
    in (others: 401).
    """
    import os
    import sys

    from seedance import config
    from seedance.agents.http_gate import TOKEN_ENV
    from seedance.agents.safety import Sandbox
    from seedance.errors import InputError, register_secret

    sandbox = Sandbox.create(allow_dirs, out_dir)
    config.base_url(base_url)  # a bad URL is refused now, not on the agent's first call
    try:
        from seedance.agents.server import build_server, serve_http
        from seedance.agents.tools import AgentTools, Gateway
    except ImportError as exc:
        raise InputError(
            f"the MCP server needs the `mcp` package ({exc.name} is missing)",
            hint="install it with: pip install 'seedance[mcp]'",
        ) from None
    running = None
    if emulator:
        from seedance.cli.common import EMULATOR_POLL_INTERVAL, start_flag_emulator

        running = start_flag_emulator()
        base_url, api_key = running.base_url, running.api_key
        poll_interval = EMULATOR_POLL_INTERVAL if poll_interval is None else poll_interval
    if api_key is not None:
        register_secret(api_key)
    gateway = Gateway(base_url=base_url, api_key=api_key, poll_interval=poll_interval, emulator=emulator)
    server = build_server(AgentTools(gateway, sandbox))
    token = (os.environ.get(TOKEN_ENV, "").strip() or None) if http else None
    if token is not None:
        register_secret(token)
    if http and token is None and host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: anyone who can reach {host}:{port} can spend your credits (set {TOKEN_ENV} to require "
              "a bearer token; off loopback the SDK's Host/Origin checks against DNS rebinding are off)",
              file=sys.stderr)  # fmt: skip
    where = f"http://{f'[{host}]' if ':' in host else host}:{port}/mcp" if http else "stdio"
    gate = f" (bearer token from {TOKEN_ENV} required)" if token else ""
    print(f"seedance MCP server on {where}{gate}; media from {', '.join(map(str, sandbox.allowed))}; "
          f"videos to {sandbox.out_dir}", file=sys.stderr, flush=True)  # fmt: skip
    try:
        if http:
            serve_http(server, host, port, token)
        else:
            server.run("stdio")
    finally:
        if running is not None:
            running.stop()
