"""CSV batch files: quotes that would merge or mangle records, line numbers after blank lines, odd headers.

A CSV line is numbered by the physical line its record starts on (as JSONL lines are), because the number
names the output file. A malformed quote is never read past silently: within one line it makes that line
invalid; across lines (where the records after it can no longer be told apart) it refuses the whole file,
even with --skip-invalid.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from seedance.batch.input import read_batch
from seedance.errors import InputError

from .conftest import Run
from .test_input_files import invalid_line_numbers, priced, refused, write_bytes

EOLS = pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr-only"])


# --- quotes ------------------------------------------------------------------------------------------------


@EOLS
def test_an_unclosed_quote_refuses_the_file_and_merges_nothing(
    dry_run: Callable[..., Run], tmp_path: Path, eol: str
) -> None:
    """A stray quote opening line 3 is never closed: the lines after it cannot be told from the inside of that
    cell, so the file is refused (exit 2, naming line 3), with or without --skip-invalid; nothing is priced."""
    rows = ["prompt,duration", "A cat,4", '"A dog,5', "A fox,4", "A bird,4", "A horse,4"]
    path = write_bytes(tmp_path / "open.csv", eol.join(rows) + eol)
    for args in ((), ("--skip-invalid",)):
        run = dry_run(path, *args)
        error = refused(run)["error"]
        assert "line 3: unclosed quote" in error["message"], error
        assert "lines 3-6" in error["message"]
        assert '""' in error["hint"]
        assert "estimated" not in run.stderr
    with pytest.raises(InputError, match=r"open\.csv: line 3: unclosed quote"):
        read_batch(path)


@pytest.mark.parametrize("end", ["", "\n"], ids=["no-final-newline", "final-newline"])
def test_an_unclosed_quote_on_the_last_line_is_a_bad_line(
    dry_run: Callable[..., Run], tmp_path: Path, end: str
) -> None:
    """A quote left open on the file's last line puts no other line in doubt: that line alone is invalid."""
    path = write_bytes(tmp_path / "end.csv", f'prompt,duration\nA cat,4\n"A dog,4{end}')
    result = refused(dry_run(path))
    assert invalid_line_numbers(result) == [3]
    assert "unclosed quote" in result["invalid_lines"][0]["error"]
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (1, 1)
    assert [line.name for line in read_batch(path).lines] == ["0002-a-cat.mp4"]


def test_a_quote_closed_lines_later_with_text_after_it_refuses_the_file(
    dry_run: Callable[..., Run], tmp_path: Path
) -> None:
    """The quote opening line 3 is closed by the first quote of line 5, then text follows: where the records
    end cannot be known, so line 4 (`A fox`) is neither merged into line 3 nor sent on its own."""
    text = 'prompt,duration\nA cat,4\n"A dog,5\nA fox,4\n"A bird" flying,4\nA cow,4\n'
    path = write_bytes(tmp_path / "late.csv", text)
    for args in ((), ("--skip-invalid",)):
        error = refused(dry_run(path, *args))["error"]
        assert "line 3:" in error["message"]
        assert "line 5" in error["message"]


def test_text_after_a_closing_quote_is_a_bad_line(dry_run: Callable[..., Run], tmp_path: Path) -> None:
    """`"A cat" on a mat` would lose its quotes, and `"Wide shot, the "big" city` would be mangled: each is an
    invalid line (saying how to write quotes), and the lines after it keep their numbers and their text."""
    rows = [
        "prompt,duration",
        '"A cat" on a mat,4',
        '"Wide shot, the "big" city,4',
        '"Wide shot, the ""big"" city",4',
        'A sign reading "OPEN",4',
        "A fox,4",
    ]
    path = write_bytes(tmp_path / "q.csv", "\n".join(rows) + "\n")
    run = dry_run(path)
    result = refused(run)
    assert invalid_line_numbers(result) == [2, 3]
    message = result["invalid_lines"][0]["error"]
    assert "quote" in message
    assert '""' in message
    assert f"{path}:3: " in run.stderr
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (3, 2)
    batch = read_batch(path)
    assert [(line.number, line.request.prompt) for line in batch.lines] == [
        (4, 'Wide shot, the "big" city'),
        (5, 'A sign reading "OPEN"'),
        (6, "A fox"),
    ]


def test_a_tsv_with_a_stray_quote_is_refused_too(tmp_path: Path) -> None:
    """The tab-separated dialect reads quotes the same strict way."""
    path = write_bytes(tmp_path / "jobs.tsv", 'prompt\tduration\nA cat\t4\n"A dog\t5\nA fox\t4\n')
    with pytest.raises(InputError, match=r"line 3: unclosed quote"):
        read_batch(path)


def test_a_header_with_a_bad_quote_refuses_the_file(tmp_path: Path) -> None:
    """Without a readable header no line can be read."""
    path = write_bytes(tmp_path / "h.csv", '"prompt" x,duration\nA cat,4\n')
    with pytest.raises(InputError, match=r"line 1 \(the header\)"):
        read_batch(path)


@EOLS
def test_a_properly_quoted_cell_may_hold_line_breaks_blank_lines_and_quotes(tmp_path: Path, eol: str) -> None:
    """Valid CSV still reads: a quoted prompt over four lines (one of them empty, with a doubled quote) is one
    record starting on line 2; the next record starts on line 6."""
    rows = ["prompt,duration", '"A cat', "", 'on a ""big""', 'mat",4', "A dog,5"]
    path = write_bytes(tmp_path / "multi.csv", eol.join(rows) + eol)
    batch = read_batch(path)
    assert batch.problems == []
    assert [(line.number, line.request.prompt) for line in batch.lines] == [
        (2, f'A cat{eol}{eol}on a "big"{eol}mat'),
        (6, "A dog"),
    ]


# --- line numbers ------------------------------------------------------------------------------------------


@EOLS
def test_csv_lines_keep_their_physical_numbers_after_blank_lines(
    dry_run: Callable[..., Run], tmp_path: Path, eol: str
) -> None:
    """Blank lines count, as in JSONL: `A dog` is line 4 and the bad `A fox` line 7, in the error, on stderr
    and in the file names."""
    rows = ["prompt,duration", "A cat,4", "", "A dog,4", "", "  ", "A fox,x", "A cow,4"]
    path = write_bytes(tmp_path / "gaps.csv", eol.join(rows) + eol)
    run = dry_run(path)
    result = refused(run)
    assert invalid_line_numbers(result) == [7]
    assert "line 7: duration" in result["error"]["message"]
    assert f"{path}:7: duration" in run.stderr
    assert [line.name for line in read_batch(path).lines] == [
        "0002-a-cat.mp4",
        "0004-a-dog.mp4",
        "0008-a-cow.mp4",
    ]


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
def test_blank_lines_before_the_header_are_skipped_and_counted(
    dry_run: Callable[..., Run], tmp_path: Path, bom: bool
) -> None:
    """A CSV opening with blank lines is read (it was refused as having no jobs), and numbered physically."""
    path = write_bytes(
        tmp_path / "lead.csv", "\r\n\r\nprompt,duration\r\nA cat,4\r\n\r\nA dog,99\r\n", bom=bom
    )
    result = refused(dry_run(path))
    assert invalid_line_numbers(result) == [6]
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (1, 1)
    assert [line.name for line in read_batch(path).lines] == ["0004-a-cat.mp4"]


def test_a_csv_and_a_jsonl_with_the_same_blank_lines_name_their_files_alike(tmp_path: Path) -> None:
    """The same jobs, on the same lines of a CSV and of a JSONL file, get the same file names."""
    jobs = [("A cat", 4), None, ("A dog", 5), None, None, ("A fox", 4)]
    csv_text = "prompt,duration\n" + "".join(f"{j[0]},{j[1]}\n" if j else "\n" for j in jobs)
    jsonl_text = "# prompt, duration\n" + "".join(
        json.dumps({"prompt": j[0], "duration": j[1]}) + "\n" if j else "\n" for j in jobs
    )
    from_csv = read_batch(write_bytes(tmp_path / "jobs.csv", csv_text))
    from_jsonl = read_batch(write_bytes(tmp_path / "jobs.jsonl", jsonl_text))
    assert [line.name for line in from_csv.lines] == [line.name for line in from_jsonl.lines]
    assert [line.number for line in from_csv.lines] == [2, 4, 7]


# --- headers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("prompt,duration,prompt", "prompt"),
        ("prompt,duration,Prompt", "Prompt"),
        ("prompt,duration,edit,edit-video", "edit-video"),
    ],
)
def test_a_column_given_twice_refuses_the_file(
    dry_run: Callable[..., Run], tmp_path: Path, header: str, named: str
) -> None:
    """Two columns for one field (however spelled) is an error naming them, not "the last one wins"."""
    row = ",".join(["A cat", "4", "a.mp4", "b.mp4"][: header.count(",") + 1])
    path = write_bytes(tmp_path / "dup.csv", f"{header}\n{row}\n")
    error = refused(dry_run(path))["error"]
    assert "line 1 (the header)" in error["message"]
    assert repr(named) in error["message"], error
    assert "same field" in error["message"]


def test_several_reference_columns_are_all_kept(tmp_path: Path) -> None:
    """Reference columns may repeat (two `ref_image` columns, or `ref_image` and `images`): all are sent."""
    path = write_bytes(
        tmp_path / "refs.csv",
        "prompt,ref_image,ref_image,images\n"
        "A cat,https://e.com/1.png,https://e.com/2.png|https://e.com/3.png,https://e.com/4.png\n"
        "A dog,,https://e.com/5.png,\n",
    )
    batch = read_batch(path)
    assert batch.problems == []
    assert [line.request.ref_images for line in batch.lines] == [
        [f"https://e.com/{n}.png" for n in (1, 2, 3, 4)],
        ["https://e.com/5.png"],
    ]


def test_a_value_under_a_nameless_column_is_a_bad_line(dry_run: Callable[..., Run], tmp_path: Path) -> None:
    """A header cell left empty (a trailing comma) is fine while its column is empty; a value under it is an
    error saying which column has no name (it said `is not a known field`, naming nothing)."""
    path = write_bytes(tmp_path / "gap.csv", "prompt,duration,\nA cat,4,\nA dog,4,x\nA cow,4\n")
    run = dry_run(path)
    result = refused(run)
    assert invalid_line_numbers(result) == [3]
    assert "column 3 has no name" in result["invalid_lines"][0]["error"]
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (2, 1)
