"""The `/_emulator/` HTTP control routes, for an emulator running in another process."""

from __future__ import annotations

import plain_http
from seedance.emulator import EmulatorHandle

from .conftest import Api


def test_config_route_sets_options_dialect_and_faults(api: Api, emulator: EmulatorHandle) -> None:
    """POST /_emulator/config changes options (dialect merged) without a key; GET shows them."""
    changed = plain_http.post(
        emulator.url("/_emulator/config"), json={"dialect": {"id_field": "task_id"}, "strict": False}
    )
    assert changed.status_code == 200
    assert changed.json()["dialect"]["id_field"] == "task_id"
    assert "task_id" in api.submit().json()
    assert emulator.options.strict is False
    assert plain_http.get(emulator.url("/_emulator/config")).json()["strict"] is False


def test_bad_options_are_400(emulator: EmulatorHandle) -> None:
    """Unknown options or bad values are refused with the validation errors."""
    response = plain_http.post(emulator.url("/_emulator/config"), json={"job_seconds": -1, "colour": "blue"})
    assert response.status_code == 400
    assert {tuple(e["loc"]) for e in response.json()["errors"]} == {("job_seconds",), ("colour",)}


def test_faults_route_adds_a_rule_with_its_count(api: Api, emulator: EmulatorHandle) -> None:
    """POST /_emulator/faults appends one rule; the config view shows what remains of its count."""
    added = plain_http.post(
        emulator.url("/_emulator/faults"), json={"kind": "http", "status": 503, "count": 2}
    )
    assert added.json()["faults_active"][0]["remaining"] == 2
    assert api.submit().status_code == 503
    assert plain_http.get(emulator.url("/_emulator/config")).json()["faults_active"][0]["remaining"] == 1


def test_requests_and_jobs_routes(api: Api, emulator: EmulatorHandle) -> None:
    """GET /_emulator/requests lists the log (filterable by route); /_emulator/jobs/{id} has the file's hash."""
    request_id, _ = api.completed()
    records = plain_http.get(emulator.url("/_emulator/requests"), params={"route": "submit"}).json()
    assert [
        (r["request_id"], r["job_created"], r["headers"]["ocp-apim-subscription-key"]) for r in records
    ] == [(request_id, True, "***")]
    job = plain_http.get(emulator.url(f"/_emulator/jobs/{request_id}")).json()
    assert job["status"] == "COMPLETED"
    assert job["sha256"] == emulator.job(request_id).sha256
    assert job["file_size"] > 0
    assert [j["request_id"] for j in plain_http.get(emulator.url("/_emulator/jobs")).json()] == [request_id]
    assert plain_http.get(emulator.url("/_emulator/jobs/nope")).status_code == 404


def test_reset_route_forgets_jobs_log_and_options(api: Api, emulator: EmulatorHandle) -> None:
    """POST /_emulator/reset clears jobs and log and restores the start options and faults."""
    request_id = api.submit_id()
    emulator.add_fault("503")
    assert plain_http.post(emulator.url("/_emulator/reset")).status_code == 200
    assert emulator.requests == []
    assert emulator.jobs == []
    assert emulator.options.job_seconds == 0.3
    assert api.status(request_id).status_code == 404
    assert api.submit().status_code == 202


def test_clock_route_makes_time_pass_for_jobs(api: Api, emulator: EmulatorHandle) -> None:
    """`POST /_emulator/clock {"advance": s}` moves a long job to its end at once; a step that is not a
    finite number of seconds forward is 400 and moves nothing."""
    emulator.configure(job_seconds=600)
    request_id = api.submit_id()
    assert api.status(request_id).json()["status"] == "QUEUED"
    before = plain_http.get(emulator.url("/_emulator/clock")).json()["advanced_seconds"]
    for bad in (-1, "10", None, True):
        refused = plain_http.post(emulator.url("/_emulator/clock"), json={"advance": bad})
        assert refused.status_code == 400, bad
    answer = plain_http.post(emulator.url("/_emulator/clock"), json={"advance": 600})
    assert answer.status_code == 200
    assert answer.json()["advanced_seconds"] == before + 600
    assert api.wait(request_id)["status"] == "COMPLETED"  # the encode only: the 600 s have passed
