"""Joining a clip and its extension into one MP4: remux when the streams match, re-encode when not."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedance.emulator.video import VideoSpec, synthesize
from seedance.errors import InputError
from seedance.join import join_videos, video_seconds


def clip(folder: Path, name: str, *, seconds: int, fps: int, size: tuple[int, int], audio: bool) -> Path:
    """A real H.264 MP4 made by the emulator's synthesiser."""
    path = folder / name
    synthesize(VideoSpec(size[0], size[1], seconds, fps, name, audio, 0), path)
    return path


def frames_and_streams(path: Path) -> tuple[int, list[str]]:
    import av

    with av.open(str(path)) as container:
        kinds = [s.type for s in container.streams]
        return sum(1 for _ in container.decode(container.streams.video[0])), kinds


def test_matching_streams_are_remuxed_with_sound(tmp_path: Path) -> None:
    """Same codec, size and sound: packets copied, the second file moved after the first."""
    a = clip(tmp_path, "a.mp4", seconds=2, fps=8, size=(160, 90), audio=True)
    b = clip(tmp_path, "b.mp4", seconds=3, fps=8, size=(160, 90), audio=True)
    assert join_videos(a, b, tmp_path / "ab.mp4") == "remux"
    assert video_seconds(tmp_path / "ab.mp4") == pytest.approx(5.0, abs=0.05)
    assert frames_and_streams(tmp_path / "ab.mp4") == (40, ["video", "audio"])


def test_different_sizes_and_rates_are_re_encoded_to_the_first(tmp_path: Path) -> None:
    """A 24 fps 160x90 segment after an 8 fps 96x64 clip: encoded at 8 fps, 96x64, lengths kept."""
    a = clip(tmp_path, "a.mp4", seconds=1, fps=8, size=(96, 64), audio=False)
    b = clip(tmp_path, "b.mp4", seconds=4, fps=24, size=(160, 90), audio=True)
    assert join_videos(a, b, tmp_path / "ab.mp4") == "re-encode"
    assert video_seconds(tmp_path / "ab.mp4") == pytest.approx(5.0, abs=0.15)
    assert frames_and_streams(tmp_path / "ab.mp4") == (40, ["video"])


def test_re_encoding_keeps_the_sound_of_both(tmp_path: Path) -> None:
    """Different sizes, sound in both: the joined sound lasts as long as the picture."""
    import av

    a = clip(tmp_path, "a.mp4", seconds=2, fps=4, size=(96, 64), audio=True)
    b = clip(tmp_path, "b.mp4", seconds=2, fps=4, size=(160, 90), audio=True)
    assert join_videos(a, b, tmp_path / "ab.mp4") == "re-encode"
    with av.open(str(tmp_path / "ab.mp4")) as container:
        sound = container.streams.audio[0]
        assert float(sound.duration * sound.time_base) == pytest.approx(4.0, abs=0.15)


def test_a_file_that_is_no_video_is_one_input_error(tmp_path: Path) -> None:
    """Not an MP4: InputError naming both files, and no half-written target."""
    a = clip(tmp_path, "a.mp4", seconds=1, fps=8, size=(96, 64), audio=False)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(InputError, match=r"cannot join a\.mp4 and bad\.mp4"):
        join_videos(a, bad, tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()
    assert list(tmp_path.glob(".seedance-join-*")) == []
