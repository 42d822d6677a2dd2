"""`seedance emulator` as a real subprocess: URL on the first stdout line, serves until Ctrl-C."""

from __future__ import annotations

import re
import select
import signal
import subprocess
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

import plain_http
from seedance.catalog import KEY_HEADER
from seedance.cli.emulator_cmd import emulator_command
from seedance.emulator import parse_fault_spec

SAMPLE = {"content": [{"type": "text", "text": "A cat walking on the beach"}]}
T2V = "/seedance-2-0/v1/text-to-video"


def first_line(process: subprocess.Popen[str], timeout: float = 20) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the emulator printed nothing"
    return process.stdout.readline().strip()


@pytest.fixture
def launch(seedance_cmd: list[str], cli_env: dict[str, str]) -> Iterator[list[subprocess.Popen[str]]]:
    """Started subprocesses, killed at the end if a test left one running."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def run_emulator(
    launch: list[subprocess.Popen[str]], cmd: list[str], env: dict[str, str], *args: str
) -> subprocess.Popen[str]:
    process = subprocess.Popen([*cmd, "emulator", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, stdin=subprocess.DEVNULL)  # fmt: skip
    launch.append(process)
    return process


def test_cli_prints_its_url_first_and_answers_the_sample_body(
    launch: list[subprocess.Popen[str]], seedance_cmd: list[str], cli_env: dict[str, str]
) -> None:
    """`seedance emulator --port 0` prints http://127.0.0.1:PORT first, takes the seed's body, stops on Ctrl-C."""
    process = run_emulator(
        launch, seedance_cmd, cli_env, "--port", "0", "--key", "k-123", "--job-seconds", "0.2"
    )
    url = first_line(process)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    answer = plain_http.post(
        url + T2V, json=SAMPLE, headers={KEY_HEADER: "k-123", "Content-Type": "application/json"}
    )
    assert answer.status_code == 202
    assert answer.json()["polling_url"] == f"{url}/v2/requests/status/{answer.json()['request_id']}"
    assert plain_http.post(url + T2V, json=SAMPLE, headers={KEY_HEADER: "other"}).status_code == 401
    steer = plain_http.post(url + "/_emulator/config", json={"submit_status": 200})
    assert steer.status_code == 200
    assert plain_http.post(url + T2V, json=SAMPLE, headers={KEY_HEADER: "k-123"}).status_code == 200
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_cli_fault_and_dialect_flags(
    launch: list[subprocess.Popen[str]], seedance_cmd: list[str], cli_env: dict[str, str]
) -> None:
    """`--fault` and `--dialect` shape the subprocess emulator's answers."""
    process = run_emulator(launch, seedance_cmd, cli_env, "--fault", "503:count=1,route=submit",
                           "--dialect", "id_field=task_id", "--dialect", "polling_url=none")  # fmt: skip
    url = first_line(process)
    headers = {KEY_HEADER: "any"}
    assert plain_http.post(url + T2V, json=SAMPLE, headers=headers).status_code == 503
    assert set(plain_http.post(url + T2V, json=SAMPLE, headers=headers).json()) == {"task_id", "status"}
    process.terminate()
    process.communicate(timeout=15)


def test_bad_fault_spec_is_a_usage_error() -> None:
    """An unknown fault kind is refused before anything starts (exit 2)."""
    result = CliRunner().invoke(emulator_command, ["--fault", "explode"])
    assert result.exit_code == 2
    assert "explode" in result.output


def test_fault_specs_parse() -> None:
    """The spec syntax: a bare status code, key=value parameters, `count=always`, commas inside a message."""
    assert parse_fault_spec("502").status == 502
    rule = parse_fault_spec("fail:count=2,job_status=ERROR,message=bad prompt, try again")
    assert (rule.kind, rule.count, rule.job_status, rule.message) == (
        "fail",
        2,
        "ERROR",
        "bad prompt, try again",
    )
    assert parse_fault_spec("slow:delay=0.5,count=always").count is None
    assert parse_fault_spec("expire:after_seconds=5,status=403").route == "media"
