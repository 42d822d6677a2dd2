"""Real batch files as editors and spreadsheets write them: any line ending, huge cells, odd characters, a BOM.

Each file is written to disk byte for byte and checked by `seedance batch FILE --dry-run --json` in a real
subprocess with no key: a valid file is priced (exit 0), an invalid one is refused in one `error` (exit 2)
with the right line numbers, and nothing ever ends in a traceback.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from seedance.batch import rows as batch_rows
from seedance.batch.input import read_batch
from seedance.errors import InputError

from .conftest import Run

BIG_CELL = 200_000
"""Longer than the csv module's default field limit (131072 characters)."""


def priced(run: Run) -> dict[str, Any]:
    """The summary of a dry run that succeeded."""
    assert run.code == 0, run.stdout + run.stderr
    summary: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["ok"] is True
    assert summary["dry_run"] is True
    return summary


def refused(run: Run) -> dict[str, Any]:
    """The JSON error of a dry run refused for its input (exit 2)."""
    assert run.code == 2, run.stdout + run.stderr
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1, run.stdout
    result: dict[str, Any] = json.loads(lines[0])
    assert result["ok"] is False
    assert result["error"]["type"] == "InputError"
    assert result["error"]["exit_code"] == 2
    return result


def invalid_line_numbers(result: dict[str, Any]) -> list[int]:
    return [problem["line"] for problem in result["invalid_lines"]]


def write_bytes(path: Path, text: str, *, bom: bool = False) -> Path:
    """Write exactly these characters as UTF-8 (no newline translation)."""
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


# --- CSV ---------------------------------------------------------------------------------------------------

CSV_ENDINGS = pytest.mark.parametrize(
    "eol", ["\r", "\r\n", "\n"], ids=["cr-only (old Mac)", "crlf (Windows)", "lf"]
)


@CSV_ENDINGS
def test_a_csv_with_any_line_ending_is_priced(dry_run: Callable[..., Run], tmp_path: Path, eol: str) -> None:
    """Records end at a lone CR, CRLF or LF; every record is one job."""
    rows = ["prompt,duration,resolution", "A cat,4,480p", "A dog,5,480p", "A cow,4,480p"]
    path = write_bytes(tmp_path / "jobs.csv", eol.join(rows) + eol)
    summary = priced(dry_run(path))
    assert summary["jobs"] == 3
    assert summary["invalid_lines"] == 0
    assert summary["estimated_cost_usd"] > 0


@CSV_ENDINGS
def test_a_csv_bad_record_keeps_its_line_number_whatever_the_line_ending(
    dry_run: Callable[..., Run], tmp_path: Path, eol: str
) -> None:
    """The bad record on the file's third line is reported as line 3, in the error and on stderr."""
    rows = ["prompt,duration", "A cat,4", "A dog,99", "A cow,4"]
    path = write_bytes(tmp_path / "jobs.csv", eol.join(rows) + eol)
    run = dry_run(path)
    result = refused(run)
    assert invalid_line_numbers(result) == [3]
    assert "line 3: duration" in result["error"]["message"]
    assert f"{path}:3: duration" in run.stderr
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (2, 1)


@pytest.mark.parametrize("eol", ["\n", "\r"], ids=["lf", "cr-only"])
def test_a_csv_cell_longer_than_the_csv_module_default_limit_is_read(
    dry_run: Callable[..., Run], tmp_path: Path, eol: str
) -> None:
    """A 200,000-character prompt is one job, and the lines after it keep their numbers."""
    text = eol.join(["prompt,duration", f"{'a' * BIG_CELL},4", "A dog,99", "A cow,4"]) + eol
    path = write_bytes(tmp_path / "big.csv", text)
    result = refused(dry_run(path))
    assert invalid_line_numbers(result) == [3]
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (2, 1)
    assert len(read_batch(path).lines[0].request.prompt or "") == BIG_CELL


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr-only"])
def test_a_quoted_csv_cell_can_span_lines(dry_run: Callable[..., Run], tmp_path: Path, eol: str) -> None:
    """A quoted prompt over three lines is one record; the next record starts on line 5."""
    text = eol.join(["prompt,duration", '"A cat', "walking,", 'slowly",4', "A dog,99", "A cow,4"]) + eol
    path = write_bytes(tmp_path / "multi.csv", text)
    result = refused(dry_run(path))
    assert invalid_line_numbers(result) == [5]
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (2, 1)
    batch = read_batch(path)
    assert [line.number for line in batch.lines] == [2, 6]
    assert batch.lines[0].request.prompt == f"A cat{eol}walking,{eol}slowly"
    assert batch.lines[0].name == "0002-a-cat-walking-slowly.mp4"


def test_a_csv_with_a_bom_and_cr_only_lines_is_priced(dry_run: Callable[..., Run], tmp_path: Path) -> None:
    """Excel for Mac: a BOM before the header, CR line endings; the header's first name is still `prompt`."""
    path = write_bytes(tmp_path / "excel.csv", "prompt,duration\rA cat,4\rA dog,5\r", bom=True)
    summary = priced(dry_run(path))
    assert summary["jobs"] == 2


@pytest.mark.parametrize(
    ("name", "text", "first"),
    [
        ("jobs.tsv", "prompt\tduration\rA cat, walking\t4\rA dog\t5\r", "A cat, walking"),
        ("jobs.csv", "prompt,duration\rA cat\twalking,4\rA dog,5\r", "A cat\twalking"),
    ],
    ids=["tsv", "csv-with-a-tab-in-a-cell"],
)
def test_the_separator_is_chosen_from_the_header_line_ending_at_a_lone_cr(
    dry_run: Callable[..., Run], tmp_path: Path, name: str, text: str, first: str
) -> None:
    """Tabs in the header (not in a later cell) make a TSV; the header line ends at a lone CR too."""
    path = write_bytes(tmp_path / name, text)
    summary = priced(dry_run(path))
    assert summary["jobs"] == 2
    assert [line.request.prompt for line in read_batch(path).lines] == [first, "A dog"]


@pytest.fixture
def default_csv_limit() -> Iterator[None]:
    """The csv module's default field limit for this test (the limit is process-wide: restored after)."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


@pytest.mark.usefixtures("default_csv_limit")
def test_a_csv_the_csv_module_cannot_read_is_one_input_error_naming_the_line(tmp_path: Path) -> None:
    """If the csv module refuses a record for another reason than a quote (here its own error for a cell over
    its default field limit), the error names the file and the line: one InputError, exit 2 (the CLI shows it
    as one `error:` line, never a traceback).

    No input brings the reader there by itself (it first raises the process-wide limit to the file's size:
    the same file, read with the limit at its default, is read whole), so the csv module's real error for the
    record is handed to the reader's judgement of csv errors.
    """
    path = write_bytes(tmp_path / "big.csv", f"prompt,duration\nA cat,4\n{'a' * BIG_CELL},4\n")
    with pytest.raises(csv.Error, match="field larger than field limit") as refused:
        list(csv.reader(path.read_text(encoding="utf-8").splitlines(keepends=True), strict=True))
    with pytest.raises(
        InputError, match=r"line 3 is not readable as CSV: field larger than field limit"
    ) as info:
        batch_rows._quote_problem(str(refused.value), path, 3, 3, header=False)
    assert info.value.exit_code == 2
    assert str(path) in info.value.message
    assert [len(line.request.prompt or "") for line in read_batch(path).lines] == [5, BIG_CELL]


# --- JSONL -------------------------------------------------------------------------------------------------


def test_jsonl_lines_end_only_at_newlines(dry_run: Callable[..., Run], tmp_path: Path) -> None:
    """U+2028, U+2029 and U+0085 inside JSON strings do not end a line (str.splitlines() would cut there)."""
    rows = [
        {"prompt": "a cat\u2028walking", "duration": 4},
        {"prompt": "a dog\u2029running", "duration": 4},
        {"prompt": "a cow\x85grazing", "duration": 4},
        {"prompt": "a fox", "duration": 99},
        {"prompt": "an owl", "duration": 4},
    ]
    path = write_bytes(
        tmp_path / "web.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    )
    result = refused(dry_run(path))
    assert invalid_line_numbers(result) == [4]
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (4, 1)
    batch = read_batch(path)
    assert [line.name[:5] for line in batch.lines] == ["0001-", "0002-", "0003-", "0005-"]
    assert [line.request.prompt for line in batch.lines] == [
        row["prompt"] for row in rows if row["duration"] == 4
    ]


@pytest.mark.parametrize("char", ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e"])
def test_a_raw_control_character_in_a_jsonl_string_is_one_bad_line(
    dry_run: Callable[..., Run], tmp_path: Path, char: str
) -> None:
    """A raw form feed, vertical tab or separator is not valid inside a JSON string (it must be escaped):
    that line alone is reported, at its own number, and the lines after it keep theirs."""
    text = (
        '{"prompt": "a cat", "duration": 4}\n'
        '{"prompt": "a dog", "duration": 4}\n'
        f'{{"prompt": "a page{char}break", "duration": 4}}\n'
        '{"prompt": "a cow", "duration": 4}\n'
        '{"prompt": "a fox", "duration": 99}\n'
    )
    path = write_bytes(tmp_path / "word.jsonl", text)
    result = refused(dry_run(path))
    assert invalid_line_numbers(result) == [3, 5]
    assert "line 3: not valid JSON: Invalid control character" in result["error"]["message"]
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (3, 2)
    assert [line.name for line in read_batch(path).lines][-1] == "0004-a-cow.mp4"


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
def test_a_crlf_jsonl_is_priced_and_keeps_its_line_numbers(
    dry_run: Callable[..., Run], tmp_path: Path, bom: bool
) -> None:
    """Windows line endings (and a BOM before the first line) change nothing."""
    rows = [
        '{"prompt": "a cat", "duration": 4}',
        "",
        '{"prompt": "a dog", "duration": 99}',
        '{"prompt": "a cow"}',
    ]
    path = write_bytes(tmp_path / "win.jsonl", "\r\n".join(rows) + "\r\n", bom=bom)
    result = refused(dry_run(path))
    assert invalid_line_numbers(result) == [3]
    summary = priced(dry_run(path, "--skip-invalid"))
    assert (summary["jobs"], summary["invalid_lines"]) == (2, 1)
    assert [line.name for line in read_batch(path).lines] == ["0001-a-cat.mp4", "0004-a-cow.mp4"]


def test_a_jsonl_with_a_bom_is_priced(dry_run: Callable[..., Run], tmp_path: Path) -> None:
    """A BOM before the first object (Notepad's "UTF-8 with BOM") is not part of the JSON."""
    path = write_bytes(tmp_path / "bom.jsonl", '{"prompt": "a cat"}\n{"prompt": "a dog"}\n', bom=True)
    summary = priced(dry_run(path))
    assert (summary["jobs"], summary["invalid_lines"]) == (2, 0)


def test_a_txt_file_of_json_lines_may_open_with_comments(dry_run: Callable[..., Run], tmp_path: Path) -> None:
    """An extensionless or .txt JSONL file whose first lines are `#` comments is read as JSONL, not CSV."""
    path = write_bytes(tmp_path / "jobs.txt", '# my batch\n{"prompt": "A cat"}\n{"prompt": "A dog"}\n')
    run = dry_run(path)
    assert run.code == 0, run.stderr
    assert priced(run)["jobs"] == 2


def test_a_refused_batch_says_so_in_a_typed_json_line(dry_run: Callable[..., Run], tmp_path: Path) -> None:
    """Every JSON line a batch prints has a type: the error line too (so a reader of the last line knows)."""
    path = write_bytes(tmp_path / "jobs.jsonl", '{"prompt": "A cat", "duration": 99}\n')
    run = dry_run(path)
    assert run.code == 2
    last = json.loads(run.stdout.strip().splitlines()[-1])
    assert (last["type"], last["ok"], last["error"]["exit_code"]) == ("error", False, 2)


def test_a_txt_of_prompts_is_one_job_per_line(tmp_path: Path) -> None:
    """A plain .txt with one prompt per line (blank lines and # comments skipped) is one job per line,
    numbered as in the file; a .txt that starts with a header of fields is still a CSV."""
    path = tmp_path / "ideas.txt"
    path.write_text("# my ideas\nA cat walking on the beach\n\nA fox, running, in snow\n", encoding="utf-8")
    batch = read_batch(path)
    assert [(line.number, line.request.prompt) for line in batch.lines] == [
        (2, "A cat walking on the beach"),
        (4, "A fox, running, in snow"),
    ]
    assert batch.problems == []
    headed = tmp_path / "headed.txt"
    headed.write_text("prompt,duration\nA cat,4\n", encoding="utf-8")
    assert [(line.request.prompt, line.request.duration) for line in read_batch(headed).lines] == [
        ("A cat", 4)
    ]


def test_a_jsonl_line_naming_a_field_twice_or_a_duration_of_true_is_a_bad_line(tmp_path: Path) -> None:
    """json.loads would keep the last of two keys silently, and pydantic would read true as 1 second."""
    path = tmp_path / "jobs.jsonl"
    path.write_text(
        '{"prompt": "A cat", "prompt": "A dog"}\n{"prompt": "A fox", "duration": true}\n', encoding="utf-8"
    )
    batch = read_batch(path)
    assert batch.lines == []
    assert [problem.number for problem in batch.problems] == [1, 2]
    assert "'prompt' is given twice" in batch.problems[0].message
    assert "not true or false" in batch.problems[1].message


@pytest.mark.parametrize(
    "header", ["prompt,duration,notes", '"prompt","duration"', "promt,duration", "prompt;duration"]
)
def test_a_txt_that_looks_like_a_csv_is_never_read_as_prompts(tmp_path: Path, header: str) -> None:
    """A .txt whose first line names any known field is a CSV (checked as one), never a list of prompts
    whose header line and rows would each be paid for as a prompt."""
    path = tmp_path / "notes.txt"
    path.write_text(f"{header}\nA cat walking,5,first\n", encoding="utf-8")
    try:
        batch = read_batch(path)
    except InputError:
        return  # refused as a whole: fine, nothing is sent
    prompts = [line.request.prompt for line in batch.lines]
    assert not any(header.split(",")[0].strip('"') in (p or "") for p in prompts), prompts
    assert not any("A cat walking,5" in (p or "") for p in prompts), prompts
