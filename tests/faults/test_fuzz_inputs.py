"""Property tests over what a user hands the CLI: batch files of any bytes and any shape, and arguments of any
text (bytes that are not UTF-8 included). Every run ends in exit 0 or a documented error code with one clear
error line, never exit 1 (an internal error) or a traceback, and no line of output is forged by the input."""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance.cli.output import EXIT_CODES

from .test_fuzz import run_cli

DOCUMENTED = set(EXIT_CODES) - {1}
FUZZ = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def assert_one_clear_outcome(code: int, out: str, err: str) -> None:
    """A documented exit code, no traceback, no raw control character, and on failure exactly one `error:`
    line (the message) with at most one `hint:` after it."""
    assert code in DOCUMENTED, (code, err)
    assert "Traceback" not in err
    assert not _RAW_CONTROL.search(out + err), (out, err)
    if code not in (0, 130):
        errors = [
            line for line in err.splitlines() if line.startswith(("error:", "Error:"))
        ]  # ours, click's usage
        hints = [line for line in err.splitlines() if line.startswith("hint:")]
        assert len(errors) == 1 or out.strip().startswith("{"), err
        assert len(hints) <= 1, err


def nested(depth: int) -> str:
    return '{"prompt": "a", "ref_images": ' + "[" * depth + "]" * depth + "}"


pathological_lines = st.one_of(
    st.integers(1, 200_000).map(nested),
    st.integers(1, 6000).map(lambda n: '{"prompt": "a", "duration": ' + "9" * n + "}"),
    st.integers(1, 6000).map(lambda n: '{"prompt": "a", "seed": -' + "9" * n + "}"),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-0", "4.0000000001"]).map(
        lambda v: '{"prompt": "a", "duration": ' + v + "}"
    ),
    st.sampled_from(["\\ud800", "\\udc80", "\\udfff\\ud800", "\\u0000", "\\u001b[31m", "\\u2028"]).map(
        lambda v: '{"prompt": "a' + v + 'b"}'
    ),
    st.sampled_from(["prompt", "duration", "model", "x\\udc80"]).map(lambda k: '{"' + k + '": "\\udc80"}'),
    st.text(max_size=60).map(lambda t: json.dumps({"prompt": t})),
)
raw_lines = st.one_of(
    pathological_lines.map(str.encode),
    st.binary(max_size=80),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@given(
    lines=st.lists(raw_lines, min_size=1, max_size=5), suffix=st.sampled_from([".jsonl", ".csv", ".txt", ""])
)
@FUZZ
def test_any_batch_file_ends_in_a_documented_code_with_one_line(
    lines: list[bytes], suffix: str, tmp_path: Path
) -> None:
    """`batch --dry-run` over files of arbitrary bytes (not UTF-8, NUL, lone surrogates, nesting 200,000 deep,
    numbers of thousands of digits, NaN): exit 0 or 2 with one error line, never a crash."""
    path = tmp_path / f"fuzz-{uuid.uuid4().hex}{suffix}"
    path.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = run_cli(["batch", str(path), "--dry-run"])
    assert code in (0, 2), (lines, code, err)
    assert_one_clear_outcome(code, out, err)


@given(lines=st.lists(pathological_lines, min_size=1, max_size=4))
@FUZZ
def test_a_line_the_dry_run_accepts_is_one_the_real_reader_accepts(lines: list[str], tmp_path: Path) -> None:
    """What `--dry-run` says of a line is what the real run would do: the dry run refuses exactly the lines
    that are unusable, before anything is planned (the real run reads the file through the same reader)."""
    from seedance.batch.input import read_batch

    path = tmp_path / f"fuzz-{uuid.uuid4().hex}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run_cli(["batch", str(path), "--dry-run", "--skip-invalid"])
    assert code in (0, 2), err
    parsed = read_batch(path)
    for line in parsed.lines:  # every accepted line can be journaled and sent as JSON as it is
        json.dumps(line.request.settings(), ensure_ascii=False).encode("utf-8")


argument_text = st.one_of(
    st.text(max_size=20),  # lone surrogates included: what Python makes of bytes that are not UTF-8
    st.binary(min_size=1, max_size=20).map(lambda b: os.fsdecode(b.replace(b"\x00", b""))),
    st.sampled_from(["", " ", "-", "--", "\n", "a\nhint: forged", "\x1b]0;title\x07", "caf\udce9.mp4"]),
)
commands = st.sampled_from(
    [
        ["generate", "--dry-run"],
        ["generate", "--dry-run", "--json"],
        ["generate", "A cat", "--dry-run", "-o"],
        ["generate", "A cat", "--dry-run", "--first-frame"],
        ["status"],
        ["wait", "--json"],
        ["download", "-o", "x.mp4"],
        ["jobs", "show"],
        ["jobs", "forget"],
        ["resume"],
        ["batch", "--dry-run"],
        ["gallery", "--out"],
        ["spend", "--by"],
        ["models"],
    ]
)


@given(command=commands, args=st.lists(argument_text, min_size=1, max_size=3))
@FUZZ
def test_any_arguments_end_in_a_documented_code_with_one_line(command: list[str], args: list[str]) -> None:
    """Any command given arbitrary text (not UTF-8, line breaks, escape sequences, empty) ends in a
    documented exit code with one error line; no gateway is configured, so nothing is ever sent."""
    code, out, err = run_cli([*command, *args])
    assert_one_clear_outcome(code, out, err)
