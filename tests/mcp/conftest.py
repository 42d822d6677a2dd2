"""Fixtures for the MCP server tests: one server for the module against the test emulator, and media files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp_harness import McpServer, server_env


@pytest.fixture(scope="module")
def shared_server(
    seedance_emulator_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[McpServer]:
    """`seedance mcp --allow-dir media --out-dir videos`, with the emulator's key, for the whole module.

    Its folder, HOME and journal are its own (not a test's `tmp_path`), so tests look at `server.cwd`.
    """
    work = tmp_path_factory.mktemp("mcp-shared")
    (work / "media").mkdir()
    env = server_env(work, seedance_emulator_server.base_url, seedance_emulator_server.api_key)
    with McpServer(["--allow-dir", "media", "--out-dir", "videos"], env, work) as server:
        yield server


@pytest.fixture
def server(shared_server: McpServer, emulator: Any) -> McpServer:
    """The module's server, with the emulator reset for this test (and quick to synthesise videos)."""
    emulator.configure(fps=4)
    return shared_server


@pytest.fixture
def png(tmp_path: Path) -> Path:
    """A real PNG image (outside the shared server's allowed folder)."""
    from PIL import Image

    path = tmp_path / "first.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(path)
    return path
