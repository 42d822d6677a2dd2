"""A submit answer the client cannot use, after the gateway may have made (and will charge) the job: the
outcome is `unknown`, never exit 2 ("nothing was sent"); the job is listed, resume passes it by, and
`jobs forget` drops it once checked on the dashboard. Nothing the gateway sent reaches the terminal raw."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .harness import ARGS, Answer, Run, Seen, journal_records, serve

UNUSABLE_IDS = {
    "line-break": "seedance-2-0_abc\nhint: run rm -rf ~",
    "escape-sequence": "seedance-2-0_\x1b]0;owned\x07abc",
    "100-kb": "seedance-2-0_" + "a" * 100_000,
}


@pytest.mark.parametrize("request_id", UNUSABLE_IDS.values(), ids=UNUSABLE_IDS.keys())
def test_an_unusable_request_id_is_an_unknown_submit_that_can_be_listed_and_forgotten(
    request_id: str, seedance: Callable[..., Run], cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The gateway accepts the submit but answers an id that cannot be polled or printed: exit 7 with the
    dashboard advice (the job may be paid), one error line and one hint line, a journal row `unknown`; `resume`
    does not fail on it, `jobs` lists it, and `jobs forget` drops it."""

    def gateway(seen: Seen) -> Answer:
        if seen.method == "POST":
            return Answer(202, {"request_id": request_id, "status": "QUEUED"})
        return Answer(404, {"statusCode": 404, "message": "Resource not found"})

    with serve(gateway) as server:
        env = {**cli_env, "SEEDANCE_BASE_URL": server.url, "PIXAZO_API_KEY": "sk-test-unusable-0001"}
        run = seedance(*ARGS, "-o", str(tmp_path / "cat.mp4"), env=env)
        human = seedance("generate", "A dog", "--duration", "4", "-o", str(tmp_path / "dog.mp4"), env=env)
        resumed = seedance("resume", "--all", "--json", env=env)
        listed = seedance("jobs", "--json", env=env)
    assert run.code == 7, run.stderr
    error = run.json()["error"]
    assert error["type"] == "SubmitUnknownError"
    assert "request id is not usable" in error["message"]
    assert len(error["message"]) < 500
    assert "dashboard" in error["hint"]
    assert human.code == 7
    assert [
        line.split(":")[0] for line in human.stderr.splitlines() if line.startswith(("error", "hint"))
    ] == [
        "error",
        "hint",
    ]
    assert "\x1b" not in human.stderr + run.stdout
    assert "\nhint: run rm" not in human.stderr
    records = journal_records(env)
    assert [r.state for r in records] == ["unknown", "unknown"]
    assert all(r.request_id is None for r in records)
    assert resumed.code != 2, resumed.stderr
    assert "Traceback" not in resumed.stderr
    assert len(listed.json()["jobs"]) == 2
    for record in records:
        forgotten = seedance("jobs", "forget", record.local_id, env=env)
        assert forgotten.code == 0, forgotten.stderr
    assert journal_records(env) == []
