"""The repeat guard: a request identical to a job of the last hour that is still open is most likely a call
given up on (an agent's timeout, a killed shell) made again, and would pay twice. It is refused, naming the
open job; `again` pays for a second video on purpose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from seedance.errors import InputError, RepeatRefused
from seedance.jobs.outputs import is_abandoned
from seedance.journal import JobRecord, Journal
from seedance.request import VideoRequest, parse_request
from seedance.states import JobState

REPEAT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class NextSteps:
    """How an interface words what to do about a refused repeat."""

    on_its_way: str
    """While the open job's own submit is still being sent."""
    to_wait: str
    """Once it has a request id (formatted with `request_id`)."""
    to_check: str
    """When its submit got no answer."""
    again: str
    """How to pay for a second video anyway."""


LIBRARY_STEPS = NextSteps(
    on_its_way="its request id is in the journal in a few seconds (`seedance.Journal().get(local_id)`)",
    to_wait="`client.wait({request_id!r})` waits for it, `client.download` saves its video",
    to_check="check the journal and the Pixazo dashboard before sending it again",
    again="pass again=True to pay for a second video of the same request",
)


def is_open(record: JobRecord) -> bool:
    """Whether an identical request now would repeat this job: in flight, done but not yet saved, or sent
    with no answer; never a job on an emulator that is gone."""
    state = JobState(record.state)
    awaiting = state is JobState.SUCCEEDED and record.want_download
    return (state.may_repeat or awaiting) and not is_abandoned(record)


def find_repeat(
    journal: Journal, request: VideoRequest, gateway: str, *, within: timedelta = REPEAT_WINDOW
) -> JobRecord | None:
    """The newest open job of the last `within`, sent to `gateway`, that asked for the same video (equal
    `VideoRequest.identity()`: stating a default changes nothing), or None."""
    since = (datetime.now(UTC) - within).isoformat(timespec="milliseconds")
    wanted = request.identity()
    for record in journal.created_since(since, operation=request.op.name):
        if not record.sent_to(gateway) or not is_open(record):
            continue
        try:
            if parse_request(record.settings).identity() == wanted:
                return record
        except InputError:  # a row from a version with other rules: not comparable
            continue
    return None


def repeat_refusal(twin: JobRecord, steps: NextSteps) -> RepeatRefused:
    """The error for a request that would repeat `twin`, with the interface's own next step."""
    if twin.state == JobState.SUBMITTING:  # another call's submit is on its way (a slow gateway)
        what, hint = f"is being submitted right now (local id {twin.local_id})", steps.on_its_way
    elif twin.request_id:
        what, hint = (
            f"is {twin.state} (request id {twin.request_id})",
            steps.to_wait.format(request_id=twin.request_id),
        )
    else:
        what, hint = (
            f"got no answer to its submit (local id {twin.local_id}; it may run and be paid)",
            steps.to_check,
        )
    return RepeatRefused(
        f"an identical job submitted at {twin.created_at} {what}; nothing was sent",
        request_id=twin.request_id,
        local_id=twin.local_id,
        hint=f"{hint}; {steps.again}",
    )


def refuse_repeat(
    journal: Journal, request: VideoRequest, gateway: str, steps: NextSteps = LIBRARY_STEPS
) -> None:
    """Raise RepeatRefused when `request` would repeat an open job (see `find_repeat`)."""
    twin = find_repeat(journal, request, gateway)
    if twin is not None:
        raise repeat_refusal(twin, steps)
