"""The shipped catalog, the body builder and the emulator, each checked against the hand transcription."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import plain_http
from seedance import bodies, catalog, pricing
from seedance.errors import InputError
from seedance.request import parse_request

from . import reference as ref

SHIPPED = catalog.built_in()


def test_catalog_serves_exactly_the_19_paths_of_the_reference() -> None:
    """Every served operation has the reference's path, and no other operation is served."""
    served = {(op.model, op.kind.value): op.path for op in SHIPPED.live_operations()}
    assert served == ref.PATHS


def test_the_retired_operation_stays_as_a_retired_row() -> None:
    """1.0 Lite's row is kept (old journal rows) with its retirement date, and is not served."""
    retired = [op for op in SHIPPED.operations if op.model_info.retired_on]
    assert [(op.path, op.model_info.retired_on) for op in retired] == [(ref.RETIRED_PATH, ref.RETIRED_ON)]


@pytest.mark.parametrize("model", sorted(ref.DURATIONS))
def test_model_limits_match_the_reference(model: str) -> None:
    """Durations, -1, confirmed resolutions and media counts of each model."""
    row = SHIPPED.models[model]
    assert (row.min_duration, row.max_duration, row.auto_duration) == ref.DURATIONS[model]
    assert set(row.resolutions) - set(row.unverified_resolutions) == ref.RESOLUTIONS[model]
    if not row.is_byteplus:
        assert (row.max_images, row.max_videos, row.max_audios) == tuple(ref.MEDIA_COUNTS.values())


def test_forced_ratios_match_the_reference() -> None:
    """Exactly 2.5's first/last frame, edit and extend force `adaptive`."""
    forced = {(op.model, op.kind.value) for op in SHIPPED.live_operations() if op.forced_ratio == "adaptive"}
    assert forced == ref.FORCED_ADAPTIVE


def test_prices_match_the_reference() -> None:
    """Published prices as published; 2.5, Mini and the extension unknown."""
    table = pricing.PRICES
    for model, usd in ref.PRICES_PER_SECOND.items():
        assert (table[model].unit, table[model].usd) == ("second", usd)  # type: ignore[union-attr]
    for model, usd in ref.PRICE_PER_VIDEO.items():
        assert (table[model].unit, table[model].usd) == ("video", usd)  # type: ignore[union-attr]
    assert all(table[key] is None for key in ref.UNPUBLISHED_PRICES)


@pytest.mark.parametrize("key", ref.NEW_OPERATIONS, ids="/".join)
def test_body_builder_writes_the_reference_sample(key: tuple[str, str]) -> None:
    """The request fields of each new operation become exactly the reference's sample body."""
    fields, body = ref.SAMPLES[key]
    request = parse_request({"model": key[0], **fields})
    assert (request.op.model, request.op.kind.value, request.op.path) == (*key, ref.PATHS[key])
    assert bodies.build_body(request) == body


def test_pro_sends_a_pro_model_id() -> None:
    """1.0 Pro no longer sends the switched-off Lite ids of the docs' examples."""
    for extra in ({}, {"first_frame": ref.IMG}):
        body = bodies.build_body(parse_request({"prompt": "x", "model": "1.0-pro", **extra}))
        assert body["model"] == ref.PRO_MODEL_ID
    custom = parse_request({"prompt": "x", "model": "1.0-pro", "model_id": "seedance-1-0-pro-fast-251015"})
    assert bodies.build_body(custom)["model"] == "seedance-1-0-pro-fast-251015"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"model": "2.5", "duration": 31}, "4-30"),
        ({"model": "2.0-mini", "duration": 20}, "4-15"),
        ({"model": "2.0", "extend_video": ref.VID}, "does not offer extend"),
        ({"model": "1.0-lite", "first_frame": ref.IMG, "last_frame": ref.IMG2}, ref.RETIRED_ON),
        ({"model": "2.5", "first_frame": ref.IMG, "ratio": "16:9"}, "leave the ratio out"),
        ({"model": "2.0-mini", "ref_images": [ref.IMG] * 10}, "at most 9"),
    ],
)
def test_requests_outside_the_limits_are_refused(fields: dict[str, Any], message: str) -> None:
    """Out-of-limit requests never become a body."""
    with pytest.raises(InputError, match=message):
        parse_request({"prompt": "x", **fields})


@pytest.fixture
def gateway(emulator: Any) -> httpx.Client:
    """An httpx client on the session emulator, with its key; jobs end at once."""
    emulator.configure(job_seconds=0.05, fps=4)
    return plain_http.client(base_url=emulator.base_url, headers=emulator.headers, timeout=20)


@pytest.mark.parametrize("key", ref.NEW_OPERATIONS, ids="/".join)
def test_emulator_accepts_the_reference_sample_on_the_reference_path(
    key: tuple[str, str], gateway: httpx.Client, emulator: Any
) -> None:
    """The emulator queues each sample body at its path, with the requested duration and resolution."""
    fields, body = ref.SAMPLES[key]
    with gateway:
        answer = gateway.post(ref.PATHS[key], json=body)
    assert answer.status_code == 202, answer.text
    job = emulator.job(answer.json()["request_id"])
    assert (job.duration, job.resolution) == (fields["duration"], fields["resolution"])


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (ref.PATHS[("2.5", "text-to-video")], {"content": [ref.text()], "duration": 31}, "duration"),
        (ref.PATHS[("2.0-mini", "text-to-video")], {"content": [ref.text()], "duration": 16}, "duration"),
        (ref.PATHS[("2.5", "extend")], {"content": [ref.text(), ref.video()], "ratio": "16:9"}, "ratio"),
        (ref.PATHS[("2.5", "extend")], {"content": [ref.text(), ref.video(), ref.video()]}, "content"),
        (ref.PATHS[("2.5", "extend")], {"content": [ref.text(), ref.image(ref.IMG)]}, "content"),
        (ref.PATHS[("2.5", "first-last-frame")], {"content": [ref.image(ref.IMG)], "ratio": "1:1"}, "ratio"),
    ],
)
def test_emulator_refuses_what_the_reference_rules_out(
    path: str, body: dict[str, Any], field: str, gateway: httpx.Client
) -> None:
    """A 400 naming the field, no job."""
    with gateway:
        answer = gateway.post(path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == f"Invalid parameter: {field}"


def test_emulator_answers_the_retired_route_as_the_reference_says(gateway: httpx.Client) -> None:
    """1.0 Lite's route: 404 with the gateway front's body."""
    with gateway:
        answer = gateway.post(ref.RETIRED_PATH, json={"model": "x", "text": "y"})
    assert (answer.status_code, answer.json()) == ref.RETIRED_ANSWER


def test_the_unverified_list_is_kept() -> None:
    """The values taken on trust are listed (the issue's note quotes them)."""
    assert len(ref.UNVERIFIED) >= 10
