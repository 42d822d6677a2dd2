"""`seedance spend`: what the journal's jobs cost, by model, day, batch or who submitted them (estimates)."""

from __future__ import annotations

import click

from seedance.cli.common import json_option
from seedance.cli.journal_cmd import who_options
from seedance.cli.output import OUT, literal


@click.command(short_help="Sum what jobs cost.")
@click.option("--since", metavar="DATE", help="Only jobs created on or after this date (YYYY-MM-DD).")
@click.option(
    "--by",
    "group",
    type=click.Choice(["model", "day", "batch", "user", "host", "who"]),
    default="model",
    show_default=True,
    help="Group the sums: who submitted the jobs is `user` (login name), `host` (machine) or `who` (user@host).",
)
@click.option(
    "--include-local",
    is_flag=True,
    help="Also sum jobs sent to a gateway on this machine (by default: the emulator, free, only counted).",
)
@click.option(
    "--emulator",
    is_flag=True,
    envvar="SEEDANCE_EMULATOR",
    help="Only the local emulator's jobs (free: counted, never summed) [env: SEEDANCE_EMULATOR=1].",
)
@who_options
@json_option
def spend(
    since: str | None,
    group: str,
    include_local: bool,
    emulator: bool,
    user: str | None,
    host: str | None,
    as_json: bool,
) -> None:
    """Sum the estimated cost of the journal's jobs: charged, pending, uncertain (FAILED or unknown) and free.

    Jobs sent to a gateway on this machine (the emulator, `--emulator`) cost nothing: they are counted in
    the `local` column and not summed, unless --include-local (e.g. a local proxy to the real gateway).
    """
    from datetime import UTC, date, datetime

    from seedance import jobs
    from seedance import spend as spending
    from seedance.errors import InputError

    after = None
    if since is not None:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            raise InputError(f"--since {since!r} is not a date; write it as YYYY-MM-DD") from None
        since = day.isoformat()
        # The day starts at local midnight; the journal keeps UTC times.
        after = (
            datetime.combine(day, datetime.min.time())
            .astimezone()
            .astimezone(UTC)
            .isoformat(timespec="milliseconds")
        )
    records = [r for r in jobs.listed(since=after, user=user, host=host) if r.emulated or not emulator]
    rows, total = spending.summarize(records, group, include_local=include_local and not emulator)  # type: ignore[arg-type]
    if OUT.json:
        OUT.emit(
            {
                "ok": True,
                "by": group,
                "since": since,
                "user": user,
                "host": host,
                "estimate": True,
                "rows": [r.to_dict() for r in rows],
                "total": total.to_dict(),
            }
        )
        return
    keys = {
        row.key: literal(row.key) for row in [*rows, total]
    }  # a name from another machine: shown literally
    width = max(
        [14, *(len(key) for key in keys.values())]
    )  # user@host keys may be long: the columns stay aligned
    lines = [
        f"{group:<{width}} {'jobs':>5} {'spent':>9} {'pending':>9} {'uncertain':>10} {'free':>5} {'no price':>8}"
        f" {'local':>5}"
    ]
    for row in [*rows, total]:
        lines.append(
            f"{keys[row.key]:<{width}} {row.jobs:>5} {row.spent_usd:>9.2f} {row.pending_usd:>9.2f} "
            f"{row.uncertain_usd:>10.2f} {row.free_jobs:>5} {row.unpriced_jobs:>8} {row.local_jobs:>5}"
        )
    if total.refused_submits:
        lines.append(
            f"{total.refused_submits} submit(s) that made no job left out (refused by the gateway, or not sent:"
            " it could not be reached; nothing charged)"
        )
    lines.append("USD, estimates from the price table; your dashboard has the exact figures.")
    click.echo("\n".join(lines))
