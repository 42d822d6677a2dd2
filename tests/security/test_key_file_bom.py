"""A key file written by Windows Notepad (UTF-8 with a byte order mark, CRLF line end) is read as the key it holds,
through the real CLI: `auth status` finds it, and `generate` sends exactly that key (the emulator refuses any
other). The BOM is dropped only at the start of the file; a key that is still not a key is still refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from faults.harness import Run

BOM = b"\xef\xbb\xbf"


def without_key(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != "PIXAZO_API_KEY"}


def write_key_file(home: Path, content: bytes) -> Path:
    path = home / ".pixazo" / "api-key"
    path.parent.mkdir(mode=0o700)
    path.write_bytes(content)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    "layout",
    [BOM + b"%s\r\n", BOM + b"%s\n", BOM + b"%s", BOM + b"%s\r\n\r\n", b"%s\r\n"],
    ids=["bom-crlf", "bom-lf", "bom-no-newline", "bom-crlf-blank-line", "crlf"],
)
def test_a_notepad_key_file_is_found_by_auth_status(
    seedance: Callable[..., Run], cli_env: dict[str, str], isolated_env: Path, secret_key: str, layout: bytes
) -> None:
    """`printf '\\xef\\xbb\\xbfKEY\\r\\n' > ~/.pixazo/api-key`: exit 0, the key from the file, the key not shown."""
    path = write_key_file(isolated_env, layout % secret_key.encode())
    run = seedance("auth", "status", "--json", env=without_key(cli_env))
    assert run.code == 0, run.stdout + run.stderr
    status = run.json()
    assert (status["configured"], status["source"], status["where"]) == (True, "file", str(path))
    assert status["key"] == "***" + secret_key[-4:]
    assert secret_key not in run.stdout + run.stderr
    assert run.stderr == ""


def test_generate_sends_the_key_of_a_notepad_key_file(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str], isolated_env: Path
) -> None:
    """With only a BOM + CRLF key file, `generate` is accepted by the emulator, which requires its exact key."""
    write_key_file(isolated_env, BOM + emulator.api_key.encode() + b"\r\n")
    run = seedance(
        "generate", "A cat", "--duration", "4", "--resolution", "480p", "--json", env=without_key(gateway_env)
    )
    assert run.code == 0, run.stdout + run.stderr
    assert [r.status for r in emulator.submits] == [202]
    assert emulator.api_key not in run.stdout + run.stderr


@pytest.mark.parametrize(
    "content",
    [b"%s" + BOM + b"\r\n", BOM + b"  %s extra\r\n"],
    ids=["bom-after-the-key", "spaces-inside"],
)
def test_a_bom_anywhere_else_is_still_not_a_key(
    seedance: Callable[..., Run], cli_env: dict[str, str], isolated_env: Path, secret_key: str, content: bytes
) -> None:
    """Only a leading BOM is dropped: what is left must still look like a key (exit 3 from `auth status`)."""
    write_key_file(isolated_env, content % secret_key.encode())
    run = seedance("auth", "status", "--json", env=without_key(cli_env))
    assert run.code == 3, run.stdout + run.stderr
    assert "does not look like an API key" in run.json()["message"]
    assert secret_key not in run.stdout + run.stderr
