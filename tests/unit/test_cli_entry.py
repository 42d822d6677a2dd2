"""The entry point's click-free fast paths print exactly what the click app prints."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from seedance.cli.app import cli
from seedance.cli.commands import COMMANDS

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def run_entry(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seedance", *args], capture_output=True, text=True, check=False
    )


def test_fast_help_equals_the_click_help() -> None:
    """`seedance --help` (no click) and the click group's own help are the same text."""
    fast = run_entry("--help")
    clicked = CliRunner().invoke(cli, ["--help"])
    assert fast.returncode == 0
    assert fast.stdout == clicked.output


@pytest.mark.parametrize("args", [[], ["-h"]])
def test_bare_command_and_short_flag_show_help(args: list[str]) -> None:
    """No arguments, or -h, show the same help and exit 0."""
    result = run_entry(*args)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: seedance")
    assert "Exit codes:" in result.stdout


def test_fast_models_equals_the_click_models() -> None:
    """`seedance models` and `--json` print the same as the click command."""
    assert run_entry("models").stdout == CliRunner().invoke(cli, ["models"]).output
    data = json.loads(run_entry("models", "--json").stdout)
    assert len(data["operations"]) == 20
    assert data["served_operations"] == 19
    assert data == json.loads(CliRunner().invoke(cli, ["models", "--json"]).output)


def test_every_listed_command_exists() -> None:
    """Each row of the command table names a click command that can be loaded."""
    import importlib

    for name, (module, attr, _) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attr)
        assert command.name in (name, attr), name


def test_cli_import_does_not_load_heavy_libraries() -> None:
    """Loading the entry point imports neither httpx, pydantic nor rich."""
    code = "import sys, seedance.cli.main, seedance.cli.commands; print(sorted(m for m in ('httpx', 'pydantic', 'rich', 'click') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_dry_run_imports_no_http_pydantic_or_rich_library(tmp_path: Path) -> None:
    """`generate --dry-run` (also with a local frame) checks and prints the request without loading httpx,
    pydantic or rich: issue 8's start-up target for the command agents call to price a job."""
    frame = tmp_path / "start.png"
    frame.write_bytes(PNG)
    code = (
        "import sys; from seedance.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print(code, sorted(m for m in ('httpx', 'pydantic', 'rich') if m in sys.modules), file=sys.stderr)"
    )
    for args in (
        ["A cat", "--dry-run"],
        ["A cat", "--first-frame", str(frame), "-m", "2.0-fast", "--dry-run", "--json"],
        ["A cat", "--operation", "reference", "--ref-image", "https://m.test/a.png", "--dry-run"],
    ):
        run = subprocess.run(
            [sys.executable, "-c", code, "generate", *args], capture_output=True, text=True, check=False
        )
        assert "estimated" in run.stdout, run.stderr
        assert run.stderr.strip().splitlines()[-1] in ("0 []", "None []")
