"""The catalog as data: the shipped file, a user's file (adds, corrects, refuses a bad line by number)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedance import catalog
from seedance.catalog_file import read_rows
from seedance.errors import InputError
from seedance.polling import default_timeout, timeout_for
from seedance.request import parse_request


def test_the_shipped_rows_are_a_data_file_in_the_package() -> None:
    """catalog.jsonl sits beside catalog.py (the wheel takes the package folder whole) and holds every row."""
    path = Path(catalog.__file__).with_name("catalog.jsonl")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]
    assert len([r for r in rows if r["row"] == "operation"]) == len(catalog.OPERATIONS) == 20


def write(path: Path, *rows: object) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_a_user_row_corrects_a_limit_and_is_marked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A partial model row changes only what it gives; the row's source is the user's file."""
    path = write(tmp_path / "c.jsonl", "# comment", "", {"row": "model", "name": "2.5", "max_duration": 20})
    monkeypatch.setenv("SEEDANCE_CATALOG", str(path))
    current = catalog.current()
    assert (current.models["2.5"].max_duration, current.models["2.5"].source) == (20, str(path))
    assert current.find("2.5", "extend").model_info.max_duration == 20  # type: ignore[union-attr]
    with pytest.raises(InputError, match="4-20 seconds"):
        parse_request({"prompt": "x", "model": "2.5", "duration": 25})
    assert catalog.built_in().models["2.5"].max_duration == 30


def test_a_user_row_adds_an_operation_to_a_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An extension on 2.0, as if the gateway added it yesterday: chosen from the inputs like any other."""
    row = {"row": "operation", "model": "2.0", "kind": "extend", "operation_id": "extend",
           "path": "/seedance-2-0/v1/extend-video", "body_style": "content", "ratios": ["adaptive"],
           "forced_ratio": "adaptive", "inputs": {"prompt": "required", "extend_video": "required"}}  # fmt: skip
    monkeypatch.setenv("SEEDANCE_CATALOG", str(write(tmp_path / "c.jsonl", row)))
    request = parse_request({"prompt": "x", "model": "2.0", "extend_video": "https://a/b.mp4"})
    assert request.op.path == "/seedance-2-0/v1/extend-video"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: Expecting property name"),
        ('["a"]', "line 2: a row is a JSON object"),
        ('{"row": "modle"}', 'line 2: "row" must be "model" or "operation"'),
        ('{"row": "model", "name": "2.5", "max_durration": 9}', "line 2: 'max_durration' is not a field"),
        ('{"row": "model", "name": "2.5", "max_duration": "30"}', "line 2: max_duration must be a whole number"),
        ('{"row": "model", "name": "2.5", "max_duration": 3}', "line 2: model 2.5: min_duration <= default"),
        ('{"row": "model", "name": "new"}', "line 2: new model 'new' needs title"),
        ('{"row": "operation", "model": "nope", "kind": "edit"}', 'line 2: operation row: "model" must name'),
        ('{"row": "operation", "model": "2.0", "kind": "dance"}', 'line 2: "kind" must be one of'),
        ('{"row": "operation", "model": "2.0", "kind": "edit", "inputs": {"edit": "required"}}',
         "line 2: inputs: 'edit' is not an input"),
        ('{"row": "operation", "model": "2.0", "kind": "edit", "path": "edit-video"}',
         "line 2: operation 2.0/edit: path must start with /"),
    ],
)  # fmt: skip
def test_a_bad_row_is_one_error_naming_its_line(line: str, message: str) -> None:
    """Every kind of mistake is refused with the file and line, never a traceback or a silent default."""
    with pytest.raises(InputError) as caught:
        read_rows(f"# mine\n{line}\n", "my.jsonl", catalog.built_in())
    assert caught.value.message.startswith("my.jsonl line 2: ")
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_the_default_wait_follows_model_duration_and_history() -> None:
    """At least 600 s; a 30 s 2.5 clip gets its row's allowance; a slow history stretches it."""
    models = catalog.built_in().models
    assert timeout_for(models["2.0"], 5) == 600
    assert timeout_for(models["2.5"], 30) == 30 * 30 + 120
    assert timeout_for(models["2.5"], -1) == timeout_for(models["2.5"], 30)
    assert default_timeout(20, 15, 5, past=[300, 400]) == 1200


def test_an_agents_longest_wait_follows_the_job() -> None:
    """An MCP call may wait as long as the CLI would: 600 s for a short 2.0 clip, more for 30 s of 2.5."""
    from seedance.agents.requests import bounded_wait, wait_limit

    assert wait_limit("2.0", 5) == 600
    assert wait_limit("2.5", 30) == 1020
    assert wait_limit(None, None) == wait_limit("no-such-model", 5) == 600
    assert bounded_wait(5000, wait_limit("2.5", 30)) == 1020
    assert bounded_wait(5000) == 600
