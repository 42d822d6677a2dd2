"""The `seedance` entry point: answers `--help` and `models` without importing click, else runs the click app.

An agent may call `seedance` hundreds of times; the commands that only read static data should cost little
more than starting Python. Everything else goes to `seedance.cli.app`, which imports what each command uses.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any


def _help() -> None:
    from seedance.cli.commands import root_help

    sys.stdout.write(root_help())


def _models(as_json: bool) -> None:
    from seedance.cli.models_view import render_models

    render_models(as_json)


FAST_PATHS: dict[tuple[str, ...], Callable[[], None]] = {
    (): _help,
    ("--help",): _help,
    ("-h",): _help,
    ("models",): lambda: _models(False),
    ("models", "--json"): lambda: _models(True),
}


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; every error becomes a message and its documented exit code (no tracebacks)."""
    args = list(sys.argv[1:] if argv is None else argv)
    fast = FAST_PATHS.get(tuple(args))
    if fast is not None:
        try:
            with contextlib.suppress(BrokenPipeError):
                fast()
            return sys.exit(0)
        except Exception as exc:
            from seedance.errors import SeedanceError

            if not isinstance(exc, SeedanceError):
                raise
            # e.g. a bad user catalog file: the click app says it as one line with its exit code
    from seedance.cli.app import run

    return run(args)
