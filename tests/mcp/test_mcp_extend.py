"""MCP: a Seedance 2.5 extension through `generate_video`, chained by job id, and sandboxed like any media."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp_harness import McpServer


def write_clip(path: Path, frames: int = 8) -> Path:
    """A real one-second H.264 clip made with PyAV."""
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=8)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for n in range(frames):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), n * 30, dtype=np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def test_extend_video_makes_the_new_segment_and_chains_by_job_id(server: McpServer, emulator: Any) -> None:
    """extend_video (a file in an allowed folder) goes to 2.5's extend path as text + one video_url, the
    answer is the segment of the requested length; a second call naming the first job's id continues it."""
    write_clip(server.cwd / "media" / "clip.mp4")
    first = server.data("generate_video", prompt="It flies away", model="2.5", extend_video="media/clip.mp4",
                        duration=4, resolution="480p", output="seg1.mp4")  # fmt: skip
    assert (first["status"], first["operation"]) == ("succeeded", "2.5/extend")
    assert "price unknown" in first["estimate"]
    (submit,) = emulator.submits
    assert submit.path == "/seedance-2-5/v1/extend-video"
    assert [item["type"] for item in submit.json["content"]] == ["text", "video_url"]
    assert submit.json == {"content": submit.json["content"], "duration": 4, "resolution": "480p"}
    assert emulator.job(first["request_id"]).duration == 4

    chained = server.data("generate_video", prompt="It lands", model="2.5", extend_video=first["request_id"],
                          duration=4, resolution="480p", output="seg2.mp4")  # fmt: skip
    assert chained["status"] == "succeeded"
    sent = emulator.submits[-1].json["content"][1]["video_url"]["url"]
    saved = (server.cwd / "videos" / "seg1.mp4").read_bytes()
    import base64

    assert base64.b64decode(sent.split(",", 1)[1]) == saved


def test_extend_video_outside_the_sandbox_is_refused(
    server: McpServer, emulator: Any, tmp_path: Path
) -> None:
    """A clip outside the allowed folders is refused like any other media: nothing sent."""
    outside = write_clip(tmp_path / "secret.mp4")
    answer = server.call("generate_video", prompt="x", model="2.5", extend_video=str(outside))
    assert answer.is_error
    assert "outside the folders this server may read" in answer.content[0].text  # type: ignore[union-attr]
    assert emulator.requests == []
