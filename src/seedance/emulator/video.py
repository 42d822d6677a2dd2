"""Synthesise a real, playable H.264 MP4 for a job: a moving shape, a clock, the prompt's first words."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CAPTION_WORDS = 6
"""How many words of the prompt are drawn on the video."""

_AUDIO_RATE = 24_000  # plenty for a quiet tone, and half the AAC encoding work of 48 kHz
_FREE_BOX_HEADER = 8


@dataclass(frozen=True)
class VideoSpec:
    """Everything that decides the bytes of a synthesised video; equal specs share one cached file."""

    width: int
    height: int
    duration: int
    fps: int
    caption: str
    audio: bool
    min_bytes: int = 0

    @property
    def frame_count(self) -> int:
        """The number of video frames: duration times fps."""
        return self.duration * self.fps


def caption_of(prompt: str, fallback: str) -> str:
    """Return the first words of the prompt (with an ellipsis when cut), or `fallback` for an empty prompt.

    Pillow's built-in font draws ASCII only: accents are dropped (`café` is drawn `cafe`), and a prompt with
    letters it cannot draw (Chinese, Cyrillic, ...) gets a tag of the whole prompt, so that two such videos
    still tell apart (`prompt #3f2a9c`) instead of showing rows of empty boxes.
    """
    words = prompt.split()
    if not words:
        return fallback
    caption = " ".join(words[:CAPTION_WORDS]) + (" …" if len(words) > CAPTION_WORDS else "")
    drawable, lost = _ascii_letters(caption)
    if not lost:
        return drawable
    tag = "#" + hashlib.sha256(prompt.encode()).hexdigest()[:6]
    kept = " ".join(drawable.replace("…", "").split())
    return f"{kept} {tag}" if kept else f"prompt {tag}"


def _ascii_letters(text: str) -> tuple[str, bool]:
    """`text` with accents dropped and only ASCII (and the ellipsis) kept; and whether any letter was lost."""
    kept, lost = [], False
    for char in unicodedata.normalize("NFKD", text):
        if char.isascii() or char == "…":
            kept.append(char)
        elif unicodedata.category(char)[0] in "LN":  # a letter or digit it cannot draw; marks and ’ just go
            lost = True
    return "".join(kept), lost


def synthesize(spec: VideoSpec, path: Path) -> None:
    """Write the video for `spec` to `path` (H.264 yuv420p, moov first, optional AAC sine, optional padding)."""
    import av

    with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=spec.fps)
        video.width, video.height, video.pix_fmt = spec.width, spec.height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        with contextlib.ExitStack() as stack:
            # Every stream is added before the first packet is written (the header names them all).
            tone = stack.enter_context(av.open(io.BytesIO(_tone(spec.duration)))) if spec.audio else None
            audio = container.add_stream_from_template(tone.streams.audio[0]) if tone is not None else None
            _write_frames(container, video, spec)
            if tone is not None:
                _copy_packets(container, tone, audio)
    pad_with_free_box(path, spec.min_bytes)


def _write_frames(container: Any, stream: Any, spec: VideoSpec) -> None:
    import av
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    w, h, n = spec.width, spec.height, spec.frame_count
    base = _background(w, h)
    # The caption never changes: draw it once into the background, then only the moving parts per frame.
    canvas = Image.fromarray(base)
    size = max(14, min(w, h) // 12)
    font = ImageFont.load_default(size=size)
    while size > 12 and font.getlength(spec.caption) > w * 0.9:  # shrink a long caption to fit the width
        size -= 2
        font = ImageFont.load_default(size=size)
    ImageDraw.Draw(canvas).text((w // 20, h // 16), spec.caption, font=font, fill=(255, 255, 255),
                                stroke_width=max(1, h // 240), stroke_fill=(0, 0, 0))  # fmt: skip
    base = np.asarray(canvas).copy()
    clock_font = ImageFont.load_default(size=max(12, h // 22))
    label_w, label_h = min(w - 20, max(h // 2, w // 3)), max(18, h // 14)
    side = max(8, h // 6)
    for i in range(n):
        frame = base.copy()
        # A square that crosses the frame once and bobs up and down, so every frame differs from the last.
        x = (w - side) * i // max(1, n - 1)
        y = (h - side) // 2 + int((h // 6) * np.sin(2 * np.pi * i / max(2, spec.fps)))
        frame[y : y + side, x : x + side] = (255, 196, 0)
        label = Image.new("RGB", (label_w, label_h), (16, 16, 16))
        ImageDraw.Draw(label).text((6, 2), f"{i / spec.fps:5.2f}s  frame {i + 1}/{n}", font=clock_font,
                                   fill=(255, 255, 255))  # fmt: skip
        frame[h - label_h - 10 : h - 10, 10 : 10 + label_w] = np.asarray(label)
        picture = av.VideoFrame.from_ndarray(frame, format="rgb24")
        picture.pts = i
        container.mux(stream.encode(picture))
    container.mux(stream.encode(None))


@functools.cache
def _background(width: int, height: int) -> Any:
    """The gradient every frame starts from (read-only: one array per size, shared by the encoding threads)."""
    import numpy as np

    ys, xs = np.mgrid[0:height, 0:width]
    base = np.empty((height, width, 3), dtype=np.uint8)
    base[..., 0] = 40 + xs * 120 // width
    base[..., 1] = 50
    base[..., 2] = 90 + ys * 120 // height
    base.flags.writeable = False
    return base


def _copy_packets(container: Any, source: Any, stream: Any) -> None:
    """Copy the tone's AAC packets into `stream`: encoded once per duration (`_tone`), as the encoding took a
    third of a short video's CPU, and the same bytes each time."""
    for packet in source.demux(source.streams.audio[0]):
        if packet.dts is not None:  # the demuxer's last, empty packet only marks the end
            packet.stream = stream
            container.mux(packet)


@functools.cache
def _tone(duration: int) -> bytes:
    """An M4A of `duration` seconds of a quiet 440 Hz sine (AAC, mono)."""
    import av

    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        _write_tone(container, container.add_stream("aac", rate=_AUDIO_RATE, layout="mono"), duration)
    return out.getvalue()


def _write_tone(container: Any, stream: Any, duration: int) -> None:
    import av
    import numpy as np

    samples = np.arange(duration * _AUDIO_RATE, dtype=np.float32) / _AUDIO_RATE
    tone = (0.05 * np.sin(2 * np.pi * 440.0 * samples)).astype(np.float32)
    size = stream.codec_context.frame_size or 1024
    for start in range(0, len(tone), size):
        frame = av.AudioFrame.from_ndarray(tone[None, start : start + size], format="flt", layout="mono")
        frame.sample_rate, frame.pts = _AUDIO_RATE, start
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def pad_with_free_box(path: Path, min_bytes: int) -> None:
    """Append a top-level MP4 `free` box so the file is at least `min_bytes` long; players skip such boxes."""
    missing = min_bytes - path.stat().st_size
    if missing <= 0:
        return
    size = max(missing, _FREE_BOX_HEADER)
    # A box larger than 4 GiB needs the 64-bit form: size field 1, then the real size after the type.
    header = (
        struct.pack(">I4s", size, b"free") if size < 2**32 else struct.pack(">I4sQ", 1, b"free", size + 8)
    )
    chunk = bytes(1 << 20)
    with path.open("ab") as out:
        out.write(header)
        left = size - _FREE_BOX_HEADER
        while left > 0:
            out.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
