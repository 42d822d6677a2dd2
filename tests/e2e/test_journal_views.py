"""`seedance jobs` and `seedance jobs show` print journal values literally: rich markup in a prompt is text (it
neither crashes the table nor styles it), and control characters from a prompt or a gateway error are shown
escaped, so a job cannot retitle or recolour the terminal that lists it. `--json` keeps the exact values.

Each run is the CLI against the emulator, in-process as a subprocess would see it; the terminal case and the
reader that goes away (a closed pipe) run a real `seedance` process.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Run

FAST = ("--duration", "4", "--resolution", "480p", "--no-audio")
WIDE = {"COLUMNS": "300"}  # one table row per job, whatever the prompt
HOSTILE_PROMPT = "evil \x1b]0;PWNED\x07 \x1b[31mred\x9b\x7f\nnext"
HOSTILE_ERROR = "boom \x1b]0;OWNED\x07 \x1b[2J\x1b[31mcleared"
CONTROLS = ("\x1b", "\x07", "\x9b", "\x7f")


def submit(seedance: Callable[..., Run], prompt: str) -> str:
    """Submit one job without waiting; return its journal id."""
    run = seedance("generate", prompt, *FAST, "--no-wait", "--json")
    assert run.code == 0, run.stderr
    listed = seedance("jobs", "--json").json()["jobs"]
    return str(next(j["local_id"] for j in listed if j["prompt"] == prompt))


def failed_job(seedance: Callable[..., Run], emulator: Any) -> str:
    """A job with a hostile prompt that the gateway fails with a hostile error; return its journal id."""
    emulator.add_fault("fail", count=1, message=HOSTILE_ERROR)
    run = seedance("generate", HOSTILE_PROMPT, *FAST, "--json")
    assert run.code == 8, run.stderr
    listed = seedance("jobs", "--json").json()["jobs"]
    assert [j["error"] for j in listed if j["prompt"] == HOSTILE_PROMPT] == [HOSTILE_ERROR]
    return str(listed[0]["local_id"])


def on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI with its stdout on a pseudo-terminal (300 columns); return its exit code and what it wrote."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 300, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "seedance", *args],
        env={**env, "TERM": "xterm-256color", **WIDE},
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    code = proc.wait(timeout=60)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_markup_in_prompts_is_listed_and_shown_literally(
    seedance: Callable[..., Run], gateway_env: dict[str, str]
) -> None:
    """`[/]` in a prompt used to crash `jobs` (MarkupError, exit 1, for good) and `[bold]x[/bold]` lost its
    brackets; both are now printed as written, in the table and by `jobs show`."""
    crashing = "array[0] and [/] closing [/bold]"
    styling = "[bold]x[/bold] [red]y[/] [link=e]z"  # under the 40 characters listed
    ids = {prompt: submit(seedance, prompt) for prompt in (crashing, styling)}

    listed = seedance("jobs", env={**gateway_env, **WIDE})
    assert listed.code == 0, listed.stderr
    assert "Traceback" not in listed.stderr
    for prompt, local_id in ids.items():
        assert any(local_id in line and prompt in line for line in listed.stdout.splitlines()), listed.stdout

    for prompt, local_id in ids.items():
        shown = seedance("jobs", "show", local_id)
        assert shown.code == 0, shown.stderr
        assert f"prompt: {prompt}\n" in shown.stdout


def test_a_path_with_markup_is_listed_literally(
    seedance: Callable[..., Run], gateway_env: dict[str, str]
) -> None:
    """A downloaded job's file name with brackets (`[final]`) shows whole in the `file` column."""
    run = seedance("generate", "a dog", *FAST, "-o", "[final] take [/].mp4", "--json")
    assert run.code == 0, run.stderr
    listed = seedance("jobs", env={**gateway_env, **WIDE})
    assert listed.code == 0, listed.stderr
    assert "[final] take [/].mp4" in listed.stdout


@pytest.mark.parametrize("where", ["pipe", "terminal"])
def test_control_characters_from_a_prompt_and_a_gateway_error_are_shown_escaped(
    seedance: Callable[..., Run], emulator: Any, gateway_env: dict[str, str], where: str
) -> None:
    """An OSC title sequence, CSI colour/clear codes, BEL, DEL, C1 and a newline in the prompt or in the
    gateway's error text reach neither `jobs` nor `jobs show` raw: each is shown as `\\x1b`-style text."""
    local_id = failed_job(seedance, emulator)
    outputs = []
    for args in (["jobs"], ["jobs", "show", local_id]):
        if where == "terminal":
            code, out = on_terminal(args, gateway_env)
        else:
            run = seedance(*args, env={**gateway_env, **WIDE})
            code, out = run.code, run.stdout
        assert code == 0, out
        # No sequence of the prompt or the error: neither the title (OSC) nor their colours or the clear.
        assert "\x1b]" not in out
        assert "\x1b[31m" not in out
        assert "\x1b[2J" not in out
        for char in ("\x07", "\x9b", "\x7f"):
            assert char not in out
        if where == "pipe":
            assert "\x1b" not in out  # nothing styles a pipe: not one ESC is left
        outputs.append(out)

    listed, shown = outputs
    assert "evil \\x1b]0;PWNED\\x07 \\x1b[31mred\\x9b\\x7f\\x0anext" in listed
    assert "prompt: evil \\x1b]0;PWNED\\x07 \\x1b[31mred\\x9b\\x7f\\x0anext\n" in shown
    assert "error: boom \\x1b]0;OWNED\\x07 \\x1b[2J\\x1b[31mcleared\n" in shown
    # JSON values (the request, the settings) stay valid JSON text: \u escapes, C1 and DEL included.
    request = next(line for line in shown.splitlines() if line.startswith("request: "))
    assert json.loads(request.removeprefix("request: "))["content"][0]["text"] == HOSTILE_PROMPT


def test_json_output_keeps_the_exact_values(seedance: Callable[..., Run], emulator: Any) -> None:
    """`--json` is exact JSON: the prompt and the error come back byte for byte, and the text holds no raw C0
    control (json.dumps escapes those)."""
    local_id = failed_job(seedance, emulator)
    listed = seedance("jobs", "--json")
    shown = seedance("jobs", "show", local_id, "--json")
    for run in (listed, shown):
        assert run.code == 0, run.stderr
        assert not any(ord(c) < 32 for c in run.stdout.rstrip("\n")), run.stdout
    job = shown.json()["job"]
    assert (job["prompt"], job["error"]) == (HOSTILE_PROMPT, HOSTILE_ERROR)
    assert job["request"]["content"][0]["text"] == HOSTILE_PROMPT
    assert listed.json()["jobs"][0]["prompt"] == HOSTILE_PROMPT


@pytest.mark.parametrize("args", [["jobs", "--json"], ["jobs"], ["jobs", "show", "LOCAL_ID"]])
def test_a_reader_that_goes_away_ends_the_listing_with_exit_0(
    seedance: Callable[..., Run], gateway_env: dict[str, str], args: list[str]
) -> None:
    """`seedance jobs --json | head -c 10`: stdout closed before anything is written is exit 0, no message."""
    local_id = submit(seedance, "a cat")
    args = [local_id if a == "LOCAL_ID" else a for a in args]
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone: every write gets EPIPE, deterministically
    try:
        done = subprocess.run(
            [sys.executable, "-m", "seedance", *args],
            env=gateway_env,
            stdin=subprocess.DEVNULL,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (0, "")


def test_a_hostile_gateway_error_reaches_the_terminal_escaped(
    seedance: Callable[..., Run], emulator: Any
) -> None:
    """generate's own error line (human and --json) shows the gateway's control characters escaped."""
    emulator.add_fault("fail", count=2, message=HOSTILE_ERROR + "\x9b")
    human = seedance("generate", "a plain prompt", *FAST)
    assert human.code == 8, human.stderr
    assert "boom \\x1b]0;OWNED\\x07" in human.stderr
    assert not any(c in human.stderr for c in CONTROLS)
    as_json = seedance("generate", "a plain prompt", *FAST, "--json")
    assert not any(c in as_json.stdout for c in CONTROLS)
    assert as_json.json()["error"]["message"].endswith(HOSTILE_ERROR + "\x9b")  # exact once parsed
