"""The skill's key rules through the real CLI: ask once on a terminal, verbatim, save 600; never ask twice;
without a terminal, exit 3 with the same sentence."""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect

from seedance.errors import KEY_PROMPT

from .conftest import Run


def spawn_generate(env: dict[str, str], target: Path) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "seedance", "generate", "A cat", "--resolution", "480p", "--duration", "4", "-o", str(target)],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 400),
    )


def test_asks_once_in_a_terminal_with_the_verbatim_sentence(
    emulator: Any, gateway_env: dict[str, str], isolated_env: Path, tmp_path: Path
) -> None:
    """No key anywhere: the sentence appears verbatim, the pasted key is saved 600, the video is made;
    the second run asks nothing."""
    env = {k: v for k, v in gateway_env.items() if k != "PIXAZO_API_KEY"}
    child = spawn_generate(env, tmp_path / "one.mp4")
    child.expect_exact(KEY_PROMPT)
    child.expect_exact("API key: ")
    child.sendline(emulator.api_key)
    child.expect_exact(f"saved the key to {isolated_env / '.pixazo' / 'api-key'}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    key_file = isolated_env / ".pixazo" / "api-key"
    assert key_file.read_text().strip() == emulator.api_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert (tmp_path / "one.mp4").stat().st_size > 0

    again = spawn_generate(env, tmp_path / "two.mp4")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0
    assert "Pixazo API key once" not in (again.before or "")
    assert (tmp_path / "two.mp4").stat().st_size > 0


def test_without_a_terminal_exits_3_with_the_sentence(
    gateway_env: dict[str, str], seedance: Callable[..., Run], emulator: Any
) -> None:
    """No key and no terminal: exit 3, the sentence on stderr, nothing sent to the gateway."""
    env = {k: v for k, v in gateway_env.items() if k != "PIXAZO_API_KEY"}
    run = seedance("generate", "A cat", env=env)
    assert run.code == 3
    assert KEY_PROMPT in run.stderr
    assert emulator.requests == []


def test_emulator_flag_needs_no_key_and_no_gateway(
    fresh_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """The README's first command: --emulator generates a real video with no key and no gateway set."""
    run = seedance(
        "generate", "A cat walking on the beach", "--emulator", "-o", str(tmp_path / "cat.mp4"), env=fresh_env
    )
    assert run.code == 0, run.stderr
    assert "saved" in run.stdout
    assert (tmp_path / "cat.mp4").read_bytes()[4:8] == b"ftyp"


def test_the_emulator_flag_takes_its_options_from_the_environment(
    fresh_env: dict[str, str], seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """$SEEDANCE_EMULATOR_OPTIONS shapes the `--emulator` gateway (here: 0.2 s jobs, as the gateway's own
    clock reports them); a misspelt or out-of-range option is exit 2 naming it, before any key is sought."""
    fast = {**fresh_env, "SEEDANCE_EMULATOR_OPTIONS": "job_seconds=0.2,fps=2"}
    run = seedance(
        "generate",
        "A cat",
        "--duration",
        "4",
        "--emulator",
        "-o",
        str(tmp_path / "a.mp4"),
        "--json",
        env=fast,
    )
    assert run.code == 0, run.stderr
    assert run.json()["elapsed_s"] < 2  # the default job takes 4 s
    for bad, named in (
        ("job_secs=1", "'job_secs=1' is not NAME=VALUE"),
        ("fps=500", "fps: Input should be less"),
    ):
        refused = seedance(
            "generate", "A cat", "--emulator", "--json", env={**fresh_env, "SEEDANCE_EMULATOR_OPTIONS": bad}
        )
        assert refused.code == 2, refused.stderr
        assert f"$SEEDANCE_EMULATOR_OPTIONS: {named}" in refused.json()["error"]["message"]
