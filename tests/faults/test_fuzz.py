"""Property tests: whatever the gateway answers and whatever a user types, the outcome is typed, never a crash."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_inprocess import run_seedance_here
from seedance import Client, errors, parsing, protocol
from seedance.models import JobStatus
from seedance.protocol import HttpRequest, HttpResponse, Observe, Sleep, TransportFailure

from .harness import Answer, Seen, TinyServer, mp4_bytes, serve

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
            if isinstance(action, Sleep | Observe):
                action = flow.send(None)
                continue
            assert isinstance(action, HttpRequest)
            answer = script[min(position, len(script) - 1)]
            position += 1
            action = flow.throw(answer) if isinstance(answer, Exception) else flow.send(answer)
    except StopIteration as stop:
        return stop.value


@given(st.lists(answers, min_size=1, max_size=8))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a busy CI machine
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
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a busy CI machine
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
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a busy CI machine
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
            "2.5",
            "2.0-mini",
            "--extend",
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
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_random_generate_arguments_end_in_exit_0_or_2_with_a_message(args: list[str]) -> None:
    """`generate --dry-run` with arbitrary arguments exits 0 (valid) or 2 (with a message), never a traceback."""
    code, out, err = run_cli(["generate", "--dry-run", *args])
    assert code in (0, 2), (args, code, err)
    if code == 2:
        assert err.strip() or out.strip()
    assert "Traceback" not in err


# -- The same promise over real sockets: a broken gateway, answered byte for byte by a real HTTP server. ------

wire_headers = st.dictionaries(
    st.sampled_from(["Content-Type", "Content-Encoding", "Retry-After", "Location"]),
    st.sampled_from(
        ["application/json", "text/html", "gzip", "deflate", "br", "identity", "bogus", "0", "-3", "x"]
    ),
    max_size=3,
)
wire_answers = st.builds(
    Answer,
    st.sampled_from([200, 202, 204, 302, 400, 401, 402, 404, 416, 429, 500, 502, 503]),
    st.one_of(
        bodies,
        st.just(b'{"request_id": "r-1", "status": "QUEUED"}'),
        st.just(b'{"status": "COMPLETED", "output": {"media_url": ["MEDIA"]}}'),
        st.just(mp4_bytes(2000)),
    ),
    wire_headers,
    st.none() | st.integers(0, 5000),  # a Content-Length that may lie (the connection closes early)
)


class Script:
    """The answers the fuzz gateway gives, in order (the last one repeats); MEDIA becomes its media URL."""

    def __init__(self) -> None:
        self.answers: list[Answer] = [Answer()]
        self.position = 0
        self.base = ""

    def __call__(self, seen: Seen) -> Answer:
        answer = self.answers[min(self.position, len(self.answers) - 1)]
        self.position += 1
        return Answer(
            answer.status,
            answer.payload().replace(b"MEDIA", self.base.encode() + b"/m.mp4"),
            answer.headers,
            answer.length,
        )


class FakeClock:
    """A clock that moves 7 s each time it is read, so a wait's timeout arrives after a few polls."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 7
        return self.now


@pytest.fixture(scope="module")
def fuzz_gateway() -> Iterator[tuple[Script, Client, FakeClock]]:
    """One real server and one client for all examples (making an httpx client loads the CA bundle, which is
    slow); each example sets its own script and restarts the clock."""
    script, clock = Script(), FakeClock()
    with serve(script) as server:
        script.base = server.url
        with Client(
            api_key=SETTINGS.api_key, base_url=server.url, timeout=0.5, sleep=lambda s: None, clock=clock
        ) as client:
            yield script, client, clock


@given(script_answers=st.lists(wire_answers, min_size=1, max_size=10))
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_a_broken_gateway_over_http_ends_in_a_file_or_a_typed_error(
    fuzz_gateway: tuple[Script, Client, FakeClock], tmp_path: Path, script_answers: list[Answer]
) -> None:
    """Whatever a real server answers (wrong types, missing fields, truncated bodies, HTML pages, bogus
    Content-Encoding, lying Content-Length), `generate` returns a checked MP4 or raises a SeedanceError: never
    anything else, and a failure leaves no file at the target."""
    script, client, clock = fuzz_gateway
    script.answers, script.position, clock.now = script_answers, 0, 0.0
    target = tmp_path / f"fuzz-{uuid.uuid4().hex}.mp4"
    failure: errors.SeedanceError | None = None
    try:
        result = client.generate({"prompt": "A cat"}, target, timeout=60)
    except errors.SeedanceError as exc:
        failure = exc
    if failure is not None:
        assert SETTINGS.api_key not in str(failure.to_dict())
        assert not target.exists()
    else:
        assert result.path == target
        assert target.read_bytes()[4:8] == b"ftyp"


def test_an_endless_answer_is_cut_and_ends_typed(tmp_path: Path) -> None:
    """A status answer far bigger than the client reads (5 MiB of JSON never closed): a typed error after the
    free retries, with the memory bounded by the transport's limit."""
    with (
        serve(lambda seen: Answer(200, b"{" * (5 * 1024 * 1024))) as server,
        Client(api_key=SETTINGS.api_key, base_url=server.url, timeout=5, sleep=lambda s: None) as client,
    ):
        with pytest.raises(errors.TransportError, match="unreadable status answer"):
            client.status("r-1")
        assert len(server.seen) == SETTINGS.status_retries + 1


def run_cli(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI in this process (the shared in-process runner, with this test's environment); return
    (exit code, stdout, stderr)."""
    done = run_seedance_here(args, dict(os.environ))
    return done.returncode, done.stdout, done.stderr


env_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)


@pytest.fixture(scope="module")
def queued_gateway() -> Iterator[TinyServer]:
    """A gateway that answers every status check with QUEUED."""
    with serve(lambda seen: Answer(200, {"request_id": "r-1", "status": "QUEUED"})) as server:
        yield server


@given(key=env_text.filter(lambda k: k.strip() != ""))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_key_in_the_environment_ends_in_exit_0_or_2(
    key: str, queued_gateway: TinyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever PIXAZO_API_KEY holds (accents, control characters, quotes), `status` works or exits 2 with a
    message: a key that cannot travel in an HTTP header is refused, not a traceback."""
    monkeypatch.setenv("PIXAZO_API_KEY", key)
    monkeypatch.setenv("SEEDANCE_BASE_URL", queued_gateway.url)
    code, out, err = run_cli(["status", "r-1"])
    assert code in (0, 2), (key, code, err)
    assert (out if code == 0 else err).strip()
    assert "Traceback" not in err


batch_values = st.one_of(
    json_values,
    st.sampled_from(
        ["A cat", "2.0", "1.0-pro", "480p", "16:9", "https://x.test/a.png", "/nonexistent.png", -1, 4, 99]
    ),
)
batch_lines = st.one_of(
    st.dictionaries(
        st.sampled_from(
            [
                "prompt",
                "model",
                "duration",
                "ratio",
                "resolution",
                "first_frame",
                "last_frame",
                "ref_images",
                "edit_video",
                "generate_audio",
                "seed",
                "output",
                "operation",
                "web_search",
                "x",
            ]
        ),
        batch_values,
        max_size=6,
    ).map(json.dumps),
    json_values.map(json.dumps),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\n\r"), max_size=40
    ),
)


@given(lines=st.lists(batch_lines, max_size=6), csv=st.booleans())
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_random_batch_lines_end_in_exit_0_or_2_with_a_message(
    lines: list[str], csv: bool, tmp_path: Path
) -> None:
    """`batch --dry-run` over arbitrary lines (JSON of any shape, or text; as .jsonl or .csv) exits 0 with an
    estimate or 2 naming what to fix: never a traceback, and nothing is sent (no gateway is configured)."""
    path = tmp_path / f"lines-{uuid.uuid4().hex}.{'csv' if csv else 'jsonl'}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_cli(["batch", str(path), "--dry-run"])
    assert code in (0, 2), (lines, code, err)
    assert (out + err).strip()
    assert "Traceback" not in err
