"""Where a paid video goes: never onto a file that exists (unless --overwrite), never where another job still
has to save its own, never under a name another job took in the same second; flags that would change what is
paid for (an empty --first-frame) or cannot be sent (a broken --webhook-url) are refused before the submit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import plain_http
from cli_inprocess import run_seedance_here as run_seedance

from .conftest import Run

SMALL = ("--resolution", "480p", "--duration", "4")


def submits(emulator: Any) -> int:
    return len(emulator.submits)


def test_an_existing_output_file_is_refused_before_the_submit_unless_overwrite(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """`-o cat.mp4` onto an existing file: exit 2, nothing sent, the file untouched; with --overwrite the
    new video replaces it."""
    emulator.configure(job_seconds=0.2, fps=4)
    target = tmp_path / "cat.mp4"
    target.write_bytes(b"the user's own file")
    refused = seedance("generate", "A cat", *SMALL, "-o", str(target))
    assert refused.code == 2, refused.stderr
    assert "already exists; nothing was sent" in refused.stderr
    assert "--overwrite" in refused.stderr
    assert submits(emulator) == 0
    assert target.read_bytes() == b"the user's own file"
    replaced = seedance("generate", "A cat", *SMALL, "-o", str(target), "--overwrite")
    assert replaced.code == 0, replaced.stderr
    assert target.read_bytes()[4:8] == b"ftyp"


def test_a_file_another_running_job_will_save_is_refused_to_a_second_job(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A job still running owns its -o path: a second generate to the same path (another process, even with
    --overwrite) is refused before it pays; once the first is saved, the second may replace it on purpose."""
    emulator.configure(job_seconds=30.0)
    target = tmp_path / "same.mp4"
    first = seedance("generate", "First cat", *SMALL, "-o", str(target), "--no-wait", "--json")
    assert first.code == 0, first.stderr
    second = seedance("generate", "Second dog", *SMALL, "-o", str(target), "--overwrite", "--json")
    assert second.code == 2, second.stderr
    error = second.json()["error"]
    assert f"job {first.json()['local_id']}" in error["message"]
    assert "nothing was sent" in error["message"]
    assert submits(emulator) == 1


def test_two_jobs_started_in_the_same_second_without_o_get_two_files(
    emulator: Any, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """Three `generate` at once with no -o (--again: the same request three times on purpose): three jobs,
    three different files, each reported by its job."""
    emulator.configure(job_seconds=0.5, fps=4)
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "seedance", "generate", "A fox in snow", *SMALL, "--json", "--again"],
            env=gateway_env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], [err for _, err in outputs]
    files = sorted(tmp_path.glob("seedance-*.mp4"))
    assert len(files) == 3
    saved = {json.loads(out)["file"] for out, _ in outputs}  # each job reports its own file
    assert saved == {str(f) for f in files}
    assert submits(emulator) == 3


@pytest.mark.parametrize("flag", ["--first-frame", "--last-frame", "--edit"])
def test_an_empty_media_flag_is_refused_not_dropped(
    emulator: Any, seedance: Callable[..., Run], flag: str
) -> None:
    """`--first-frame "$IMG"` with IMG unset would silently pay for text to video: exit 2, nothing sent."""
    run = seedance("generate", "A cat", *SMALL, flag, "", "--json")
    assert run.code == 2, run.stderr
    assert f"{flag} is empty" in run.json()["error"]["message"]
    assert submits(emulator) == 0


def test_a_job_that_is_never_sent_leaves_no_folder_behind(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """`-o new/deeper/cat.mp4` makes its folders before the submit (to be sure the video can be saved); when
    the gateway refuses the job (402) or there is no key, they are removed again, and a folder that already
    held something stays. A sent job keeps them."""
    emulator.add_fault("http:status=402,count=1")
    refused = seedance("generate", "A cat", *SMALL, "-o", str(tmp_path / "new" / "deeper" / "cat.mp4"))
    assert refused.code not in (0, 2), refused.stderr
    assert not (tmp_path / "new").exists()
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "notes.txt").write_text("mine")
    no_key = {k: v for k, v in gateway_env.items() if k != "PIXAZO_API_KEY"}
    missing = seedance(
        "generate", "A cat", *SMALL, "-o", str(tmp_path / "kept" / "sub" / "cat.mp4"), env=no_key
    )
    assert missing.code == 3, missing.stderr
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == ["notes.txt"]
    sent = seedance("generate", "A cat", *SMALL, "--no-wait", "-o", str(tmp_path / "later" / "cat.mp4"))
    assert sent.code == 0, sent.stderr
    assert (tmp_path / "later").is_dir()


def test_the_same_command_again_while_its_job_runs_is_refused_unless_again(
    emulator: Any, seedance: Callable[..., Run]
) -> None:
    """A shell or an agent that gave up on `generate` (a timeout, a kill) and runs it again would pay twice:
    while the first job runs, the same request is exit 2 naming it and `seedance wait`; --again pays on
    purpose; a submit that got no answer is named too, with the dashboard to check."""
    emulator.configure(job_seconds=30.0)
    first = seedance("generate", "A heron", *SMALL, "--no-wait", "--json")
    assert first.code == 0, first.stderr
    request_id = first.json()["request_id"]
    repeat = seedance("generate", "A heron", *SMALL, "--json")
    assert repeat.code == 2, repeat.stderr
    error = repeat.json()["error"]
    assert request_id in error["message"]
    assert "nothing was sent" in error["message"]
    assert f"seedance wait {request_id}" in error["hint"]
    assert "--again" in error["hint"]
    assert error["type"] == "RepeatRefused"
    assert error["same_as"]["request_id"] == request_id  # for an agent: no text to parse
    assert submits(emulator) == 1
    stated = seedance("generate", "A heron", *SMALL, "--ratio", "adaptive", "--operation", "text-to-video")
    assert stated.code == 2, stated.stderr  # the defaults said out loud: the same video
    assert seedance("generate", "A heron", "--resolution", "480p", "--no-wait").code == 0  # not the same
    assert seedance("generate", "A heron", *SMALL, "--no-wait", "--again").code == 0
    assert submits(emulator) == 3
    emulator.add_fault("drop:route=submit,count=1")
    assert seedance("generate", "A lost heron", *SMALL).code == 7
    unknown = seedance("generate", "A lost heron", *SMALL, "--json")
    assert unknown.code == 2, unknown.stderr
    assert "got no answer" in unknown.json()["error"]["message"]
    assert "dashboard" in unknown.json()["error"]["hint"]


def test_a_frame_is_the_same_input_however_its_path_is_written_and_another_file_is_not(
    emulator: Any, gateway_env: dict[str, str], media: Any, tmp_path: Path
) -> None:
    """`--first-frame frame.png` in two folders names two files: two jobs. The same file as `./frame.png` or
    by its absolute path, while the first job runs, is the same request: refused."""
    emulator.configure(job_seconds=30.0)
    folders = [tmp_path / "a", tmp_path / "b"]
    for number, folder in enumerate(folders):
        folder.mkdir()
        (folder / "frame.png").write_bytes(media.png.read_bytes() if number == 0 else media.jpg.read_bytes())

    def animate(frame: str, folder: Path) -> int:
        args = ["generate", "Animate", *SMALL, "--first-frame", frame, "--no-wait"]
        return run_seedance(args, gateway_env, cwd=folder).returncode

    assert [animate("frame.png", folder) for folder in folders] == [0, 0]
    assert animate("./frame.png", folders[0]) == 2
    assert animate(str(folders[1] / "frame.png"), tmp_path) == 2
    assert submits(emulator) == 2


def test_wait_and_download_never_write_over_another_jobs_video(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """`download B -o A's file` (A still to save there, or saved there) is exit 2 and writes nothing; a job
    may be downloaded again onto its own file."""
    emulator.configure(job_seconds=0.2, fps=4)
    saved = tmp_path / "b.mp4"
    first = seedance("generate", "A bee", *SMALL, "-o", str(saved), "--json")
    assert first.code == 0, first.stderr
    emulator.configure(job_seconds=30.0)
    claimed = tmp_path / "claimed.mp4"
    running = seedance("generate", "A slow ant", *SMALL, "-o", str(claimed), "--no-wait", "--json")
    emulator.configure(job_seconds=0.2)
    other = seedance("generate", "A moth", *SMALL, "--no-wait", "--json").json()["request_id"]
    emulator.advance(0.2)  # the moth's time is up (not the ant's)
    emulator.wait_for_job(other)  # and its video is encoded
    for command, target, what in (
        ("download", claimed, f"where job {running.json()['request_id']} will save its video"),
        ("wait", saved, f"job {first.json()['request_id']}'s saved video"),
    ):
        refused = seedance(command, other, "-o", str(target), "--json")
        assert refused.code == 2, refused.stderr
        assert what in refused.json()["error"]["message"]
    assert not claimed.exists()
    before = saved.read_bytes()
    again = seedance("download", first.json()["request_id"], "-o", str(saved))
    assert again.code == 0, again.stderr
    assert saved.read_bytes() == before


def test_a_finished_job_not_yet_downloaded_is_not_paid_for_again(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """Killed while downloading: the job is done but its video not saved. The same command again is refused
    (its video is one `seedance wait` away); once it is saved, the same request may be made again."""
    emulator.configure(job_seconds=0.2, fps=4)
    first = seedance("generate", "A quick wren", *SMALL, "--no-wait", "--json")
    request_id = first.json()["request_id"]
    emulator.advance(0.2)
    emulator.wait_for_job(request_id)
    assert seedance("status", request_id).code == 0  # the journal learns that it succeeded
    repeat = seedance("generate", "A quick wren", *SMALL, "--json")
    assert repeat.code == 2, repeat.stderr
    assert f"is succeeded (request id {request_id})" in repeat.json()["error"]["message"]
    assert seedance("wait", request_id, "-o", str(tmp_path / "wren.mp4")).code == 0
    assert seedance("generate", "A quick wren", *SMALL, "--no-wait").code == 0
    assert submits(emulator) == 2


@pytest.mark.parametrize("url", ["http://a\nb", "notaurl", "ftp://example.com/hook", "http:///nohost"])
def test_a_webhook_url_that_cannot_be_sent_is_refused_before_anything_is_journaled(
    emulator: Any, seedance: Callable[..., Run], url: str
) -> None:
    run = seedance("generate", "A cat", *SMALL, "--webhook-url", url, "--json")
    assert run.code == 2, run.stderr
    assert "--webhook-url" in run.json()["error"]["message"]
    assert submits(emulator) == 0
    assert seedance("jobs", "--json").json()["jobs"] == []


def test_an_interrupted_emulator_job_is_finished_by_resume_emulator(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """Ctrl-C during `generate --emulator`: the job stays with the local emulator, the hint says
    `seedance resume ID --emulator`, and that command (another process, another emulator) saves the video."""
    env = {k: v for k, v in cli_env.items() if k not in ("PIXAZO_API_KEY", "SEEDANCE_BASE_URL")}
    env["SEEDANCE_EMULATOR_OPTIONS"] = "job_seconds=3,fps=4"  # still running when interrupted
    args = [sys.executable, "-m", "seedance", "generate", "A slow cat", *SMALL, "--emulator", "-o", "cat.mp4"]
    child = subprocess.Popen(args, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    seen = ""
    deadline = time.monotonic() + 60
    while "submitted:" not in seen and time.monotonic() < deadline:
        seen += child.stderr.readline()
    os.kill(child.pid, signal.SIGINT)
    _, rest = child.communicate(timeout=60)
    assert child.returncode == 130, seen + rest
    assert "--emulator" in rest
    assert "cannot finish" not in rest
    resumed = run_seedance(["resume", "--emulator"], env, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "cat.mp4").read_bytes()[4:8] == b"ftyp"


HOLD_THE_PART = """
import sys, time
from pathlib import Path
from seedance.download import DownloadTarget
target = DownloadTarget(Path(sys.argv[1]), request_id=sys.argv[2])
target.begin(200, {})
print("holding", flush=True)
time.sleep(60)
"""


def test_a_cli_download_meets_another_process_downloading_the_same_job(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str], tmp_path: Path
) -> None:
    """Another process is writing the job's part file: `seedance download ID -o same.mp4` exits 10 with one
    line saying so, and leaves that process's file alone."""
    emulator.configure(job_seconds=0.2, fps=4)
    done = seedance("generate", "A cat", "--duration", "4", "--resolution", "480p", "--no-download", "--json")
    request_id = done.json()["request_id"]
    target = tmp_path / "same.mp4"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_PART, str(target), request_id],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        (part,) = tmp_path.glob("same.mp4.*.part")
        video = plain_http.get(done.json()["video_url"], timeout=30).content
        part.write_bytes(video)  # the other download has all of it and is still syncing: a Range gets 416
        run = seedance("download", request_id, "-o", str(target), "--json")
        assert part.read_bytes() == video  # not discarded after a 416, not appended to
    finally:
        holder.kill()
        holder.communicate()
    assert run.code == 10, run.stderr
    assert "another download of this job is writing" in run.json()["error"]["message"]
    assert "Traceback" not in run.stderr
    assert not target.exists()


def test_a_job_without_request_id_or_an_ambiguous_prefix_is_never_sent_to_the_gateway(
    emulator: Any, seedance: Callable[..., Run]
) -> None:
    """`wait` on an unknown-outcome job's journal id says it has no request id; a prefix of several jobs'
    ids says so; neither becomes a status request to the gateway (exit 2 both)."""
    emulator.configure(job_seconds=0.2, fps=4)
    emulator.add_fault("drop:route=submit,count=1")
    lost = seedance("generate", "A lost cat", *SMALL, "--json")
    assert lost.code == 7, lost.stderr
    for number in range(2):
        assert seedance("generate", f"A cat {number}", *SMALL, "--no-wait").code == 0
    statuses = len([r for r in emulator.requests if r.route == "status"])
    unknown = seedance("wait", lost.json()["error"]["local_id"], "--json")
    assert unknown.code == 2, unknown.stderr
    assert "has no request id (it is unknown" in unknown.json()["error"]["message"]
    several = seedance("status", "seedance-2-0", "--json")
    assert several.code == 2, several.stderr
    assert "matches several jobs" in several.json()["error"]["message"]
    assert len([r for r in emulator.requests if r.route == "status"]) == statuses


def test_a_job_is_looked_up_on_the_gateway_it_was_sent_to(
    emulator: Any, seedance: Callable[..., Run], gateway_env: dict[str, str]
) -> None:
    """Sent with --base-url, then `wait ID` without it: exit 2 naming the job's gateway and the flag to
    pass (the id and the key never go to another gateway); with the flag, the job finishes."""
    emulator.configure(job_seconds=0.2, fps=4)
    env = {k: v for k, v in gateway_env.items() if k != "SEEDANCE_BASE_URL"}
    sent = seedance(
        "generate", "A cat", *SMALL, "--base-url", emulator.base_url, "--no-wait", "--json", env=env
    )
    assert sent.code == 0, sent.stderr
    local_id = sent.json()["local_id"]
    elsewhere = seedance("wait", local_id, "--json", env=env)
    assert elsewhere.code == 2, elsewhere.stderr
    assert f"--base-url {emulator.base_url}" in elsewhere.json()["error"]["hint"]
    done = seedance("wait", local_id, "--base-url", emulator.base_url, "--json", env=env)
    assert done.code == 0, done.stderr


def test_an_emulator_job_is_finished_offline_by_a_later_command(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`generate --emulator --no-wait`, then `wait ID --emulator -o x.mp4` in another process (another run of the
    emulator) saves the video; `resume` without --emulator asks for no key and says to pass --emulator."""
    env = {k: v for k, v in cli_env.items() if k not in ("PIXAZO_API_KEY", "SEEDANCE_BASE_URL")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_seedance(list(args), env, cwd=tmp_path)

    sent = cli("generate", "x", *SMALL, "--emulator", "--no-wait", "--json")
    assert sent.returncode == 0, sent.stderr
    request_id = json.loads(sent.stdout)["request_id"]
    elsewhere = cli("resume", "--json")
    assert elsewhere.returncode == 2, elsewhere.stderr
    assert "--emulator" in json.loads(elsewhere.stdout)["resumed"][0]["skipped"]
    waited = cli("wait", request_id, "--emulator", "-o", "x.mp4")
    assert waited.returncode == 0, waited.stderr
    assert (tmp_path / "x.mp4").read_bytes()[4:8] == b"ftyp"
    listed = json.loads(cli("jobs", "--json").stdout)["jobs"][0]
    assert listed["emulated"] is True
    assert listed["charged"] is False
    assert listed["estimated_cost_usd"] == 0
