"""`seedance mcp --http`: the same tools over streamable HTTP, driven by the official MCP client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp_harness import McpHttpServer, server_env
from test_mcp_server import TOOLS

import plain_http


def test_over_http_an_agent_lists_the_tools_generates_a_video_and_is_kept_in_the_sandbox(
    seedance_emulator_server: Any, emulator: Any, tmp_path: Path
) -> None:
    """The server listens on 127.0.0.1 only; the nine tools are listed; generate_video saves a real MP4 in
    the output folder after one submit; a media path outside the allowed folder is refused before any
    request; the key appears in no answer and nowhere in the server's output."""
    emulator.configure(fps=4)
    (tmp_path / "media").mkdir()
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    env = server_env(tmp_path, emulator.base_url, emulator.api_key)
    with McpHttpServer(["--allow-dir", "media", "--out-dir", "videos"], env, tmp_path) as server:
        assert set(server.tools()) == TOOLS
        video = server.data("generate_video", prompt="A cat", output="cat.mp4", duration=4, resolution="480p")
        refused = server.call("generate_video", prompt="A cat", first_frame=str(outside), duration=4)
    target = tmp_path / "videos" / "cat.mp4"
    assert video["status"] == "succeeded"
    assert video["file"] == str(target)
    assert target.read_bytes()[4:8] == b"ftyp"
    assert refused.is_error
    assert "outside the folders" in refused.content[0].text  # type: ignore[union-attr]
    assert len(emulator.submits) == 1
    assert "http://127.0.0.1:" in server.stderr_path.read_text(encoding="utf-8")
    assert emulator.api_key not in server.all_text()


def test_with_a_token_set_only_requests_that_carry_it_get_in(
    seedance_emulator_server: Any, emulator: Any, tmp_path: Path
) -> None:
    """SEEDANCE_MCP_TOKEN set: a request without the bearer token, or with another, is answered 401 (saying
    what to send) and reaches no tool; the client that sends it lists the tools; the token is never printed."""
    token = "mcp-token-5f2a9c71e0"
    env = {**server_env(tmp_path, emulator.base_url, emulator.api_key), "SEEDANCE_MCP_TOKEN": token}
    headers = {"Authorization": f"bearer {token}"}  # the scheme is case-insensitive (RFC 7235)
    with McpHttpServer([], env, tmp_path, headers=headers) as server:
        assert set(server.tools()) == TOOLS
        call = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        accept = {"Accept": "application/json, text/event-stream"}
        for given in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": token}):
            answer = plain_http.post(server.url, json=call, headers={**accept, **given}, timeout=10)
            assert answer.status_code == 401, given
            assert "SEEDANCE_MCP_TOKEN" in answer.json()["error"]["message"]
    assert "bearer token" in server.stderr_path.read_text(encoding="utf-8")
    assert token not in server.all_text()
    assert token not in server.stderr_path.read_text(encoding="utf-8")
