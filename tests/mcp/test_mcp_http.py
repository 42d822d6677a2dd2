"""`seedance mcp --http`: the same tools over streamable HTTP, driven by the official MCP client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp_harness import McpHttpServer, server_env
from test_mcp_server import TOOLS


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
