"""`seedance auth login|status|logout`: the key file at ~/.pixazo/api-key (600, folder 700)."""

from __future__ import annotations

import click

from seedance.cli.common import json_option
from seedance.cli.output import OUT


@click.group(short_help="Manage the API key.")
def auth() -> None:
    """Save, check or remove the Pixazo API key (~/.pixazo/api-key)."""


@auth.command(short_help="Save a key.")
@click.option("--key-stdin", is_flag=True, help="Read the key from standard input instead of asking.")
@json_option
def login(key_stdin: bool, as_json: bool) -> None:
    """Ask for the key once (hidden input) and save it to ~/.pixazo/api-key with mode 600."""
    import sys

    from seedance import auth as keys
    from seedance.errors import KEY_PROMPT, InputError, KeyMissingError

    if key_stdin:
        line = sys.stdin.readline(4097)  # bounded: a key is one short line, stdin may be endless
        if len(line) > 4096:
            raise InputError("standard input is not one API key (its first line is over 4 KiB)")
        path = keys.save_key(line)
    elif not sys.stdin.isatty():
        raise KeyMissingError(KEY_PROMPT, hint="pipe the key in with: seedance auth login --key-stdin")
    else:
        OUT.info(KEY_PROMPT)
        import getpass

        path = keys.save_key(getpass.getpass("API key: "))
    OUT.result({"ok": True, "saved": str(path)}, f"saved to {path} (mode 600)")


@auth.command(short_help="Show where the key comes from.")
@json_option
def status(as_json: bool) -> None:
    """Say which key would be used and where it comes from (never the key itself)."""
    from seedance import auth as keys

    try:
        found = keys.resolve_key(None, interactive=False)
    except Exception as exc:  # KeyMissingError, or a refused key file: report, do not crash
        from seedance.errors import SeedanceError

        if not isinstance(exc, SeedanceError):
            raise
        OUT.result({"ok": False, "configured": False, "message": exc.message}, f"no key: {exc.message}")
        raise SystemExit(3) from None
    where = {
        "env": "$PIXAZO_API_KEY",
        "file": str(found.path),
        "flag": "--api-key",
        "prompt": str(found.path),
    }
    OUT.result(
        {
            "ok": True,
            "configured": True,
            "source": found.source,
            "where": where[found.source],
            "key": found.masked(),
        },
        f"key {found.masked()} from {where[found.source]}",
    )


@auth.command(short_help="Remove the saved key.")
@json_option
def logout(as_json: bool) -> None:
    """Delete ~/.pixazo/api-key."""
    from seedance import auth as keys

    removed = keys.delete_key()
    OUT.result(
        {"ok": True, "removed": removed}, "removed the key file" if removed else "there was no key file"
    )
