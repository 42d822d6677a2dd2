"""`seedance mcp` as a real subprocess over stdio, driven by the official MCP client, against the emulator."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from mcp_harness import McpServer

from cli_process import run_seedance
from conftest import server_env
from seedance.errors import KEY_PROMPT
from seedance.request import FIELD_NAMES

TOOLS = {
    "list_operations",
    "estimate_cost",
    "generate_video",
    "get_job",
    "wait_for_job",
    "list_jobs",
    "download_video",
    "account_setup_instructions",
    "save_api_key",
}
SMALL = {"duration": 4, "resolution": "480p"}


def cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run `seedance ARGS --json` the way a person would after the agent; return its JSON object."""
    done = run_seedance([*args, "--json"], env, timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_lists_every_tool_with_its_cost_and_the_request_schema(server: McpServer, emulator: Any) -> None:
    """The nine tools are listed; each description says whether it spends credits; generate_video and
    estimate_cost take VideoRequest's own fields, described by its docstrings."""
    tools = server.tools()
    assert set(tools) == TOOLS
    assert "COSTS CREDITS" in (tools["generate_video"].description or "")
    assert all(
        "Free: spends no credits." in (t.description or "") for n, t in tools.items() if n != "generate_video"
    )
    assert all(
        "ctx" not in t.input_schema["properties"] for t in tools.values()
    )  # the SDK's, not the agent's
    for name in ("generate_video", "estimate_cost"):
        properties = tools[name].input_schema["properties"]
        assert set(properties) >= FIELD_NAMES
        assert properties["prompt"]["description"].startswith("What the video should show")
    assert {"output", "wait_seconds", "download"} <= set(tools["generate_video"].input_schema["properties"])


def test_estimates_and_lists_without_any_request(server: McpServer, emulator: Any) -> None:
    """estimate_cost and list_operations answer from local data: the gateway sees no request at all;
    arguments of the wrong type come back as one line."""
    operations = server.data("list_operations")
    cost = server.data("estimate_cost", prompt="A cat", model="2.0-fast", duration=6)
    bad = server.call("estimate_cost", prompt="A cat", duration="six")
    served = [op for op in operations["operations"] if op["retired_on"] is None]
    retired = [op["path"] for op in operations["operations"] if op["retired_on"]]
    assert len(served) == 19
    assert retired == ["/byteplus/v1/generateFrame2VideoTask"]
    extend = next(op for op in served if op["operation"] == "extend")
    assert extend["inputs"] == "prompt, extend_video"
    assert extend["price"] is None
    assert "price unknown" in server.data("estimate_cost", prompt="A cat", model="2.0-mini")["estimate"]
    assert cost["estimated_cost_usd"] == 1.44  # 6 s x $0.24/s
    assert cost["spends_credits"] is False
    assert bad.is_error
    assert (
        bad.content[0].text
        == "error: duration: Input should be a valid integer, unable to parse string as an integer"
    )  # type: ignore[union-attr]
    assert emulator.requests == []


def test_generates_a_video_that_the_journal_and_the_cli_know(server: McpServer, emulator: Any) -> None:
    """generate_video saves a real MP4 in the output folder after one submit, answers with the estimate,
    and the job is readable with get_job, list_jobs and the CLI's `seedance jobs`."""
    video = server.data("generate_video", prompt="A cat on a beach", output="cat.mp4", **SMALL)
    job = server.data("get_job", job_id=video["request_id"])
    listed = server.data("list_jobs")["jobs"]
    target = server.cwd / "videos" / "cat.mp4"
    assert video["status"] == "succeeded"
    assert video["file"] == str(target)
    assert target.read_bytes()[4:8] == b"ftyp"
    assert video["size_bytes"] == target.stat().st_size > 1000
    assert video["estimated_cost_usd"] == 1.16  # 4 s x $0.29/s
    assert len(emulator.submits) == 1
    assert (job["request_id"], job["state"]) == (video["request_id"], "succeeded")
    assert listed[0]["request_id"] == video["request_id"]
    journal = {j["request_id"]: j for j in cli(server.env, "jobs")["jobs"]}
    assert (journal[video["request_id"]]["state"], journal[video["request_id"]]["file"]) == (
        "downloaded",
        str(target),
    )
    assert emulator.api_key not in server.all_text()


def test_a_wait_reports_the_jobs_progress_to_a_client_that_asks(server: McpServer, emulator: Any) -> None:
    """generate_video with a progress callback: notifications name the job and its states as they change,
    their progress only grows, and the call still answers with the saved video."""
    emulator.configure(job_seconds=3.0)
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    answer = server._run(
        server.session.call_tool(
            "generate_video",
            {"prompt": "A heron", **SMALL, "wait_seconds": 30},
            progress_callback=on_progress,
        )
    )
    assert not answer.is_error, answer.content
    request_id = json.loads(answer.content[0].text)["request_id"]  # type: ignore[union-attr]
    messages = [message for _, _, message in seen]
    assert messages[0] == f"job {request_id}: submitted"
    states = {message.rsplit(": ", 1)[1] for message in messages if message}
    assert states & {"queued", "running"}, messages  # what the polls saw (a busy machine may miss one)
    assert messages[-1] == f"job {request_id}: saved"
    progress = [value for value, _, _ in seen]
    assert progress == sorted(set(progress))  # strictly growing, as the protocol asks
    assert all(total == 30 for _, total, _ in seen)


def test_a_long_job_is_reported_still_running_and_resumed_by_the_cli(
    server: McpServer, emulator: Any
) -> None:
    """A job longer than the bounded wait comes back 'still running' with its id (not an error, not a
    second submit); `seedance resume ID` finishes it into the file the agent asked for."""
    emulator.configure(job_seconds=1.0)
    video = server.data("generate_video", prompt="A storm", output="storm", wait_seconds=0, **SMALL)
    assert video["status"] == "still running"
    assert "wait_for_job" in video["next_step"]
    resumed = cli(server.env, "resume", video["request_id"])["resumed"]
    target = server.cwd / "videos" / "storm.mp4"
    assert [r["file"] for r in resumed] == [str(target)]
    assert target.read_bytes()[4:8] == b"ftyp"
    assert len(emulator.submits) == 1


def test_wait_for_job_and_download_video_write_only_in_the_output_folder(
    server: McpServer, emulator: Any
) -> None:
    """wait_for_job finishes a job left running into its recorded file; download_video saves it again
    under a sanitised name, inside the output folder whatever the name asked for."""
    emulator.configure(job_seconds=0.5)
    started = server.data("generate_video", prompt="A fox", output="fox.mp4", wait_seconds=0, **SMALL)
    finished = server.data("wait_for_job", job_id=started["request_id"])
    again = server.data("download_video", job_id=started["request_id"], output="../../escape.mp4")
    videos = server.cwd / "videos"
    assert finished["file"] == str(videos / "fox.mp4")
    assert again["file"] == str(videos / "escape.mp4")
    assert (videos / "escape.mp4").read_bytes() == (videos / "fox.mp4").read_bytes()
    assert not (server.cwd.parent / "escape.mp4").exists()
    assert len(emulator.submits) == 1


def test_a_failed_generation_is_a_one_line_tool_error(server: McpServer, emulator: Any) -> None:
    """A job the gateway fails comes back as a tool error: the gateway's reason in one line, no traceback,
    one submit (nothing resent), and the failure recorded in the journal."""
    emulator.add_fault("fail:count=1,message=content policy")
    answer = server.call("generate_video", prompt="Something refused", **SMALL)
    assert answer.is_error
    text = answer.content[0].text  # type: ignore[union-attr]
    assert text.startswith("error: the job ended")
    assert "content policy" in text
    assert "\n" not in text
    assert "Traceback" not in answer.model_dump_json()
    assert len(emulator.submits) == 1
    assert server.data("list_jobs", state="failed")["jobs"][0]["prompt"] == "Something refused"


def test_refuses_media_outside_the_allowed_folder(server: McpServer, emulator: Any, png: Path) -> None:
    """A path outside --allow-dir, a `..` escape and a symlink pointing out are refused with one line and
    nothing is sent; a file inside is accepted (estimate_cost checks paths the same way)."""
    media = server.cwd / "media"
    (media / "ok.png").write_bytes(png.read_bytes())
    (media / "link.png").unlink(missing_ok=True)
    (media / "link.png").symlink_to(png)
    escapes = [str(png), "media/../media.png", str(media / "link.png")]
    answers = [server.call("generate_video", prompt="Move", first_frame=path, **SMALL) for path in escapes]
    accepted = server.data("estimate_cost", prompt="Move", first_frame="media/ok.png")
    for path, answer in zip(escapes, answers, strict=True):
        assert answer.is_error
        assert answer.content[0].text.startswith(f"error: first_frame: {path} is outside the folders")  # type: ignore[union-attr]
        assert "Traceback" not in answer.model_dump_json()
    assert accepted["operation"] == "2.0/first-last-frame"
    assert emulator.requests == []


def test_without_a_key_answers_the_skill_sentence_then_saves_the_pasted_key(
    emulator: Any, tmp_path: Path
) -> None:
    """No key: generate_video answers with the skill's sentence verbatim and sends nothing; save_api_key
    stores the key (600) without echoing it; the next generate_video works. The key is in no answer."""
    env = server_env(tmp_path, emulator.base_url, None)
    with McpServer([], env, tmp_path) as server:
        setup = server.data("account_setup_instructions")
        refused = server.call("generate_video", prompt="A cat", **SMALL)
        sent_before_key = len(emulator.requests)
        junk = [
            server.call("save_api_key", api_key=value) for value in ("true", "https://api-console.pixazo.ai")
        ]
        saved = server.data("save_api_key", api_key=f"  {emulator.api_key}\n")
        video = server.data("generate_video", prompt="A cat", **SMALL)
        jobs = server.data("list_jobs")
    assert setup["has_key"] is False
    assert setup["say_to_user"] == KEY_PROMPT
    assert refused.is_error
    assert refused.content[0].text == KEY_PROMPT  # type: ignore[union-attr]
    assert "save_api_key" in refused.content[1].text  # type: ignore[union-attr]
    assert sent_before_key == 0
    key_file = tmp_path / "home" / ".pixazo" / "api-key"
    assert saved["saved_to"] == str(key_file)
    assert key_file.read_text() == emulator.api_key + "\n"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert video["status"] == "succeeded"
    assert Path(video["file"]).parent == tmp_path
    assert emulator.api_key not in server.all_text()
    assert all(answer.is_error for answer in junk)  # a slip of the paste is refused, never saved
    assert jobs["ok"] is True  # and no answer is broken by it (`"ok": true` stays JSON)


def test_on_the_emulator_every_answer_is_free_and_marked_emulated(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    """`seedance mcp --emulator`: the estimate, the generated job, get_job and list_jobs say 0 and emulated;
    nothing says charged."""
    env = server_env(tmp_path, "https://gateway.pixazo.ai", None)
    env["SEEDANCE_EMULATOR_OPTIONS"] = cli_env["SEEDANCE_EMULATOR_OPTIONS"]
    with McpServer(["--emulator"], env, tmp_path) as server:
        cost = server.data("estimate_cost", prompt="A cat", **SMALL)
        video = server.data("generate_video", prompt="A cat", **SMALL)
        job = server.data("get_job", job_id=video["request_id"])
        jobs = server.data("list_jobs")
    for answer in (cost, video):
        assert answer["estimated_cost_usd"] == 0
        assert answer["emulated"] is True
        assert "free on the emulator" in answer["estimate"]
    assert job["charged"] is False
    assert job["emulated"] is True
    assert all(row["emulated"] and row["estimated_cost_usd"] == 0 for row in jobs["jobs"])
