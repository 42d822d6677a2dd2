"""skills/seedance/SKILL.md runs as written: every command of its ```bash blocks, in order, against the emulator.

Mechanical rules, so the skill stays the thing tested: each line of a ```bash block is one command, run by
`bash -c` in a fresh folder with `seedance` on PATH; a trailing `  # ...` comment may name the exit codes the
skill promises (`exit 3`), otherwise 0 is expected; `<JOB_ID>` becomes the last `request_id` a command
printed, `<PASTED_KEY>` the emulator's key; the media files the commands name are made first. The run starts
with no key at all, as a new user would.
"""

from __future__ import annotations

import json
import math
import re
import struct
import time
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cli_process import run_command
from seedance.cli.commands import COMMANDS
from seedance.cli.output import EXIT_CODES
from seedance.errors import KEY_PROMPT

if TYPE_CHECKING:
    from cli_forkserver import ForkServer

SKILL = Path(__file__).resolve().parents[2] / "skills" / "seedance" / "SKILL.md"


def bash_commands(text: str) -> list[tuple[str, set[int]]]:
    """The commands of the ```bash blocks, each with the exit codes its comment promises (default 0)."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            command, _, comment = line.partition("  #")
            codes = {int(code) for code in re.findall(r"\bexit (\d+)", comment)} or {0}
            commands.append((command.strip(), codes))
    return commands


def make_media(folder: Path) -> None:
    """The files the skill's commands name: images, a video, an audio clip (all real)."""
    import av
    import numpy as np
    from PIL import Image

    for name, colour in (("start.png", (200, 40, 40)), ("end.png", (40, 40, 200)), ("dancer.png", (9, 9, 9))):
        Image.new("RGB", (64, 48), colour).save(folder / name)
    Image.new("RGB", (64, 48), (40, 200, 40)).save(folder / "style.jpg")
    with av.open(str(folder / "day.mp4"), "w") as container:
        stream = container.add_stream("libx264", rate=8)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for n in range(8):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), n * 30, dtype=np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    with wave.open(str(folder / "beat.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 5))) for i in range(8000)))


@pytest.fixture
def skill_env(emulator: Any, cli_env: dict[str, str], seedance_on_path: ForkServer) -> dict[str, str]:
    """The emulator as gateway, no key anywhere, and `seedance` on PATH (each a process of its own, forked
    from one that imported the CLI: tests/cli_forkserver.py)."""
    env = {k: v for k, v in cli_env.items() if k != "PIXAZO_API_KEY"}
    return env | {"SEEDANCE_BASE_URL": emulator.base_url, "PATH": seedance_on_path.path(env)}


def test_the_skill_names_itself_and_keeps_the_contract() -> None:
    """Frontmatter name and description; the key sentence verbatim; the exit-code table is the CLI's; every
    `seedance X` it mentions is a real command."""
    text = SKILL.read_text(encoding="utf-8")
    front = re.match(r"---\n(.*?)\n---\n", text, flags=re.DOTALL)
    assert front is not None
    fields = dict(line.split(": ", 1) for line in front.group(1).splitlines())
    assert fields["name"] == "seedance"
    assert "Seedance" in fields["description"]
    assert "Pixazo" in fields["description"]
    assert KEY_PROMPT in text
    table = {int(code) for code in re.findall(r"^\| (\d+) \|", text, flags=re.MULTILINE)}
    assert table == set(EXIT_CODES)
    mentioned = set(re.findall(r"\bseedance ([a-z]+)", text))
    assert mentioned <= set(COMMANDS), mentioned - set(COMMANDS)


def test_every_command_of_the_skill_runs_as_written(
    skill_env: dict[str, str], emulator: Any, tmp_path: Path
) -> None:
    """Each command exits as the skill says and prints one JSON object; the videos it promises exist."""
    emulator.configure(fps=4)  # fewer frames to synthesise; the files are still real MP4s
    commands = bash_commands(SKILL.read_text(encoding="utf-8"))
    assert len(commands) >= 12
    make_media(tmp_path)
    last_request_id = None
    outputs: list[dict[str, Any]] = []
    for command, codes in commands:
        assert command.startswith("seedance ") or "| seedance " in command, command
        if "<JOB_ID>" in command:
            assert last_request_id is not None, f"{command}: no request_id printed before it"
            command = command.replace("<JOB_ID>", last_request_id)
        command = command.replace("<PASTED_KEY>", emulator.api_key)
        started = time.monotonic()
        done = run_command(["bash", "-c", command], skill_env, cwd=tmp_path)
        print(f"{time.monotonic() - started:5.1f} s  {command}")
        assert done.returncode in codes, f"{command}: exit {done.returncode}\n{done.stderr}"
        data = json.loads(done.stdout)
        assert data["ok"] is (done.returncode == 0), command
        last_request_id = data.get("request_id", last_request_id)
        outputs.append(data)
        assert emulator.api_key not in done.stdout + done.stderr
    first = outputs[0]  # `seedance auth status --json` with no key yet: the sentence to relay
    assert first["message"] == KEY_PROMPT
    for name in ("cat", "dolly", "dance", "night", "cat-longer", "cat-longer.segment", "storm", "storm-copy"):
        assert (tmp_path / f"{name}.mp4").read_bytes()[4:8] == b"ftyp", name
    assert len(emulator.submits) == 6  # five generates (one extends cat.mp4) and the storm; the dry run: none
