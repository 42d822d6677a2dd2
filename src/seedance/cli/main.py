"""The `seedance` command: a root group whose subcommands load only when called (so --help is instant)."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from seedance.cli.output import EXIT_CODES, OUT, report_error, report_interrupt

# name -> (module, attribute, one-line help). Help lives here so listing commands imports nothing else.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "generate": (
        "seedance.cli.generate",
        "generate",
        "Generate a video from a prompt (and images, video, audio).",
    ),
    "status": ("seedance.cli.job", "status", "Show a job's status once."),
    "wait": ("seedance.cli.job", "wait", "Wait for a job to finish, then download it."),
    "download": ("seedance.cli.job", "download", "Download a finished job's video."),
    "jobs": ("seedance.cli.journal_cmd", "jobs", "List, show and prune the jobs in the journal."),
    "resume": (
        "seedance.cli.journal_cmd",
        "resume",
        "Finish unfinished jobs: wait for them and download them.",
    ),
    "batch": ("seedance.cli.batch_cmd", "batch", "Generate many videos from a JSONL or CSV file."),
    "spend": ("seedance.cli.spend_cmd", "spend", "Sum what the journal's jobs cost (estimates)."),
    "gallery": ("seedance.cli.gallery_cmd", "gallery", "Build an HTML gallery of the generated videos."),
    "mcp": ("seedance.cli.mcp_cmd", "mcp", "Run the MCP server so AI agents can generate videos."),
    "models": ("seedance.cli.models_cmd", "models", "List the models and their 11 operations."),
    "auth": ("seedance.cli.auth_cmd", "auth", "Save, check or remove the Pixazo API key."),
    "emulator": ("seedance.cli.emulator_cmd", "emulator_command", "Run the local Pixazo gateway emulator."),
}

HELP = f"""Generate videos with ByteDance Seedance through the Pixazo gateway.

\b
Examples:
  seedance generate "A cat walking on the beach" -o cat.mp4
  seedance generate "A cat walking on the beach" --emulator -o cat.mp4   # offline, no key

\b
Exit codes:
{chr(10).join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())}
"""


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs or shows its help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, text) for name, (_, _, text) in COMMANDS.items()])


@click.group(cls=LazyGroup, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="seedance", prog_name="seedance")
def cli() -> None:
    """Generate videos with ByteDance Seedance through the Pixazo gateway."""


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; convert every error into a message and its documented exit code (no tracebacks)."""
    from seedance.errors import SeedanceError

    OUT.json = False
    OUT.context.clear()
    try:
        cli.main(args=argv, prog_name="seedance", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return sys.exit(exc.exit_code)
    except click.Abort:
        return sys.exit(report_interrupt())
    except click.ClickException as exc:
        if OUT.json:
            OUT.emit(
                {
                    "ok": False,
                    "error": {
                        "type": "UsageError",
                        "message": exc.format_message(),
                        "hint": "see --help",
                        "exit_code": 2,
                    },
                }
            )
        else:
            exc.show()
        return sys.exit(2 if exc.exit_code in (1, 2) else exc.exit_code)
    except SeedanceError as exc:
        return sys.exit(report_error(exc))
    except KeyboardInterrupt:
        return sys.exit(report_interrupt())
    except BrokenPipeError:
        return sys.exit(0)
    return sys.exit(0)
