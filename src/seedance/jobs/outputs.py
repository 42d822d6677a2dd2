"""Where a paid video may land: the one place that decides whose file a path is, and refuses another's.

A paid video never lands on another file. A path is taken by a job that will still save its video there
(submitting, queued, running, succeeded) or that saved it there and whose file is still there; such a path is
refused to every other job, always. A file the journal does not know is refused too unless the caller says
`overwrite`. A job's own file (the one it claimed when it was submitted) is always its own to write again.
"""

from __future__ import annotations

import os
from pathlib import Path

from seedance.errors import InputError, OutputClaimed, shown
from seedance.journal import JobRecord, Journal
from seedance.leases import submitter_alive
from seedance.states import JobState


def is_abandoned(record: JobRecord) -> bool:
    """A job on an emulator that ran inside its submitting process (`--emulator`), now gone: it will never
    finish, and it cost nothing. (A local proxy to the real gateway is not such a gateway: its jobs stay.)"""
    if not record.ephemeral_gateway or not JobState(record.state).is_resumable:
        return False
    return not submitter_alive(record)  # its emulator lived in that process


def owner_of(
    journal: Journal,
    path: str | Path,
    *,
    other_than: str | None = None,
    saved: bool = True,
    replaced_before: str | None = None,
) -> JobRecord | None:
    """The job that owns the video file at `path`: one still to save it there, or (with `saved`) one that
    saved it there and whose file is still there. None when the path is free. A folder is never owned.

    `replaced_before` (a job's creation time) passes over videos saved by jobs created before it: that job's
    own submit replaced them there on purpose (`overwrite`).
    """
    text = str(path)
    if text.endswith(("/", os.sep)):
        return None
    for record in journal.jobs_saving_to(text, other_than=other_than):
        state = JobState(record.state)
        if not state.owns_output or is_abandoned(record):
            continue
        if (
            state is JobState.DOWNLOADED
            and replaced_before is not None
            and record.created_at < replaced_before
        ):
            continue
        if state is not JobState.DOWNLOADED or (saved and Path(text).exists()):  # to save, or saved
            return record
    return None


def refuse_taken(journal: Journal, path: str | Path) -> None:
    """Refuse a path another job will still save its video to (its video would land on this one's)."""
    owner = owner_of(journal, path, saved=False)
    if owner is not None:
        raise OutputClaimed(
            f"{shown(path)} is where job {owner.local_id} ({owner.request_id or 'no request id yet'}, "
            f"{owner.state}) will save its video; nothing was sent",
            hint="choose another -o path, or let that job finish first (`seedance resume`)",
        )


def refuse_existing(path: str | Path, *, overwrite: bool) -> None:
    """Refuse a file already at `path` unless `overwrite` (checked again when the job's row is written: a job
    of the same second may have just saved there), and a path no file can have (a name too long, a file
    where a folder should be): a video that cannot be saved must not be paid for."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(
            f"cannot save the video as {shown(path)}: {exc.strerror or exc}; nothing was sent",
            hint="choose another path (-o on the command line): a folder you can write in, or a shorter name",
        ) from None
    if not overwrite:
        raise OutputClaimed(
            f"{shown(path)} already exists; nothing was sent (overwrite=True, or --overwrite, replaces it)",
            hint="choose another path, or pass overwrite=True (the CLI: --overwrite) to replace it",
        )


def check_download_target(
    journal: Journal | None,
    path: Path,
    *,
    job: JobRecord | None,
    overwrite: bool,
    default_name: str | None = None,
) -> None:
    """Before a download to `path`: refuse another job's video (saved there, or still to be saved there)
    always, and a file that is not this job's own unless `overwrite`. The job's own file is the one it
    claimed at its submit, or `default_name` (named after its request id: no other job has that name)."""
    own = (job is not None and job.output_path is not None and _same_path(job.output_path, path)) or (
        default_name is not None and path.name == default_name
    )
    if journal is not None:
        # On its own path, a video saved by an older job was refused or replaced on purpose at this job's
        # submit (`overwrite`); one saved by a newer job is that job's, and stays.
        owner = owner_of(
            journal,
            path,
            other_than=job.local_id if job is not None else None,
            replaced_before=job.created_at if own and job is not None else None,
        )
        if owner is not None and not (job is not None and owner.request_id == job.request_id):
            whose = f"job {owner.request_id or owner.local_id}"
            what = (
                f"{whose}'s saved video"
                if owner.state == JobState.DOWNLOADED
                else f"where {whose} will save its video"
            )
            raise OutputClaimed(
                f"{shown(path)} is {what}; nothing was downloaded", hint="choose another path for this video"
            )
    if not (own or overwrite) and path.exists() and not path.is_dir():
        raise OutputClaimed(
            f"{shown(path)} already exists and is not this job's video; nothing was downloaded",
            hint="choose another path, or pass overwrite=True (the CLI: --overwrite) to replace it",
        )


def check_made_file(journal: Journal, path: Path, *, job: JobRecord | None, overwrite: bool) -> None:
    """Before writing a file the job made from its video (the clip `--join` writes at -o): the path was
    checked when the job was planned, but a job planned since may have claimed it or saved there. Refuse
    such a job's file always, and a file that appeared meanwhile unless `overwrite`."""
    owner = owner_of(
        journal,
        path,
        other_than=job.local_id if job is not None else None,
        replaced_before=job.created_at if overwrite and job is not None else None,
    )
    if owner is not None:
        raise OutputClaimed(f"{shown(path)} is job {owner.request_id or owner.local_id}'s video now")
    refuse_existing(path, overwrite=overwrite)


def check_download_path(key: str, output: str, *, overwrite: bool, journal: Journal | None = None) -> None:
    """`check_download_target` for job `key` (journal or request id) and an output as the user gave it,
    before any wait: a folder is always fine (the file is named after the job)."""
    from seedance.config import expand_home
    from seedance.jobs.naming import names_a_folder

    if names_a_folder(output):
        return
    journal = journal or Journal()
    check_download_target(journal, expand_home(output).absolute(), job=journal.get(key), overwrite=overwrite)


def _same_path(recorded: str, path: Path) -> bool:
    try:
        return Path(recorded).expanduser().absolute() == path.expanduser().absolute()
    except (OSError, ValueError):
        return False
