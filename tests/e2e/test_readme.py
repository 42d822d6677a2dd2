"""The README and the docs run as written: every shell block, in order, against the local emulator; the Python
examples against the emulator and through the pytest plugin; the CLI reference is what `--help` says now."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cli_process import run_command

if TYPE_CHECKING:
    from cli_forkserver import ForkServer

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
SETUP = "make demo    # creates .venv, installs, generates cat.mp4 through the local gateway emulator (no key, no network)\nmake test    # lint, type check and the whole test suite (1m40-1m55 on 2 cores)\n"
SHOWN_ONLY = ("seedance auth", "seedance mcp", "SEEDANCE_MCP_TOKEN=", "seedance emulator", "seedance gallery --serve", "make ",
              ".venv/bin/", "python3 -m venv", "pip install ", "SEEDANCE_JOURNAL=postgresql://")  # fmt: skip
"""What a ```console block may hold: the key's commands, servers that run until stopped, setup, the tests, a
team's PostgreSQL journal."""


def blocks(page: Path, kind: str) -> list[str]:
    """Every ```KIND block of a page, in order."""
    return re.findall(rf"```{kind}\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.DOTALL)


def python_blocks() -> list[str]:
    """Every ```python block of the README and the docs, in order."""
    return [block for page in PAGES for block in blocks(page, "python")]


def with_python(env: dict[str, str]) -> dict[str, str]:
    """`env` with this interpreter's folder first on PATH (its `python3`, as in the activated .venv)."""
    return {**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"}


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_command(args, env, cwd=cwd, timeout=300)


def test_the_library_example_runs_as_written(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """Sync generate, submit/status/wait/download and the async client: three videos, three submits."""
    emulator.configure(fps=4, job_seconds=0.3)
    (example,) = [block for block in python_blocks() if "seedance.Client()" in block]
    (tmp_path / "example.py").write_text(example, encoding="utf-8")
    done = run([sys.executable, "example.py"], gateway_env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for name in ("cat.mp4", "fox.mp4", "cat-async.mp4"):
        assert (tmp_path / name).read_bytes()[4:8] == b"ftyp", name
    assert len(emulator.submits) == 3


def test_the_pytest_example_passes_as_written(gateway_env: dict[str, str], tmp_path: Path) -> None:
    """Copied into a test file of its own and run by pytest in a subprocess: it passes."""
    (example,) = [block for block in python_blocks() if "def test_" in block]
    (tmp_path / "test_example.py").write_text(example, encoding="utf-8")
    done = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
        gateway_env,
        tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_the_readme_starts_with_the_two_commands_of_a_fresh_machine() -> None:
    """The first block is `make demo` and `make test`, nothing else; the next lines say how to run seedance."""
    first = blocks(README, "sh")[0]
    assert first == SETUP
    assert ".venv/bin/seedance" in README.read_text(encoding="utf-8").split("```")[2]


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_shell_block_runs_as_written(
    page: Path, cli_env: dict[str, str], seedance_on_path: ForkServer, tmp_path: Path
) -> None:
    """A page's ```sh blocks, one script in order, in a fresh folder, against the local emulator: exit 0, no
    traceback. A command or an option the CLI no longer has fails here. (Each `seedance` is a process of its
    own, forked from one that imported the CLI: see tests/cli_forkserver.py.)"""
    scripts = blocks(page, "sh")
    if page == README:
        scripts = scripts[1:]  # `make demo` / `make test`: the fresh-clone test runs the first
    if not scripts:
        pytest.skip(f"{page.name} has no shell block")
    env = {**cli_env, "SEEDANCE_EMULATOR": "1", "PATH": seedance_on_path.path(with_python(cli_env))}
    env.pop("PIXAZO_API_KEY", None)
    done = run(["bash", "-e", "-x", "-o", "pipefail", "-c", "\n".join(scripts)], env, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr


def test_the_readme_tour_makes_videos_and_a_gallery(
    cli_env: dict[str, str], seedance_on_path: ForkServer, tmp_path: Path
) -> None:
    """The five-line tour leaves the fox video, the resumed job's video and a gallery that shows them."""
    env = {**cli_env, "PATH": seedance_on_path.path(with_python(cli_env))}
    env.pop("PIXAZO_API_KEY", None)
    (tour,) = [block for block in blocks(README, "sh") if "seedance" in block]
    done = run(["bash", "-e", "-c", tour], env, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "fox.mp4").read_bytes()[4:8] == b"ftyp"
    assert len(list(tmp_path.glob("seedance-*-a-cat-on-a-piano.mp4"))) == 1
    page = (tmp_path / "gallery.html").read_text(encoding="utf-8")
    assert "fox.mp4" in page
    assert "free (emulated)" in page  # emulator work is never shown with a price
    assert "Est. cost" not in page


def test_console_blocks_only_show_what_cannot_run_in_a_test() -> None:
    """Blocks shown but not run hold only servers (they run until stopped), setup and the test suite."""
    for page in PAGES:
        for block in blocks(page, "console"):
            for line in filter(None, block.splitlines()):
                assert line.startswith(SHOWN_ONLY), f"{page.name}: {line!r} belongs in a ```sh block"


def test_the_cli_reference_is_what_help_says(cli_env: dict[str, str]) -> None:
    """docs/cli.md's reference is regenerated from `--help`: an option added, renamed or removed without
    running `scripts/cli_reference.py` fails here."""
    done = run([sys.executable, str(ROOT / "scripts" / "cli_reference.py"), "--check"], cli_env, ROOT)
    assert done.returncode == 0, done.stderr
