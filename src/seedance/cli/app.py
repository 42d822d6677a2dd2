"""The click application: a root group whose subcommands load only when called, and one place for errors."""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from seedance.cli.commands import COMMANDS, root_help
from seedance.cli.output import OUT, quiet, report_error, report_interrupt

if TYPE_CHECKING:
    from seedance.errors import SeedanceError


class ReaderGone(Exception):
    """Stdout's reader went away (`| head`): click.main would turn a BrokenPipeError into a silent exit 1."""


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs or shows its help."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise ReaderGone from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def get_help(self, ctx: click.Context) -> str:
        return root_help().rstrip("\n")

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """A misspelt command gets the nearest names as a suggestion (`generte`: did you mean generate?)."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            import difflib

            close = difflib.get_close_matches(args[0], list(COMMANDS), n=2, cutoff=0.6) if args else []
            if not close:
                raise
            guess = " or ".join(f"'{name}'" for name in close)
            raise click.UsageError(f"{exc.message} Did you mean {guess}?", ctx) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="seedance", prog_name="seedance")
@click.option("--journal", metavar="FILE|URL", help="The job journal (else $SEEDANCE_JOURNAL).")
def cli(journal: str | None) -> None:
    """Generate videos with ByteDance Seedance through the Pixazo gateway."""
    if journal is not None:
        from seedance.config import JOURNAL_ENV

        # Through the environment: every journal this run opens (and any child it starts) is this one.
        os.environ[JOURNAL_ENV] = journal


def run(argv: list[str]) -> Any:
    """Run the click app; convert every error into a message and its documented exit code (no tracebacks)."""
    from seedance.errors import SeedanceError

    OUT.json = False
    OUT.context.clear()
    OUT.emitted = False
    OUT.argv = list(argv)
    _warn_in_one_line()
    try:
        _check_arguments(argv)
        cli.main(args=argv, prog_name="seedance", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return sys.exit(exc.exit_code)
    except click.Abort:
        return sys.exit(report_interrupt())
    except click.ClickException as exc:
        # A usage error can stop click before it reaches --json's callback: look at argv itself then.
        if OUT.json or _asks_for_json(argv):
            ctx = exc.ctx if isinstance(exc, click.UsageError) else None
            OUT.emit(
                {
                    "ok": False,
                    "error": {
                        "type": "UsageError",
                        "message": exc.format_message(),
                        "hint": f"see: {ctx.command_path} --help" if ctx else "see --help",
                        "exit_code": 2,
                    },
                }
            )
        else:
            _show_usage_error(exc)
        return sys.exit(2 if exc.exit_code in (1, 2) else exc.exit_code)
    except SeedanceError as exc:
        return sys.exit(report_error(exc))
    except KeyboardInterrupt:
        return sys.exit(report_interrupt())
    except (BrokenPipeError, ReaderGone):
        quiet(sys.stdout)
        return sys.exit(0)
    except Exception as exc:  # a bug of ours: one line (and where the paid job is), not a traceback
        if os.environ.get("SEEDANCE_DEBUG") == "1":
            raise
        error = _internal_error(exc, argv)
        if OUT.emitted:  # the command's one JSON object is out: the error goes to stderr only
            OUT.json = False
        return sys.exit(report_error(error))
    return sys.exit(0)


def _show_usage_error(exc: click.ClickException) -> None:
    """click's usage error (usage, `Try ... --help`, `Error: ...`), the message on one line: it quotes what
    the user typed, which may hold a line break or an escape sequence."""
    from seedance.cli.output import literal

    ctx = exc.ctx if isinstance(exc, click.UsageError) else None
    if ctx is not None:
        OUT.info(ctx.get_usage())
        OUT.info(f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.\n")
    OUT.info(f"Error: {literal(exc.format_message())}")


def _check_arguments(argv: list[str]) -> None:
    """Refuse an argument that is not UTF-8 (Python hands its bytes over as lone surrogates), before click.

    Such text cannot be sent as JSON, kept in the journal or printed, and a file name of other bytes (Latin-1,
    legal on Linux) would be written back under another name: one line, exit 2, nothing done.
    """
    from seedance.errors import InputError, shown

    for position, arg in enumerate(argv, start=1):
        if "\x00" in arg:  # only an in-process caller can pass one (an OS argv cannot hold it)
            OUT.json = _asks_for_json(argv)
            raise InputError(f"argument {position} holds a NUL character: {shown(arg, 80)}")
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            OUT.json = _asks_for_json(argv)
            raise InputError(
                f"argument {position} is not valid UTF-8: {shown(arg, 80)}",
                hint="give text and file names as UTF-8 (rename such a file, e.g. with `convmv`, or pass a URL)",
            ) from None


def _internal_error(exc: Exception, argv: list[str]) -> SeedanceError:
    """An unexpected exception as a SeedanceError (exit 1) that points at the journal, the key redacted."""
    from seedance.errors import SeedanceError, redact, register_secret

    given = [a.split("=", 1)[1] for a in argv if a.startswith("--api-key=")]
    given += [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--api-key"]
    for secret in [os.environ.get("PIXAZO_API_KEY", "").strip(), *given]:
        register_secret(secret)  # the error may come before the key was looked up (and registered)
    request_id = OUT.context.get("request_id")
    look = f"`seedance jobs show {request_id}`" if request_id else "`seedance jobs`"
    return SeedanceError(
        redact(f"internal error: {type(exc).__name__}: {exc}"),
        hint=f"{look} shows what was sent (`seedance resume` finishes paid jobs); this is a bug in seedance: "
        "please report it (SEEDANCE_DEBUG=1 shows the traceback)",
    )


def _asks_for_json(argv: list[str]) -> bool:
    """Whether `--json` is among the options (not after `--`, where it would be an argument)."""
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in options


def _warn_in_one_line() -> None:
    """Show our own warnings (a key file others can read) as one `warning: ...` line, not Python's two."""
    import warnings

    default = warnings.showwarning
    if getattr(default, "seedance_one_line", False):
        return  # already installed (the CLI can run many times in one process, e.g. under tests)

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        if category.__module__.startswith("seedance"):
            OUT.info(f"warning: {message}")
        else:
            default(message, category, filename, lineno, file, line)

    show.seedance_one_line = True  # type: ignore[attr-defined]
    warnings.showwarning = show
