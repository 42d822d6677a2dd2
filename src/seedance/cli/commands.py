"""The command table and the root help text, as plain data: reading them imports nothing (not even click)."""

from __future__ import annotations

from seedance.cli.output import EXIT_CODES

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
    "journal": (
        "seedance.cli.transfer_cmd",
        "journal",
        "Export the journal's jobs to a file, or import them (e.g. into a team's).",
    ),
    "batch": ("seedance.cli.batch_cmd", "batch", "Generate many videos from a JSONL or CSV file."),
    "spend": ("seedance.cli.spend_cmd", "spend", "Sum what the journal's jobs cost (estimates)."),
    "budget": ("seedance.cli.budget_cmd", "budget", "Set or show the team budget per day, week or month."),
    "gallery": ("seedance.cli.gallery_cmd", "gallery", "Build an HTML gallery of the generated videos."),
    "mcp": ("seedance.cli.mcp_cmd", "mcp", "Run the MCP server so AI agents can generate videos."),
    "models": ("seedance.cli.models_cmd", "models", "List the models and their 19 operations, with prices."),
    "auth": ("seedance.cli.auth_cmd", "auth", "Save, check or remove the Pixazo API key."),
    "emulator": ("seedance.cli.emulator_cmd", "emulator_command", "Run the local Pixazo gateway emulator."),
}


def root_help() -> str:
    """The text of `seedance --help` (the click group renders exactly this too; a test holds them equal)."""
    width = max(len(name) for name in COMMANDS)
    lines = [
        "Usage: seedance [OPTIONS] COMMAND [ARGS]...",
        "",
        "  Generate videos with ByteDance Seedance through the Pixazo gateway.",
        "",
        "  Examples:",
        '    seedance generate "A cat walking on the beach" -o cat.mp4',
        '    seedance generate "A cat walking on the beach" --emulator -o cat.mp4   # offline, no key',
        "    seedance generate --help                                              # every option",
        "",
        "  Exit codes:",
        *[f"    {code:>3}  {text}" for code, text in EXIT_CODES.items()],
        "",
        "Options:",
        "  --version         Show the version and exit.",
        "  --journal FILE|URL",
        "                    The job journal (else $SEEDANCE_JOURNAL).",
        "  -h, --help        Show this message and exit.",
        "",
        "Commands:",
        *[f"  {name.ljust(width)}  {text}" for name, (_, _, text) in COMMANDS.items()],
    ]
    return "\n".join(lines) + "\n"
