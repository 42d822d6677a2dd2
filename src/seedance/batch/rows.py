"""A batch file's text as numbered rows of fields: JSONL, CSV with a header, or a .txt of prompts.

Pure text handling, no request rules: `input.read_batch` checks each row. Lines are numbered as in the file
(blank lines and `#` comments count), so a line's output file name never shifts; a row that cannot be read
is a message for its line instead of fields.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seedance.errors import LONE_SURROGATE, InputError, shown
from seedance.request import FIELD_NAMES

Row = tuple[int, dict[str, Any] | str]
"""A line's number, and its fields or why it cannot be read."""

ALIASES = {
    "ref_image": "ref_images",
    "ref_video": "ref_videos",
    "ref_audio": "ref_audios",
    "images": "ref_images",
    "edit": "edit_video",
    "audio": "generate_audio",
}
"""Other spellings of fields (the `generate` flag names, singular forms)."""

LIST_FIELDS = ("ref_images", "ref_videos", "ref_audios", "refs")
CSV_LIST_SEPARATOR = "|"
"""Separates several references in one CSV cell (`;` and `,` occur inside URLs and data URIs)."""

MAX_DEPTH = 4
"""A line is an object of fields whose values are text, numbers, or lists of text: never deeper."""
MAX_DIGITS = 20
"""Digits in a JSON integer: any more is no duration or seed (and Python refuses over 4300 anyway)."""


def split_rows(path: Path, text: str) -> list[Row]:
    """The file's rows, read as a .txt of prompts, a CSV or JSONL by its suffix and first line."""
    if _is_prompt_list(path, text):
        return _prompt_rows(text)
    return _csv_rows(text, path) if _is_csv(path, text) else _jsonl_rows(text)


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    """(number, stripped text) of each line that is neither blank nor a `#` comment.

    Lines end at "\n" only (a "\r" before it is dropped with the other edge whitespace). str.splitlines()
    would also cut at U+2028, U+2029 and U+0085 (valid inside JSON strings) and at \x0b, \x0c, \x1c-\x1e
    (which JSON wants escaped, but a line holding one is still one bad line): a line cut in two is reported
    as broken, and every later line's number, so its output file name, would shift.
    """
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


def _first_line(text: str) -> str:
    """The first line that is neither blank nor a `#` comment."""
    return next((line for _, line in _content_lines(text)), "")


def _is_prompt_list(path: Path, text: str) -> bool:
    """A .txt of prompts, one per line: its first line is neither a JSON object nor a header naming a field
    (a header with one known column is a CSV, whose other columns are then checked like any CSV's)."""
    if path.suffix.lower() != ".txt":
        return False
    first = _first_line(text)
    if first.startswith("{"):
        return False
    cells = [cell.strip().strip("'\"") for cell in re.split(r"[,;\t]", first)]
    known = FIELD_NAMES | {"refs"}
    return not any(field_name(cell) in known for cell in cells)  # one known column: it is a CSV header


def _prompt_rows(text: str) -> list[tuple[int, dict[str, Any] | str]]:
    """One job per line: the line is its prompt (blank lines and `#` comments skipped, numbers kept)."""
    return [(number, {"prompt": line}) for number, line in _content_lines(text)]


class _RepeatedKey(ValueError):
    """A JSON object names one key twice (json.loads would silently keep the last)."""


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _RepeatedKey(key)
        data[key] = value
    return data


def _is_csv(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return False
    if path.suffix.lower() in (".csv", ".tsv"):
        return True
    first = _first_line(text)
    return not first.startswith(
        "{"
    )  # JSONL may open with `#` comment lines; a CSV header never starts with {


def _jsonl_rows(text: str) -> list[tuple[int, dict[str, Any] | str]]:
    rows: list[tuple[int, dict[str, Any] | str]] = []
    for number, stripped in _content_lines(text):
        try:
            data = json.loads(
                stripped,
                object_pairs_hook=_no_repeated_keys,
                parse_int=_bounded_int,
                parse_constant=_no_constant,
            )
        except json.JSONDecodeError as exc:
            rows.append((number, f"not valid JSON: {exc.msg} (column {exc.colno})"))
            continue
        except _RepeatedKey as exc:
            rows.append((number, f"{shown(exc.args[0], 60)!r} is given twice in this line; keep one"))
            continue
        except _BadNumber as exc:
            rows.append((number, str(exc)))
            continue
        except RecursionError:
            rows.append((number, f"nested too deeply; {_SHAPE}"))
            continue
        problem = _shape_problem(data)
        rows.append((number, problem if problem else data))
    return rows


_SHAPE = "a line is one JSON object of fields whose values are text, numbers, true/false or lists of text"


class _BadNumber(ValueError):
    """A JSON number no field can take (thousands of digits, NaN, Infinity)."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _BadNumber(f"a number of {len(text.lstrip('-'))} digits; no field takes more than {MAX_DIGITS}")
    return int(text)


def _no_constant(name: str) -> float:
    raise _BadNumber(f"{name} is not a number a field can take")


def _shape_problem(data: Any) -> str | None:
    """Why a decoded line cannot be a job (not an object, nested too deep, text that is not Unicode), or
    None. Walked without recursion, so no shape of input can exhaust the stack."""
    if not isinstance(data, dict):
        return "not a JSON object ({...})"
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested {depth} levels deep; {_SHAPE}"
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and LONE_SURROGATE.search(value):
            return f"text that is not valid Unicode ({shown(value, 60)}): save the file as UTF-8"
    return None


def _csv_rows(text: str, path: Path) -> list[tuple[int, dict[str, Any] | str]]:
    """A CSV's records, each numbered by the physical line it starts on (blank lines count, as in JSONL).

    Quotes are read strictly: a quote the csv module would silently drop or read past is reported. A broken
    quote within one line (text after a quoted cell's closing quote, or a quote left open on the last line)
    spoils that line only: the next line is read afresh. A broken quote spanning lines (never closed, or
    closed lines later and followed by text) hides where the records after it start: the file is refused as
    a whole, even with --skip-invalid, rather than send a line made of several, or a fragment of an intended
    multi-line prompt.
    """
    # newline="": lines end at "\n", "\r\n" or a lone "\r" (old Mac), and line breaks inside quoted cells
    # are kept as they are. Each line is handed to the csv module one at a time, so the count of lines it has
    # taken is the number of the last line of its latest record.
    lines = io.StringIO(text, newline="").readlines()
    header_line = next((line for line in lines if line.strip()), "")
    dialect = "excel-tab" if "\t" in header_line else "excel"
    _allow_fields_of(len(text))
    source = _CountedLines(lines)
    columns: list[tuple[str, str]] | None = None
    header_number = 0
    rows: list[tuple[int, dict[str, Any] | str]] = []
    reader = csv.reader(source, dialect=dialect, strict=True)
    while True:
        start = source.taken + 1
        try:
            cells, error = next(reader, None), ""
        except csv.Error as exc:
            cells, error = [], str(exc)
            # A fresh reader after a failed record: nothing of it carries over to the next line.
            reader = csv.reader(source, dialect=dialect, strict=True)
        if error:
            problem = _quote_problem(error, path, start, source.taken, header=columns is None)
            if columns is None:
                raise InputError(f"{path}: line {start} (the header): {problem}", hint=_QUOTE_HINT)
            rows.append((start, problem))
            continue
        if cells is None:
            return rows
        if columns is None:
            if any(cell.strip() for cell in cells):  # blank lines before the header are skipped (and counted)
                columns, header_number = _csv_columns(cells, path, start), start
            continue
        row = _csv_row(cells, columns, header_number)
        if row is not None:
            rows.append((start, row))


_QUOTE_HINT = (
    'end a quoted cell with a quote, and inside it write each quote as "": "A ""big"" cat",4 '
    "(a cell that does not start with a quote may hold quotes as they are)"
)


class _CountedLines:
    """The file's physical lines, counting how many have been taken."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self.taken = 0

    def __iter__(self) -> _CountedLines:
        return self

    def __next__(self) -> str:
        if self.taken >= len(self._lines):
            raise StopIteration
        self.taken += 1
        return self._lines[self.taken - 1]


def _quote_problem(error: str, path: Path, start: int, end: int, *, header: bool) -> str:
    """What a csv.Error in the record on lines `start`-`end` means; raise InputError when no line after it can
    be trusted (or when it is not a quote problem at all)."""
    if "end of data" in error:
        if end == start:  # the file's last line: no other record is in doubt
            return (
                'unclosed quote ("): a cell opens with a quote that is never closed; end it with a quote, '
                'and inside it write each quote as "": "A ""big"" cat"'
            )
        message = (
            f'unclosed quote ("): a cell opens with a quote that is never closed, so lines {start}-{end} '
            "(to the end of the file) would be read as one cell"
        )
    elif "expected after" in error:
        if end == start:  # the quoted cell opened and closed on this line: the next line starts afresh
            return (
                'quote (") inside a cell: a cell that starts with a quote ends at the next one, and text '
                'follows it here; quote the whole cell and double the quotes inside it: "A ""big"" cat"'
            )
        message = (
            f'stray quote ("): a cell opens with a quote that only closes on line {end}, with text after it, '
            f"so where the records of lines {start}-{end} start and end cannot be told"
        )
    else:
        raise InputError(
            f"{path}: line {start} is not readable as CSV: {error}", hint="save the batch file as CSV (UTF-8)"
        )
    if header:
        return message
    raise InputError(
        f"{path}: line {start}: {message}; the file is refused as a whole (even with --skip-invalid); "
        "nothing was sent",
        hint=_QUOTE_HINT,
    )


def _allow_fields_of(size: int) -> None:
    """Let the csv module read a cell as long as the whole file (its default limit is 131072 characters).

    The limit is process-wide, so it is only ever raised; a C long caps it on some platforms.
    """
    wanted = min(size + 1, 2**31 - 1)
    if csv.field_size_limit() < wanted:
        csv.field_size_limit(wanted)


def _csv_columns(cells: list[str], path: Path, number: int) -> list[tuple[str, str]]:
    """The header's columns as (name as written, field); a field named twice is refused.

    Reference columns may repeat (`ref_image` twice, or `ref_image` and `images`): their cells are joined.
    """
    columns = [(cell.strip(), field_name(cell)) for cell in cells]
    first: dict[str, int] = {}
    for index, (name, field) in enumerate(columns):
        if not name or field in LIST_FIELDS:
            continue
        if field in first:
            other = first[field]
            raise InputError(
                f"{path}: line {number} (the header): column {index + 1} ({name!r}) is the same field as "
                f"column {other + 1} ({columns[other][0]!r}); nothing was sent",
                hint="keep one column per field",
            )
        first[field] = index
    return columns


def _csv_row(cells: list[str], columns: list[tuple[str, str]], header: int) -> dict[str, Any] | str | None:
    """One CSV record's fields, a problem, or None for a record whose cells are all empty."""
    if len(cells) > len(columns):
        return "more cells than the header has columns"
    data: dict[str, Any] = {}
    keys: dict[str, str] = {}  # a repeated reference column adds to the first one's list
    for index, value in enumerate(cells):
        value = value.strip()
        if not value:  # an empty cell means "not given", so the model's default applies
            continue
        name, field = columns[index]
        if not name:
            return (
                f"column {index + 1} has no name (its cell in the header, line {header}, is empty) but holds "
                f"{value[:40]!r} here; name the column or empty the cell"
            )
        if field in LIST_FIELDS:
            key = keys.setdefault(field, name)
            data[key] = [*data.get(key, []), *(v.strip() for v in value.split(CSV_LIST_SEPARATOR))]
        else:
            data[name] = value
    return data or None


def field_name(key: str) -> str:
    name = key.strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(name, name)
