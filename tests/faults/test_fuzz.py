"""Property tests: whatever the gateway answers and whatever a user types, the outcome is typed, never a crash."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance import errors, parsing, protocol
from seedance.cli.main import main
from seedance.models import JobStatus
from seedance.protocol import HttpRequest, HttpResponse, Sleep, TransportFailure

SETTINGS = protocol.Settings("https://gateway.test", "sk-fuzz-secret-000111")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
status_words = st.sampled_from(
    ["QUEUED", "PROCESSING", "COMPLETED", "FAILED", "ERROR", "done", "weird", "", None, 5]
)
plausible = st.fixed_dictionaries(
    {"status": status_words},
    optional={
        "request_id": st.text(max_size=10) | st.integers(),
        "output": json_values,
        "video_url": json_values,
        "error": json_values,
        "data": json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    plausible.map(lambda v: json.dumps(v).encode()),
    st.just(b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"),
    st.just(
        b'{"status": "COMPLETED", "output": {"media_url": [' + b'"x",' * 5000 + b'"https://c.test/o.mp4"]}}'
    ),
)
answers = st.one_of(
    st.builds(
        HttpResponse,
        st.sampled_from(
            [200, 201, 202, 204, 301, 400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 504]
        ),
        st.dictionaries(st.sampled_from(["retry-after", "content-type"]), st.text(max_size=8), max_size=2),
        bodies,
    ),
    st.builds(TransportFailure, st.text(max_size=20), maybe_sent=st.booleans()),
)


def run(flow: protocol.Flow, script: list[Any]) -> Any:
    """Drive a flow with scripted answers (repeating the last one), instantly."""
    position = 0
    action = next(flow)
    try:
        while True:
            if isinstance(action, Sleep):
                action = flow.send(None)
                continue
            assert isinstance(action, HttpRequest)
            answer = script[min(position, len(script) - 1)]
            position += 1
            action = flow.throw(answer) if isinstance(answer, Exception) else flow.send(answer)
    except StopIteration as stop:
        return stop.value


@given(st.lists(answers, min_size=1, max_size=8))
@settings(max_examples=300, deadline=None)
def test_submit_ends_in_an_id_or_a_typed_error(script: list[Any]) -> None:
    """Any sequence of answers to a submit yields a request id or a SeedanceError, never anything else."""
    failure: errors.SeedanceError | None = None
    try:
        value = run(protocol.submit_flow(SETTINGS, "/seedance-2-0/v1/text-to-video", {"content": []}), script)
    except errors.SeedanceError as exc:
        failure = exc
    if failure is not None:
        assert SETTINGS.api_key not in str(failure.to_dict())
    else:
        assert isinstance(value.request_id, str)
        assert value.request_id


@given(st.lists(answers, min_size=1, max_size=12))
@settings(max_examples=300, deadline=None)
def test_wait_ends_in_a_result_or_a_typed_error(script: list[Any]) -> None:
    """Any sequence of status answers ends in a URL, GenerationFailed, PollTimeout or another typed error."""
    clock = iter(range(0, 10**6, 7))
    flow = protocol.wait_flow(
        SETTINGS, "r1", timeout=60, next_delay=lambda e, n: 1.0, clock=lambda: next(clock)
    )
    try:
        value = run(flow, script)
    except errors.SeedanceError:
        return
    assert isinstance(value, JobStatus)
    assert value.video_url is not None
    assert value.video_url.startswith(("http://", "https://"))


@given(json_values)
@settings(max_examples=500, deadline=None)
def test_parsers_accept_any_json(value: Any) -> None:
    """The tolerant readers never raise, whatever JSON they are given."""
    parsing.parse_status(value)
    parsing.find_id(value)
    parsing.find_url(value)
    parsing.find_error(value)
    parsing.error_text(json.dumps(value).encode())


cli_tokens = st.one_of(
    st.sampled_from(
        [
            "-m",
            "2.0",
            "1.0-pro",
            "1.0-lite",
            "2.0-fast",
            "3",
            "--duration",
            "-1",
            "99",
            "abc",
            "--ratio",
            "16:9",
            "7:5",
            "--resolution",
            "1080p",
            "--first-frame",
            "--last-frame",
            "--ref-image",
            "--edit",
            "https://x.test/a.png",
            "/nonexistent.png",
            "--operation",
            "edit",
            "reference",
            "--camera-fixed",
            "--web-search",
            "--no-audio",
            "--watermark",
            "--json",
            "--timeout",
            "0",
            "--poll-interval",
            "-5",
            "--",
            "-o",
            "",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=15),
)


@given(st.lists(cli_tokens, max_size=8))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_generate_arguments_end_in_exit_0_or_2_with_a_message(args: list[str]) -> None:
    """`generate --dry-run` with arbitrary arguments exits 0 (valid) or 2 (with a message), never a traceback."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["generate", "--dry-run", *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    assert code in (0, 2), (args, code, err.getvalue())
    if code == 2:
        assert err.getvalue().strip() or out.getvalue().strip()
    assert "Traceback" not in err.getvalue()
