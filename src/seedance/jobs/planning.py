"""Plan a paid job, then submit the plan: every refusal is made before anything is sent, and made again, in
the journal's own write transaction, just before the row that precedes the submit.

`plan()` validates the request, checks its media, prices it, chooses where its video goes and applies every
refusal (another job's file, an existing file, an identical job still open, the team budget). It sends
nothing. `submit()` journals then sends; a stamped name taken in the meantime by a job of the same second
moves on to the next.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedance import bodies, media
from seedance.errors import OutputClaimed
from seedance.jobs.budget import refuse_over_budget
from seedance.jobs.naming import choose_target, names_a_folder, names_itself
from seedance.jobs.outputs import refuse_existing, refuse_taken
from seedance.jobs.repeats import LIBRARY_STEPS, NextSteps, refuse_repeat
from seedance.journal import Journal
from seedance.pricing import Estimate, estimate
from seedance.request import MEDIA_FIELDS, VideoRequest, parse_request

if TYPE_CHECKING:
    from seedance.client import AsyncClient, Client
    from seedance.models import Job


@dataclass(frozen=True)
class Plan:
    """A checked, priced job that has not been sent: what `submit` sends and where its video goes."""

    request: VideoRequest
    """The request, its local media paths made absolute (the journal names the file wherever it runs)."""
    estimate: Estimate
    target: Path | None
    """Where the video will be saved; None: not saved (no download), or named after its request id."""
    output: str | None
    """The output as given; a folder or None means the file name is ours to choose (and may move on)."""
    download: bool
    overwrite: bool
    again: bool
    gateway: str
    free: bool
    """The gateway charges nothing (an emulator): a repeat costs nothing, so it is not refused."""
    steps: NextSteps = LIBRARY_STEPS

    def next_name(self, journal: Journal | None) -> Plan:
        """The same plan with the next free stamped name (its name was taken since it was planned)."""
        return dataclasses.replace(self, target=choose_target(self.output, self.request, journal))


def plan(
    request: VideoRequest | dict[str, Any],
    output: str | Path | None = None,
    *,
    journal: Journal | None,
    gateway: str,
    again: bool = False,
    overwrite: bool = False,
    download: bool = True,
    stamp: bool = True,
    free: bool = False,
    steps: NextSteps = LIBRARY_STEPS,
) -> Plan:
    """Check, price and place one job, and refuse what must not be paid for; nothing is sent.

    Where `output` is None or a folder, `stamp` names the file from the time and the prompt (the CLI's
    `seedance-20261201-101500-a-cat.mp4`); without it, after the job's request id once known. Raises InputError (bad value or media file), OutputClaimed
    (the file is another job's, or exists and `overwrite` is not set), RepeatRefused (an identical job is
    still open and `again` is not set).
    """
    req = request if isinstance(request, VideoRequest) else parse_request(request)
    bodies.build_body(req, resolve=media.check)  # a missing or wrong file is said as the user wrote it
    absolute = {name: media.absolute(getattr(req, name), resolve=True) for name in MEDIA_FIELDS}
    req = dataclasses.replace(req, **absolute)
    given = None if output is None else str(output)
    if not download or (not stamp and (given is None or names_a_folder(given))):
        target = None  # named after its request id once it has one (in the folder given)
    else:
        target = choose_target(given, req, journal)
    chosen = Plan(
        request=req,
        estimate=estimate(req),
        target=target.absolute() if target is not None else None,
        output=given,
        download=download,
        overwrite=overwrite,
        again=again,
        gateway=gateway,
        free=free,
        steps=steps,
    )
    _check_now(journal, chosen)
    return chosen


def retarget(chosen: Plan, target: Path, journal: Journal | None) -> Plan:
    """The plan with its video saved at `target` instead (e.g. beside the file `--join` will write), checked
    like a planned target; that name never moves on."""
    moved = dataclasses.replace(chosen, target=target.absolute(), output=str(target))
    _check_now(journal, moved)
    return moved


def _check_now(journal: Journal | None, chosen: Plan) -> None:
    """Every refusal, at planning time (before the key is sought, before anything is sent)."""
    if journal is None:
        if chosen.target is not None:
            refuse_existing(chosen.target, overwrite=chosen.overwrite)
        return
    if chosen.target is not None:
        refuse_taken(journal, chosen.target)
    last_checks(journal, chosen)()
    if not chosen.free:  # said early here; the submit's own transaction decides (`ClientCore._record`)
        refuse_over_budget(journal, chosen.request, gateway=chosen.gateway)


def last_checks(journal: Journal, chosen: Plan) -> Callable[[], None]:
    """The refusals, as run again inside the journal's write transaction just before the job's row: no other
    process can pass them at the same instant (its row waits for this one). Another job's claim on the
    target is refused there by every client anyway (`ClientCore._record`)."""

    def check() -> None:
        if chosen.target is not None:
            refuse_existing(chosen.target, overwrite=chosen.overwrite)
        if not (chosen.again or chosen.free):
            refuse_repeat(journal, chosen.request, chosen.gateway, chosen.steps)

    return check


def submit(
    client: Client, chosen: Plan, *, batch_id: str | None = None, batch_line: int | None = None
) -> tuple[Job, Plan]:
    """Journal then send the planned job (this spends credits); return the Job and the plan it went with (a
    stamped name taken since planning moved on to the next)."""
    while True:
        try:
            return client.submit(
                chosen.request, **_submit_options(client, chosen, batch_id, batch_line)
            ), chosen
        except OutputClaimed as claimed:
            chosen = _moved_on(chosen, client.journal, claimed)


async def asubmit(
    client: AsyncClient, chosen: Plan, *, batch_id: str | None = None, batch_line: int | None = None
) -> tuple[Job, Plan]:
    """`submit` for the async client."""
    while True:
        try:
            options = _submit_options(client, chosen, batch_id, batch_line)
            return await client.submit(chosen.request, **options), chosen
        except OutputClaimed as claimed:
            chosen = _moved_on(chosen, client.journal, claimed)


def _submit_options(
    client: Client | AsyncClient, chosen: Plan, batch_id: str | None, batch_line: int | None
) -> dict[str, Any]:
    return {
        # Where the video goes, even when it is not downloaded now (a later `download` saves it there) or is
        # named after its request id in a folder (resume finds the folder).
        "output_path": str(chosen.target) if chosen.target is not None else chosen.output,
        "want_download": chosen.download,
        "batch_id": batch_id,
        "batch_line": batch_line,
        "checks": last_checks(client.journal, chosen) if client.journal is not None else None,
    }


def _moved_on(chosen: Plan, journal: Journal | None, claimed: OutputClaimed) -> Plan:
    """After OutputClaimed at the submit: the next stamped name; a name the user gave is never changed
    behind their back (the refusal stands)."""
    if not names_itself(chosen.output) or chosen.target is None:
        raise claimed
    return chosen.next_name(journal)
