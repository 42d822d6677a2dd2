"""Reading batch files: line numbers, CSV, aliases, safe names, and the checks made before anything is sent."""

from __future__ import annotations

from pathlib import Path

from seedance.batch.input import output_name, read_batch
from seedance.batch.prior import batch_id_for

from .conftest import write_jsonl


def test_bad_lines_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    """Each bad line is reported with its number in the file (blank and comment lines count as lines)."""
    path = write_jsonl(
        tmp_path / "b.jsonl",
        [{"prompt": "ok"}, "", "# a comment", {"prompt": "x", "duration": 99}, "{not json", '["a list"]'],
    )
    batch = read_batch(path)
    assert [line.number for line in batch.lines] == [1]
    problems = {p.number: p.message for p in batch.problems}
    assert sorted(problems) == [4, 5, 6]
    assert "duration" in problems[4]
    assert "JSON" in problems[5]


def test_csv_lines_are_numbered_from_the_header(tmp_path: Path) -> None:
    """A CSV's first record is line 2; empty cells are left out and `|` separates several references."""
    image = tmp_path / "a.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    path = tmp_path / "b.csv"
    path.write_text(
        "prompt,duration,ref_image\nA fox,4,\nA dog,5,a.png|https://example.com/b.jpg\nA cow,100,\n"
    )
    batch = read_batch(path)
    assert [(line.number, line.request.duration) for line in batch.lines] == [(2, 4), (3, 5)]
    assert batch.lines[1].request.ref_images == [str(image.resolve()), "https://example.com/b.jpg"]
    assert [p.number for p in batch.problems] == [4]


def test_a_missing_media_file_is_caught_before_sending(tmp_path: Path) -> None:
    """Media paths are checked (relative to the batch file) while reading, not at submit time."""
    path = write_jsonl(tmp_path / "b.jsonl", [{"prompt": "x", "first_frame": "missing.png"}])
    batch = read_batch(path)
    assert batch.problems
    assert "not found" in batch.problems[0].message


def test_a_line_cannot_choose_its_output_path(tmp_path: Path) -> None:
    """`output` in a line is refused: names come from the line number and prompt only."""
    path = write_jsonl(tmp_path / "b.jsonl", [{"prompt": "x", "output": "../../etc/passwd"}])
    assert "output path" in read_batch(path).problems[0].message


def test_output_names_are_safe_and_stable() -> None:
    """Names are the line number and an ASCII slug of the prompt: no separators, no dots, bounded length."""
    assert output_name(7, "A cat walking!") == "0007-a-cat-walking.mp4"
    name = output_name(12, "../../etc/passwd ~/x " + "é" * 300)
    assert "/" not in name
    assert ".." not in name
    assert len(name) < 60
    assert output_name(3, None) == "0003-video.mp4"


def test_the_batch_is_its_output_folder(tmp_path: Path) -> None:
    """The batch id is the output folder's, however it is spelled: an edited or moved file into the same
    folder is the same batch (its lines are matched by what they ask); another folder is another batch."""
    (tmp_path / "videos").mkdir()
    first = batch_id_for(tmp_path / "videos")
    assert batch_id_for(tmp_path / "videos" / ".." / "videos") == first
    assert batch_id_for(tmp_path / "other") != first
    path = write_jsonl(tmp_path / "b.jsonl", [{"prompt": "x"}])
    assert read_batch(path, first).batch_id == first
