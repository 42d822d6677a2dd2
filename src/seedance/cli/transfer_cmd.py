"""`seedance journal export FILE` / `import FILE`: move the journal's jobs to a file and into another journal."""

from __future__ import annotations

from pathlib import Path

import click

from seedance.cli.common import json_option
from seedance.cli.output import OUT


@click.group("journal", short_help="Export or import the journal's jobs (JSON Lines).")
def journal() -> None:
    """Move the journal's jobs, with their history, to a file and into another journal: e.g. from this
    machine's jobs.db into a team's shared PostgreSQL journal, and back.

    \b
    Examples:
      seedance journal export jobs.jsonl
      SEEDANCE_JOURNAL=postgresql://... seedance journal import jobs.jsonl
    """


@journal.command(short_help="Write every job and its history to a file.")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def export(file: Path, as_json: bool) -> None:
    """Write every job of the journal, with its history, to FILE (JSON Lines, every column as stored;
    `-`: standard output, e.g. piped into `seedance journal import -` with another SEEDANCE_JOURNAL).

    An earlier export at FILE is replaced; any other file is left alone. The file is readable by you only.
    The journal never holds the API key, and the file names a server journal without its password.
    The journal read is the one every command uses ($SEEDANCE_JOURNAL: a file or a postgresql:// URL).
    """
    from seedance import journal_transfer
    from seedance.errors import InputError
    from seedance.jobs import user_journal

    source = user_journal()
    if str(file) == "-":  # the lines are the output: the summary goes to stderr
        if as_json:
            raise InputError("--json and `export -` both write to standard output", hint="give a FILE")
        text, jobs, _ = journal_transfer.export_text(source)
        click.echo(text, nl=False)
        OUT.info(f"exported {jobs} job(s) from {source.where}")
        return
    done = journal_transfer.export_journal(source, file)
    OUT.result(
        {
            "ok": True,
            "file": str(done.file),
            "journal": source.where,
            "jobs": done.jobs,
            "history": done.history,
        },
        f"exported {done.jobs} job(s) from {source.where} to {done.file}",
    )


@journal.command("import", short_help="Add the jobs of an export file to the journal.")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def import_(file: Path, as_json: bool) -> None:
    """Add the jobs of FILE (written by `seedance journal export`; `-`: standard input) that the journal
    does not have yet.

    A job the journal already has (same id) is kept exactly as it is, never rewritten: importing a file
    twice adds nothing the second time. Nothing is written unless the whole file is valid. Jobs not ended
    yet arrive with nobody following them: `seedance resume` on any machine picks them up, and a submit
    whose outcome was never learnt becomes `unknown` (never sent again). The journal written is the one
    every command uses ($SEEDANCE_JOURNAL: a file or a postgresql:// URL).
    """
    from seedance import journal_transfer
    from seedance.jobs import user_journal

    target = user_journal()
    done = journal_transfer.import_journal(target, file)
    data = {
        "ok": True,
        "file": str(done.file),
        "journal": target.where,
        "added": len(done.added),
        "kept": len(done.kept),
        "same_request": done.same_request,
    }
    human = (
        f"imported into {target.where}: added {len(done.added)} job(s), kept {len(done.kept)} already there"
    )
    if done.same_request:
        human += (
            f"\nleft out {len(done.same_request)} job(s) whose request id the journal has under another id:"
            f" {', '.join(done.same_request)}"
        )
    OUT.result(data, human)
