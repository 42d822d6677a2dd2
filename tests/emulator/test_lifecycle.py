"""Submit answers, the status body and its QUEUED -> PROCESSING -> COMPLETED timing, unknown ids, legacy path."""

from __future__ import annotations

import re

import httpx
import pytest

from seedance import catalog
from seedance.emulator import EmulatorHandle
from waiting import wait_for

from .conftest import SMALL, Api

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.mark.parametrize("model", ["2.0", "2.0-fast", "1.0-pro"])
def test_submit_answers_202_queued_with_the_polling_url(
    model: str, client: httpx.Client, emulator: EmulatorHandle
) -> None:
    """The documented submit answer: 202, JSON, `<prefix>_<uuid>`, QUEUED, polling_url on the status path."""
    op = catalog.operations_of(model)[-1] if model == "1.0-pro" else catalog.operations_of(model)[0]
    body = (
        {"model": op.default_model_id, "text": "A cat --rs 480p --dur 3"}
        if op.model_info.is_byteplus
        else SMALL
    )
    response = client.post(op.path, json=body)
    assert response.status_code == 202
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert set(answer) == {"request_id", "status", "polling_url"}
    prefix = op.model_info.request_prefix
    assert re.fullmatch(
        rf"{prefix}_[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}",
        answer["request_id"],
    )
    assert answer["status"] == "QUEUED"
    assert answer["polling_url"] == f"{emulator.base_url}/v2/requests/status/{answer['request_id']}"


def test_status_moves_queued_processing_completed(api: Api, emulator: EmulatorHandle) -> None:
    """Polling sees QUEUED first, then PROCESSING, then COMPLETED with the documented fields."""
    emulator.configure(job_seconds=60, queued_fraction=0.5)  # never moves on by itself during the test
    request_id = api.submit_id()
    seen: list[str] = []
    for _ in ("QUEUED", "PROCESSING"):
        body = api.status(request_id).json()
        seen.append(body["status"])
        assert body["output"] is None
        assert body["completed_at"] is None
        emulator.advance(30)
    # its time is up: COMPLETED as soon as its video is encoded (a real encode, in another thread)
    body = wait_for(lambda: (b := api.status(request_id).json())["status"] != "PROCESSING" and b)
    seen.append(body["status"])
    assert seen == ["QUEUED", "PROCESSING", "COMPLETED"]
    assert list(body) == [
        "request_id",
        "status",
        "model_id",
        "error",
        "output",
        "created_at",
        "updated_at",
        "completed_at",
    ]
    assert (body["request_id"], body["model_id"], body["error"]) == (request_id, "seedance-2-0", None)
    assert body["output"]["media_type"] == "video/mp4"
    assert re.fullmatch(
        rf"{re.escape(emulator.base_url)}/_media/{request_id}/[\w-]+/output\.mp4",
        body["output"]["media_url"][0],
    )
    assert all(ISO.match(body[k]) for k in ("created_at", "updated_at", "completed_at"))
    assert body["created_at"] < body["completed_at"]


def test_unknown_request_id_is_404(api: Api) -> None:
    """An id the emulator never issued gets the 404 body."""
    response = api.status("seedance-2-0_nope")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Request 'seedance-2-0_nope' not found"}


@pytest.mark.parametrize("base", ["seedance-2-0", "seedance-2-0-fast", "byteplus"])
def test_legacy_result_path_answers_the_same_body(base: str, api: Api, emulator: EmulatorHandle) -> None:
    """The seed's `/{base}/v1/result/{id}` path serves the status body too."""
    emulator.configure(job_seconds=30)
    request_id = api.submit_id()
    legacy = api.client.get(f"/{base}/v1/result/{request_id}")
    assert legacy.status_code == 200
    assert legacy.json() == api.status(request_id).json()


def test_submit_status_can_be_200(api: Api, emulator: EmulatorHandle) -> None:
    """The `submit_status` option makes an accepted submit answer 200."""
    emulator.configure(submit_status=200)
    assert api.submit().status_code == 200


def test_job_times_are_drawn_from_a_seeded_range(api: Api, emulator: EmulatorHandle) -> None:
    """With `job_seconds_range` and a seed each job's time is drawn in range, reproducibly."""
    emulator.configure(job_seconds_range=(5.0, 9.0), seed=7)
    first = [emulator.job(api.submit_id()).job_seconds for _ in range(3)]
    emulator.configure(seed=7)
    second = [emulator.job(api.submit_id()).job_seconds for _ in range(3)]
    assert first == second
    assert all(5.0 <= s <= 9.0 for s in first)
    assert len(set(first)) == 3


def test_time_scale_shrinks_job_times(api: Api, emulator: EmulatorHandle) -> None:
    """`time_scale` multiplies the job time: a 20 s job at 0.01 completes in 0.2 s."""
    emulator.configure(job_seconds=20.0, time_scale=0.01)
    request_id = api.submit_id()
    assert emulator.job(request_id).job_seconds == pytest.approx(0.2)
    assert api.wait(request_id)["status"] == "COMPLETED"
