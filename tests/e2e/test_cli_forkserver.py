"""The `seedance` that the docs' shell blocks run (tests/cli_forkserver.py) behaves as the console script does:
the same output and exit codes, standard input from a pipe, a closed stream, Ctrl-C passed on."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli_process import run_command
from seedance.journal import Journal
from waiting import wait_for

if TYPE_CHECKING:
    from cli_forkserver import ForkServer


def test_the_launcher_prints_and_exits_as_the_console_script(
    cli_env: dict[str, str], seedance_on_path: ForkServer, tmp_path: Path
) -> None:
    """Each script's output and exit code, through the launcher and through the installed console script."""
    scripts = [
        "seedance --version",
        "seedance no-such-command",
        "seedance generate 'A cat' --duration 4 --dry-run --json",
        'printf \'%s\\n\' \'{"prompt": "A cat"}\' | seedance batch - --out v --dry-run; echo "exit $?"',
        "seedance jobs 1>&-",  # stdout closed
        "seedance status nope",
    ]
    launcher = {**cli_env, "PATH": seedance_on_path.path(cli_env)}
    console = {**cli_env, "PATH": f"{Path(sys.executable).parent}:{cli_env['PATH']}"}
    for script in scripts:
        ours = run_command(["bash", "-c", script], launcher, cwd=tmp_path)
        real = run_command(["bash", "-c", script], console, cwd=tmp_path)
        assert (ours.returncode, ours.stdout, ours.stderr) == (real.returncode, real.stdout, real.stderr), (
            script
        )
    assert "fork server" not in real.stderr


def test_ctrl_c_reaches_the_command(
    cli_env: dict[str, str], seedance_on_path: ForkServer, tmp_path: Path
) -> None:
    """SIGINT to the launcher interrupts the command, which says so and exits 130, as in a terminal."""
    env = {**cli_env, "PATH": seedance_on_path.path(cli_env)}
    env["SEEDANCE_EMULATOR_OPTIONS"] = cli_env["SEEDANCE_EMULATOR_OPTIONS"].replace(
        "job_seconds=0.3", "job_seconds=60"
    )
    proc = subprocess.Popen(
        [str(seedance_on_path.bin / "seedance"), "generate", "A cat", "--emulator", "-o", "cat.mp4"],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        journal = Journal(Path(env["SEEDANCE_HOME"]) / "jobs.db")
        wait_for(lambda: [job for job in journal.jobs() if job.request_id])  # submitted: now waiting
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
