"""Join two MP4 files into one (a clip and its extension): remux when the streams match, re-encode if not.

The gateway's extension returns only the new segment; `seedance generate --extend ... --join` writes the
source followed by the segment. When both files carry the same codecs, size and pixel format (a chain of
extensions from one model usually does), the packets are copied with the second file's timestamps moved
past the first: no quality is lost and it takes milliseconds. Otherwise both are decoded and encoded again
as H.264 at the first file's size and frame rate (frames are placed by their time, so a 24 fps segment
after an 8 fps clip keeps its length). Needs PyAV (`pip install 'seedance[emulator]'`).
"""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from seedance.errors import InputError

JoinMethod = Literal["remux", "re-encode"]


def require_pyav() -> None:
    """Refuse a join before anything is paid for when PyAV is missing."""
    try:
        import av  # noqa: F401
    except ImportError:
        raise InputError(
            "--join needs PyAV to write the joined MP4", hint="pip install 'seedance[emulator]' (it has PyAV)"
        ) from None


def video_seconds(path: Path) -> float:
    """The length of a file's video stream in seconds (its end time, as a player shows it)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        return float(container.duration or 0) / av.time_base


def join_videos(first: Path, second: Path, target: Path) -> JoinMethod:
    """Write `first` followed by `second` to `target` (atomically: a temporary file, then a rename)."""
    import av

    fd, temp_name = tempfile.mkstemp(prefix=".seedance-join-", suffix=".mp4", dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        with av.open(str(first)) as a, av.open(str(second)) as b:
            method: JoinMethod = "remux" if _same_streams(a, b) else "re-encode"
            offset = video_seconds(first)
            with av.open(str(temp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
                if method == "remux":
                    _remux(a, b, out, offset)
                else:
                    _reencode(a, b, out, offset)
        os.replace(temp, target)
        return method
    except (av.FFmpegError, IndexError, ValueError) as exc:
        raise InputError(f"cannot join {first.name} and {second.name}: {exc}") from None
    finally:
        temp.unlink(missing_ok=True)


def _signature(container: Any) -> tuple[Any, ...]:
    video = container.streams.video[0]
    v = (video.codec_context.name, video.width, video.height, video.format.name if video.format else None)
    audio = container.streams.audio
    a = (audio[0].codec_context.name, audio[0].rate, audio[0].channels) if audio else None
    return (v, a)


def _same_streams(a: Any, b: Any) -> bool:
    return bool(_signature(a) == _signature(b))


def _remux(a: Any, b: Any, out: Any, offset: float) -> None:
    """Copy packets: `a`'s as they are, `b`'s moved `offset` seconds later."""
    kinds = ["video"] + (["audio"] if a.streams.audio else [])
    targets = {kind: out.add_stream_from_template(getattr(a.streams, kind)[0]) for kind in kinds}
    ends = dict.fromkeys(kinds, Fraction(0))  # where each of `a`'s streams ends, in seconds
    shifts: dict[str, Fraction] = {}
    for source, first in ((a, True), (b, False)):
        streams = [getattr(source.streams, kind)[0] for kind in kinds]
        for packet in source.demux(*streams):
            if packet.dts is None:  # the demuxer's empty flush packet
                continue
            kind = packet.stream.type
            if first:
                stop = (packet.dts + (packet.duration or 0)) * packet.time_base
                ends[kind] = max(ends[kind], stop)
                shift = Fraction(0)
            else:
                if kind not in shifts:  # `b`'s first packet of this stream (AAC starts before 0: priming)
                    # sound may run a little past the picture: never step back in time
                    start = packet.dts * packet.time_base
                    shifts[kind] = max(Fraction(offset), ends[kind] - start)
                shift = shifts[kind]
            ticks = round(shift / packet.time_base)
            packet.pts = packet.pts + ticks if packet.pts is not None else None
            packet.dts += ticks
            packet.stream = targets[kind]
            out.mux(packet)


def _reencode(a: Any, b: Any, out: Any, offset: float) -> None:
    """Decode both and encode H.264 at `a`'s size and frame rate, with AAC sound when both have sound."""
    source = a.streams.video[0]
    rate = Fraction(source.average_rate or 24).limit_denominator(1000)
    video = out.add_stream("libx264", rate=rate)
    video.width, video.height, video.pix_fmt = source.width, source.height, "yuv420p"
    video.options = {"preset": "veryfast"}
    sound = None
    if a.streams.audio and b.streams.audio:  # every stream exists before the first packet is written
        first = a.streams.audio[0]
        sound = out.add_stream("aac", rate=first.rate, layout=first.layout.name)
    total = offset + video_seconds(Path(b.name))
    _encode_video(a, b, out, video, rate, offset, round(total * rate))
    if sound is not None:
        _encode_audio(a, b, out, sound, offset)


def _encode_video(a: Any, b: Any, out: Any, stream: Any, rate: Fraction, offset: float, frames: int) -> None:
    """Place every decoded frame at its time on a constant-rate grid of `frames` slots."""
    import av

    width, height = stream.width, stream.height
    slot = 0  # the next output frame number
    last: Any = None

    def emit(picture: Any) -> None:
        nonlocal slot
        frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
        frame.pts = slot
        out.mux(stream.encode(frame))
        slot += 1

    for container, shift in ((a, 0.0), (b, offset)):
        for frame in container.decode(container.streams.video[0]):
            at = shift + float(frame.time or 0.0)
            picture = frame.to_ndarray(format="rgb24", width=width, height=height)
            wanted = min(round(at * rate), frames - 1)
            while last is not None and slot < wanted:  # a slower input: repeat the frame shown
                emit(last)
            if slot <= wanted:  # a faster input: frames that fall on a slot already written are dropped
                emit(picture)
            last = picture
    while last is not None and slot < frames:
        emit(last)
    out.mux(stream.encode(None))


def _encode_audio(a: Any, b: Any, out: Any, stream: Any, offset: float) -> None:
    import av

    first = a.streams.audio[0]
    resampler = av.AudioResampler(format="fltp", layout=first.layout.name, rate=first.rate)
    written = 0
    for container, shift in ((a, 0.0), (b, offset)):
        start = round(shift * first.rate)
        if written < start:  # the first file's sound is shorter than its picture: silence until the join
            silence = av.AudioFrame(format="fltp", layout=first.layout.name, samples=start - written)
            for plane in silence.planes:
                plane.update(bytes(plane.buffer_size))
            silence.rate, silence.pts = first.rate, written
            for packet in stream.encode(silence):
                out.mux(packet)
            written = start
        container.seek(0)  # the pictures were read first: back to the start for the sound
        for frame in container.decode(container.streams.audio[0]):
            frame.pts = None
            for chunk in resampler.resample(frame):
                chunk.pts = written
                written += chunk.samples
                for packet in stream.encode(chunk):
                    out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
