"""An agent's calls when the gateway misbehaves after the submit, or the arguments are hostile: every error
about a paid job names it and says to wait for it (never to generate again); a bounded wait is bounded; a job
id cannot reach another path on the gateway; two calls never pay into one file."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from mcp_harness import McpServer

from waiting import wait_for

SMALL = {"duration": 4, "resolution": "480p"}


def at_once(server: McpServer, tool: str, calls: list[dict[str, Any]]) -> list[Any]:
    """Call `tool` once per arguments dict, all at the same time; the answers in the same order."""

    async def together() -> list[Any]:
        return await asyncio.gather(*(server.session.call_tool(tool, arguments) for arguments in calls))

    return server._run(together())


def text_of(answer: Any) -> str:
    return "\n".join(block.text for block in answer.content)


@pytest.mark.parametrize("status", [400, 401, 403, 429, 503])
def test_an_error_after_the_submit_names_the_paid_job_and_says_to_wait_for_it(
    server: McpServer, emulator: Any, status: int
) -> None:
    """The submit is accepted, then the status check is refused: the answer carries the request id and says
    wait_for_job, never 'nothing was queued'; wait_for_job then finishes the same job (one submit)."""
    emulator.add_fault(f"http:status={status},route=status,count={1 if status < 429 else 50},retry_after=1")
    answer = server.call("generate_video", prompt="A heron", wait_seconds=8, **SMALL)
    assert answer.is_error
    assert len(emulator.submits) == 1
    structured = answer.structured_content or {}
    request_id = structured["error"]["request_id"]
    assert request_id.startswith("seedance-2-0")
    assert "nothing was queued" not in text_of(answer)
    assert f"call wait_for_job with job_id={request_id!r}" in structured["next_step"]
    assert "do not generate this video again" in structured["next_step"]
    emulator.clear_faults()
    done = server.data("wait_for_job", job_id=request_id, wait_seconds=30)
    assert done["request_id"] == request_id
    assert Path(done["file"]).read_bytes()[4:8] == b"ftyp"
    assert len(emulator.submits) == 1


def test_a_silent_gateway_cannot_hold_a_bounded_wait(server: McpServer, emulator: Any) -> None:
    """Status answers that take 100 s: generate_video with wait_seconds=2 answers 'still running' within
    seconds, with the job's id (the job is paid and journaled, not lost)."""
    emulator.add_fault("slow:route=status,delay=100")
    started = time.monotonic()
    video = server.data("generate_video", prompt="A slow owl", wait_seconds=2, **SMALL)
    assert time.monotonic() - started < 20
    assert video["status"] == "still running"
    assert video["request_id"]
    emulator.clear_faults()
    listed = {j["request_id"]: j for j in server.data("list_jobs")["jobs"]}
    assert listed[video["request_id"]]["state"] in ("queued", "running")


def test_download_of_a_job_still_running_says_to_wait(server: McpServer, emulator: Any) -> None:
    """download_video before the job ends: the next step is wait_for_job, not download_video again."""
    emulator.configure(job_seconds=30.0)
    started = server.data("generate_video", prompt="A late lark", wait_seconds=0, **SMALL)
    answer = server.call("download_video", job_id=started["request_id"])
    assert answer.is_error
    assert "no video yet" in text_of(answer)
    assert (answer.structured_content or {})["next_step"].startswith("call wait_for_job")


@pytest.mark.parametrize("job_id", ["../../../_emulator/config", "..", "", "a\nb"])
def test_a_job_id_never_reaches_another_path_on_the_gateway(
    server: McpServer, emulator: Any, job_id: str
) -> None:
    """An id with slashes stays one path segment (the gateway does not know it); dots, empty or control
    characters are refused before anything is sent. Nothing of the emulator's own routes is answered."""
    answer = server.call("get_job", job_id=job_id)
    assert answer.is_error
    assert "options" not in text_of(answer)  # the emulator's config was not relayed
    assert not [r for r in emulator.requests if r.path.startswith("/_emulator")]
    assert all(r.path.startswith("/v2/requests/status/") for r in emulator.requests)
    if "/" not in job_id:
        assert emulator.requests == []  # refused here, before anything was sent


def test_two_calls_for_one_output_name_never_pay_into_one_file(server: McpServer, emulator: Any) -> None:
    """Three generate_video calls at once with output='same': one is made, the others refused before their
    submit (nothing paid for them)."""
    emulator.configure(job_seconds=1.0)

    answers = at_once(
        server, "generate_video", [{"prompt": f"Same {i}", "output": "same", **SMALL} for i in range(3)]
    )
    made = [a for a in answers if not a.is_error]
    refused = [a for a in answers if a.is_error]
    assert len(made) == 1
    assert len(refused) == 2
    assert all("already exists (or is being made)" in text_of(a) for a in refused)
    assert len(emulator.submits) == 1


def test_a_nul_in_a_media_path_is_one_line(server: McpServer, emulator: Any) -> None:
    """A NUL byte in a path: one clear error, no traceback, nothing sent."""
    answer = server.call("estimate_cost", prompt="x", first_frame="media/ok.png\x00.jpg")
    assert answer.is_error
    text = text_of(answer)
    assert "NUL" in text
    assert "Traceback" not in text
    assert "\x00" not in text  # the byte itself is never echoed
    lines = text.strip().splitlines()  # one error line, then at most its hint
    assert lines[0].startswith("error: "), text
    assert len(lines) <= 2, text
    assert all(line.startswith("hint: ") for line in lines[1:]), text
    assert emulator.requests == []


def test_estimate_cost_checks_the_media_files_like_generate_video(server: McpServer, emulator: Any) -> None:
    """A missing or empty file inside the allowed folder is refused by estimate_cost as well."""
    (server.cwd / "media" / "empty.png").write_bytes(b"")
    for name in ("media/missing.png", "media/empty.png"):
        answer = server.call("estimate_cost", prompt="x", first_frame=name)
        assert answer.is_error, name
    assert emulator.requests == []


def test_a_name_left_to_a_running_job_is_not_given_to_another(server: McpServer, emulator: Any) -> None:
    """generate_video(output='clip', wait_seconds=0) twice: the second is refused while the first job still
    has to be downloaded there (one submit, nothing paid into a file another job owns)."""
    emulator.configure(job_seconds=30.0)
    first = server.data("generate_video", prompt="First clip", output="clip2", wait_seconds=0, **SMALL)
    second = server.call("generate_video", prompt="Second clip", output="clip2", wait_seconds=0, **SMALL)
    assert first["status"] == "still running"
    assert second.is_error
    assert "already exists (or is being made)" in text_of(second)
    assert len(emulator.submits) == 1


def test_names_that_differ_only_in_case_are_one_file(server: McpServer, emulator: Any) -> None:
    """Clip4 then clip4 while the first job still runs: refused (on macOS and Windows they are one file)."""
    emulator.configure(job_seconds=30.0)
    first = server.data("generate_video", prompt="First case clip", output="Clip4", wait_seconds=0, **SMALL)
    second = server.call("generate_video", prompt="Second case clip", output="clip4", wait_seconds=0, **SMALL)
    assert first["status"] == "still running"
    assert second.is_error
    assert "already exists (or is being made)" in text_of(second)
    assert len(emulator.submits) == 1


@pytest.mark.parametrize("name", ["..", " ", ".mp4"])
def test_an_output_name_with_nothing_left_of_it_is_refused(
    server: McpServer, emulator: Any, name: str
) -> None:
    """Names that would all collapse to one default file are refused before the submit."""
    answer = server.call("generate_video", prompt="A cat", output=name, wait_seconds=0, **SMALL)
    assert answer.is_error
    assert "is not a usable file name" in text_of(answer)
    assert emulator.submits == []


def test_two_waits_for_one_job_take_turns_and_the_video_is_saved(server: McpServer, emulator: Any) -> None:
    """wait_for_job twice at once for one job: one saves the video, the other is told another call is
    already on it and to call again (never two writers on one file); a third call then answers at once."""
    emulator.configure(job_seconds=2.0)
    first = server.data("generate_video", prompt="Turn taking", output="turns", wait_seconds=0, **SMALL)
    request_id = first["request_id"]

    answers = at_once(server, "wait_for_job", [{"job_id": request_id, "wait_seconds": 30}] * 2)
    saved = [a for a in answers if not a.is_error]
    told = [a for a in answers if a.is_error]
    assert len(saved) == 1
    assert len(told) == 1
    assert "another call is already waiting for this job" in text_of(told[0])
    assert f"wait_for_job with job_id={request_id!r}" in text_of(told[0])
    video = server.data("wait_for_job", job_id=request_id, wait_seconds=5)
    assert Path(video["file"]).read_bytes()[4:8] == b"ftyp"
    assert len(emulator.submits) == 1


def test_download_video_cannot_take_a_name_a_running_job_will_save(server: McpServer, emulator: Any) -> None:
    """Job A (still running) owns a.mp4: download_video of job B into a.mp4 is refused, so A's video is
    never overwritten by B's, nor B's by A's."""
    emulator.configure(job_seconds=30.0)
    a_id = server.data("generate_video", prompt="Job A apples", output="a.mp4", wait_seconds=0, **SMALL)[
        "request_id"
    ]
    emulator.configure(job_seconds=0.2)
    b = server.data("generate_video", prompt="Job B bananas", download=False, wait_seconds=20, **SMALL)
    refused = server.call("download_video", job_id=b["request_id"], output="a.mp4")
    assert refused.is_error
    assert f"a.mp4 is where job {a_id} will save its video" in text_of(refused)


def test_an_id_the_gateway_does_not_know_points_the_agent_at_list_jobs(
    server: McpServer, emulator: Any
) -> None:
    """A 404 for a made-up id is not a paid job to wait for: the next step is list_jobs, not wait_for_job."""
    answer = server.call("get_job", job_id="seedance-2-0_doesnotexist")
    assert answer.is_error
    assert "call list_jobs" in text_of(answer)
    assert "wait_for_job" not in text_of(answer)


def test_a_misspelt_argument_is_refused_before_anything_is_paid(server: McpServer, emulator: Any) -> None:
    """generate_video(durations=12, resolutin=...) would be paid at the defaults: refused, naming each
    unknown argument and the one meant; nothing sent. estimate_cost says the same."""
    for tool in ("generate_video", "estimate_cost"):
        answer = server.call(tool, prompt="A cat", durations=12, resolutin="480p")
        assert answer.is_error, tool
        text = text_of(answer)
        assert "'durations' (did you mean 'duration'?)" in text
        assert "'resolutin' (did you mean 'resolution'?)" in text
        assert "nothing was sent" in text
    assert emulator.requests == []


def test_a_slow_download_does_not_hold_the_call_past_its_wait(server: McpServer, emulator: Any) -> None:
    """The media host answers only after 30 s: generate_video(wait_seconds=4) answers within about its
    wait (not a minute later) with status downloading and download_video as the next step."""
    emulator.configure(job_seconds=0.5)
    emulator.add_fault("slow:route=media,delay=30,count=1")
    started = time.monotonic()
    answer = server.data("generate_video", prompt="Slow media", wait_seconds=4, **SMALL)
    took = time.monotonic() - started
    assert answer["status"] == "downloading"
    assert "call download_video" in answer["next_step"]
    assert took < 4 + 5 + 5  # the wait, the download's minimum, and room for a busy machine


def test_a_relative_media_path_is_found_in_the_allowed_folder(server: McpServer, emulator: Any) -> None:
    """With --allow-dir media, `rel.png` names media/rel.png (the folder the agent was told about)."""
    from PIL import Image

    Image.new("RGB", (64, 48), (20, 140, 40)).save(server.cwd / "media" / "rel.png")
    estimate = server.data("estimate_cost", prompt="x", first_frame="rel.png")
    assert estimate["operation"] == "2.0/first-last-frame"  # an image was found and read: not text to video


def test_an_output_folder_that_became_a_file_is_said_before_paying(server: McpServer, emulator: Any) -> None:
    """The --out-dir folder was replaced by a file after the start: generate_video refuses before the
    submit (nothing paid for a video that could not be saved)."""
    import shutil

    videos = server.cwd / "videos"
    moved = server.cwd / "videos-aside"
    if videos.exists():
        shutil.move(videos, moved)
    videos.write_text("not a folder")
    try:
        answer = server.call("generate_video", prompt="Nowhere to go", **SMALL)
    finally:
        videos.unlink()
        if moved.exists():
            shutil.move(moved, videos)
    assert answer.is_error
    assert "cannot take the video" in text_of(answer)
    assert "nothing was sent" in text_of(answer)
    assert len(emulator.submits) == 0


def test_a_call_the_client_gave_up_on_keeps_its_job_and_a_repeat_is_refused(
    server: McpServer, emulator: Any
) -> None:
    """The gateway takes 3 s to accept a submit; the client gives up after 1 s (and cancels the call). The
    job still gets its request id in the journal (the submit is not cut off half way), and the agent calling
    again with the same request is told to wait for that job, not charged twice; again=true pays on purpose."""
    emulator.configure(job_seconds=30.0)
    emulator.add_fault("slow:route=submit,delay=3,count=1")
    arguments = {"prompt": "A patient crane", "wait_seconds": 0, **SMALL}
    with pytest.raises(Exception, match=r"(?i)time"):
        server._run(server.session.call_tool("generate_video", arguments, read_timeout_seconds=1))
    early = server.call("generate_video", **arguments)  # the first submit is still on its way
    assert early.is_error
    assert "is being submitted right now" in text_of(early)
    assert "call list_jobs in a few seconds" in text_of(early)
    jobs = wait_for(
        lambda: (j := server.data("list_jobs")["jobs"]) and j[0]["request_id"] and j, interval=0.2
    )
    assert jobs[0]["state"] in ("queued", "running")
    repeat = server.call("generate_video", **arguments)
    assert repeat.is_error
    assert jobs[0]["request_id"] in text_of(repeat)
    assert "again=true" in text_of(repeat)
    structured = repeat.structured_content or {}
    assert structured["error"]["same_as"]["request_id"] == jobs[0]["request_id"]
    assert f"call wait_for_job with job_id={jobs[0]['request_id']!r}" in structured["next_step"]
    assert len(emulator.submits) == 1
    paid = server.data("generate_video", again=True, **arguments)
    assert paid["status"] == "still running"
    assert paid["request_id"] != jobs[0]["request_id"]
    assert len(emulator.submits) == 2


def test_a_repeat_of_a_submit_with_no_answer_is_refused_and_a_different_request_is_not(
    server: McpServer, emulator: Any
) -> None:
    """A submit whose connection dropped may have made a paid job: the same request again is refused,
    naming the local id and the dashboard; another request (a new prompt) is sent as usual."""
    emulator.configure(job_seconds=30.0)
    emulator.add_fault("drop:route=submit,count=1")
    lost = server.call("generate_video", prompt="A lost lark", wait_seconds=0, **SMALL)
    assert lost.is_error
    repeat = server.call("generate_video", prompt="A lost lark", wait_seconds=0, **SMALL)
    assert repeat.is_error
    assert "got no answer" in text_of(repeat)
    assert "dashboard" in text_of(repeat)
    other = server.data("generate_video", prompt="A found finch", wait_seconds=0, **SMALL)
    assert other["status"] == "still running"


def test_identical_calls_at_the_same_time_pay_once(server: McpServer, emulator: Any) -> None:
    """Three identical generate_video calls at once (an agent fanning out, or retrying in parallel): one job
    is submitted; the other two are refused as repeats of it (the check and the journal row are one step)."""
    emulator.configure(job_seconds=30.0)
    answers = at_once(server, "generate_video", [{"prompt": "A triple tern", "wait_seconds": 0, **SMALL}] * 3)
    assert len(emulator.submits) == 1
    refused = [answer for answer in answers if answer.is_error]
    assert len(refused) == 2, [text_of(answer) for answer in answers]
    assert all((answer.structured_content or {})["error"]["type"] == "RepeatRefused" for answer in refused)
