"""Options and helpers shared by several commands: gateway flags, JSON mode, making a client."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from seedance.cli.output import OUT

if TYPE_CHECKING:
    from seedance.client import Client
    from seedance.emulator import RunningEmulator

F = TypeVar("F", bound=Callable[..., Any])


def make_writable_folder(folder: Path) -> None:
    """Create `folder` and prove a file can be made in it (a probe, removed at once); raise OSError if not.

    Checking by doing catches what permission bits miss: a read-only mount, /proc, a full quota, root squash.
    """
    import tempfile  # not at import: every command loads this module, few write files

    folder.mkdir(parents=True, exist_ok=True)
    fd, probe = tempfile.mkstemp(prefix=".seedance-probe-", dir=folder)
    os.close(fd)
    os.unlink(probe)


def _set_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    OUT.json = value
    return value


def json_option(func: F) -> F:
    """`--json`: one JSON object on stdout, human text on stderr."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        is_eager=True,
        expose_value=True,
        callback=_set_json,
        help="Print one JSON object on stdout (errors too); human text goes to stderr.",
    )(func)


def gateway_options(func: F) -> F:
    """`--base-url`, `--api-key`, `--poll-interval`, `--emulator` (shared by commands that talk to a gateway)."""
    func = emulator_option(func)
    func = click.option(
        "--poll-interval",
        type=click.FloatRange(min=0.0, min_open=True),
        default=None,
        metavar="S",
        help="Poll every S seconds instead of the adaptive schedule (under 1 s: only a gateway on this "
        "machine, e.g. the emulator).",
    )(func)
    func = click.option(
        "--api-key",
        envvar=None,
        default=None,
        hidden=True,
        help="API key (prefer PIXAZO_API_KEY or ~/.pixazo/api-key: flags show in `ps`).",
    )(func)
    return click.option(
        "--base-url",
        default=None,
        metavar="URL",
        help="Gateway URL (default $SEEDANCE_BASE_URL, else https://gateway.pixazo.ai).",
    )(func)


def emulator_option(func: F) -> F:
    """`--emulator` (or SEEDANCE_EMULATOR=1): the shared local emulator, whose jobs every command sees."""
    return click.option(
        "--emulator",
        is_flag=True,
        envvar="SEEDANCE_EMULATOR",
        help="Use the local gateway emulator: no key, no network, free; its jobs are kept for later "
        "commands [env: SEEDANCE_EMULATOR=1].",
    )(func)


EMULATOR_POLL_INTERVAL = 0.25
"""How often a command polls the emulator it started (its jobs take seconds, not minutes)."""


def start_flag_emulator() -> RunningEmulator:
    """The shared local emulator of `--emulator`, run inside this command, its jobs kept in the user state
    folder for the next command; shaped by $SEEDANCE_EMULATOR_OPTIONS (a bad value: exit 2)."""
    from seedance.config import seedance_home
    from seedance.emulator import start
    from seedance.emulator.options import FLAG_OPTIONS_ENV, options_from_env
    from seedance.errors import InputError

    try:
        options = options_from_env(os.environ.get(FLAG_OPTIONS_ENV))
    except ValueError as exc:
        raise InputError(
            f"${FLAG_OPTIONS_ENV}: {exc}", hint="e.g. job_seconds=0.3,fps=4,cache_dir=/tmp/videos"
        ) from None
    return start(options, shared=seedance_home() / "emulator")


def check_poll_interval(poll_interval: float | None, base_url: str | None, emulator: bool) -> None:
    """`--poll-interval` under 1 s is for a gateway on this machine only: the real one must not be hammered."""
    from seedance import config
    from seedance.errors import InputError

    if poll_interval is None or poll_interval >= 1 or emulator:
        return
    url = config.base_url(base_url)
    if not config.is_local_gateway(url):
        raise InputError(
            f"--poll-interval {poll_interval:g} polls {url} more than once a second; nothing was sent",
            hint="give 1 or more (or leave it out: the adaptive schedule); under 1 s is for the emulator",
        )


@contextmanager
def open_client(
    *,
    base_url: str | None,
    api_key: str | None,
    poll_interval: float | None,
    emulator: bool,
    timeout: float = 60.0,
    webhook_url: str | None = None,
) -> Iterator[Client]:
    """A Client with the journal on, against the configured gateway or a fresh in-process emulator."""
    from seedance import auth
    from seedance.client import Client
    from seedance.jobs import user_journal

    check_poll_interval(poll_interval, base_url, emulator)
    running = None
    if emulator:
        running = start_flag_emulator()
        base_url, api_key = running.base_url, running.api_key
        poll_interval = EMULATOR_POLL_INTERVAL if poll_interval is None else poll_interval
    try:
        if api_key is None:
            api_key = auth.resolve_key(None).key  # asks once on a terminal, as the skill says
        with Client(
            api_key=api_key,
            base_url=base_url,
            poll_interval=poll_interval,
            journal=user_journal(),
            timeout=timeout,
            webhook_url=webhook_url,
        ) as client:
            yield client
    finally:
        if running is not None:
            running.stop()
