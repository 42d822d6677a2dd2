"""Fixtures for end-to-end tests: real media files on disk, and a runner for the CLI (in this process, as a
subprocess would see it: `cli_inprocess`; tests about the process itself start one with `cli_process`)."""

from __future__ import annotations

import json
import math
import os
import struct
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cli_inprocess import run_seedance_here


@dataclass
class Run:
    """A finished CLI subprocess."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """The one JSON object printed on stdout."""
        data: dict[str, Any] = json.loads(self.stdout)
        return data


@pytest.fixture
def gateway_env(emulator: Any, cli_env: dict[str, str]) -> dict[str, str]:
    """A subprocess environment pointed at the emulator, with its key."""
    return {**cli_env, "SEEDANCE_BASE_URL": emulator.base_url, "PIXAZO_API_KEY": emulator.api_key}


@pytest.fixture
def seedance(gateway_env: dict[str, str]) -> Callable[..., Run]:
    """Run `seedance ARGS...` against the emulator (in this process, as a subprocess would see it); return its
    exit code and output. `timeout` is kept for callers: an in-process run has no separate process to stop."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Run:
        done = run_seedance_here(list(args), env or gateway_env)
        return Run(done.returncode, done.stdout, done.stderr)

    return run


@dataclass
class Media:
    """Small real media files: two images, a video and an audio clip."""

    png: Path
    jpg: Path
    mp4: Path
    wav: Path


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    """Real files made with Pillow, PyAV and the wave module."""
    import av
    import numpy as np
    from PIL import Image

    folder = tmp_path_factory.mktemp("media")
    Image.new("RGB", (64, 48), (200, 40, 40)).save(folder / "first.png")
    Image.new("RGB", (64, 48), (40, 40, 200)).save(folder / "last.jpg")
    with av.open(str(folder / "clip.mp4"), "w") as container:
        stream = container.add_stream("libx264", rate=8)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for n in range(8):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), n * 30, dtype=np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    with wave.open(str(folder / "tone.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 5))) for i in range(8000)))
    return Media(folder / "first.png", folder / "last.jpg", folder / "clip.mp4", folder / "tone.wav")


def probe(path: Path) -> tuple[float, int, int]:
    """(duration in seconds, width, height) of an MP4, read with PyAV: proves the file plays."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        rate = float(stream.average_rate or 24)
        return frames / rate, stream.width, stream.height


@pytest.fixture
def fresh_env(cli_env: dict[str, str]) -> dict[str, str]:
    """An environment with no gateway and no key (for --emulator runs)."""
    return {k: v for k, v in cli_env.items() if k not in ("PIXAZO_API_KEY", "SEEDANCE_BASE_URL")} | {
        "HOME": os.environ["HOME"]
    }
