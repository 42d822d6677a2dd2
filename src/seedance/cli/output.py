"""How the CLI speaks: human text on stderr (rich on a terminal), one JSON object on stdout with --json.

Errors are turned into output in one place (`report_error`): `error: …` and `hint: …` lines, or a JSON
object with the same facts, and the error's exit code. Nothing here ever prints the API key.
"""

from __future__ import annotations

import os
import re
import sys

TYPE_CHECKING = False  # typing is not imported: this module is on the fast path of `--help`
if TYPE_CHECKING:
    from typing import Any

    from seedance.errors import SeedanceError

EXIT_INTERRUPTED = 130

EXIT_CODES = {
    0: "success",
    1: "internal error (a bug; the message says how to see what was sent)",
    2: "bad input or usage (nothing was sent)",
    3: "no API key, or the gateway refused it (401)",
    4: "out of credits (402)",
    5: "still rate limited after waiting and retrying once (429)",
    6: "the gateway rejected the request (other 4xx)",
    7: "gateway server error after one retry, or the gateway could not be reached",
    8: "the generation failed (FAILED/ERROR)",
    9: "timed out waiting; the job may still finish (resume it)",
    10: "the download failed (the job itself succeeded)",
    130: "interrupted (Ctrl-C); the job is in the journal, resume it",
}


class Output:
    """Per-invocation output state: JSON mode, and facts to include if the command fails midway."""

    def __init__(self) -> None:
        self.json = False
        self.emitted = False
        """Whether a JSON object went to stdout (a command prints exactly one)."""
        self.context: dict[str, Any] = {}
        self.argv: list[str] = []
        """The command's arguments as given (a hint that says "run it again" repeats them)."""

    def command_line(self) -> str:
        """`seedance ARGS` as it was typed, quoted for a shell (the key given as --api-key left out)."""
        import shlex

        args, skip = [], False
        for arg in self.argv:
            if skip or arg.startswith("--api-key="):
                skip = False
                continue
            if arg == "--api-key":
                skip = True
                continue
            args.append(arg)
        return shlex.join(["seedance", *args])

    def info(self, text: str) -> None:
        """A line for the human, on stderr (stdout stays clean for --json and pipes)."""
        from seedance.errors import redact

        _write(literal(redact(text), keep_lines=True), sys.stderr)

    def emit(self, data: dict[str, Any]) -> None:
        """The command's one result: JSON on stdout in --json mode."""
        import json

        from seedance.errors import redact

        _write(literal(redact(json.dumps(data, default=str, ensure_ascii=False)), json_text=True), sys.stdout)
        self.emitted = True

    def result(self, data: dict[str, Any], human: str) -> None:
        """Print a result: the JSON object, or the human text on stdout."""
        if self.json:
            self.emit(data)
        else:
            from seedance.errors import redact

            _write(literal(redact(human), keep_lines=True), sys.stdout)


def _write(text: str, stream: Any) -> None:
    """Print a line; when its reader has gone (`| head`), say nothing more there and carry on: a batch's
    jobs in flight still finish and are journaled."""
    try:
        print(text, file=stream, flush=True)
    except BrokenPipeError:
        quiet(stream)


def quiet(stream: Any) -> None:
    """Point a standard stream at /dev/null, so that no later write (or Python's flush at exit) fails."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


OUT = Output()


def literal(value: object, *, json_text: bool = False, keep_lines: bool = False) -> str:
    """Text that is safe to print on a terminal: its control characters escaped (`errors.escape_controls`).

    A prompt or a gateway error may hold ESC sequences (`\\x1b]0;title\\x07` retitles the terminal,
    `\\x1b[31m` recolours it): each is shown as `\\x1b`, or as `\\u001b` in JSON text (which `json.dumps`
    already writes for C0, but not for DEL and C1). `keep_lines` leaves line breaks (our own multi-line text).
    """
    from seedance.errors import escape_controls

    return escape_controls(value, json_text=json_text, keep_lines=keep_lines)


INTERNAL_CONTEXT = {"submitting", "emulator", "downloading"}
"""Context kept for the messages, not for the JSON answer."""


def _public(context: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in context.items() if key not in INTERNAL_CONTEXT}


def for_the_emulator(hint: str) -> str:
    """A hint's `seedance wait ID` (status, download, resume) with `--emulator`, when the command ran on it:
    the same command without it would ask the real gateway, which never knew the job."""
    if not OUT.context.get("emulator") or "--emulator" in hint:
        return hint
    command = r"seedance (?:wait|status|download|resume)(?: (?!-)[^\s`;,)]+)?"
    return re.sub(command, lambda m: m.group(0) + " --emulator", hint)


_TAKES = re.compile(r"(?P<field>\b[a-z_]+): (?:[^;]*? )?takes (?P<allowed>[^;]+); got ")
_CHOOSE = re.compile(r"(?P<field>\b[a-z_]+): [^;]*; choose (?P<allowed>one of [^;]+)$")
_DATE = re.compile(r"(?P<option>--[a-z-]+) .* is not a date")


def specific_hint(message: str) -> str | None:
    """What to type instead, read from a bad value's message (`duration: ... takes 4-15 ...; got 99`):
    the option with its allowed values, rather than a generic "fix the value"."""
    in_a_file = message.startswith("line ")  # a batch line: the field is a JSON or CSV field, not a flag
    if (found := _TAKES.search(message) or _CHOOSE.search(message)) is not None:
        field, allowed = found["field"], found["allowed"]
        if in_a_file:
            return f'set "{field}" to {allowed}'
        flag = "-m/--model" if field == "model" else "--" + field.replace("_", "-")
        return f"give {flag} {allowed}"
    if (found := _DATE.search(message)) is not None:
        return f"give {found['option']} a date like 2026-12-01"
    return None


def report_error(exc: SeedanceError) -> int:
    """Print an error the way the mode asks; return its exit code."""
    from seedance.errors import InputError

    if isinstance(exc, InputError) and exc.remedy == InputError.hint:
        exc._hint = specific_hint(exc.message) or exc.remedy
    if exc.remedy and exc.remedy != (changed := for_the_emulator(exc.remedy)):
        exc._hint = changed  # the hint worded for the gateway the command talked to
    if OUT.json:
        OUT.emit({"ok": False, **_public(OUT.context), "error": exc.to_dict()})
    else:
        # One line each, whatever the message quotes (a path or an id with a line break cannot forge a line).
        OUT.info(literal(f"error: {exc.message}"))
        if exc.remedy:
            OUT.info(literal(f"hint: {exc.remedy}"))
    return exc.exit_code


def report_interrupt() -> int:
    """Ctrl-C: say what happened to the paid job and how to pick it up."""
    request_id = OUT.context.get("request_id")
    flag = " --emulator" if OUT.context.get("emulator") else ""
    if request_id and OUT.context.get("downloading"):
        message = f"interrupted while downloading; job {request_id} is finished and its video is kept"
        hint = f"download again: seedance download {request_id}{flag} (it resumes where it stopped)"
    elif request_id and flag:
        message = f"interrupted; job {request_id} is kept by the local emulator and will finish (it is free)"
        hint = f"resume with: seedance resume {request_id}{flag}"
    elif request_id:
        message = f"interrupted; job {request_id} is recorded in the journal and may still finish"
        hint = f"resume with: seedance resume {request_id}"
    elif OUT.context.get("submitting"):
        message = "interrupted while submitting; the job may or may not have been queued"
        hint = "check `seedance jobs --status unknown` and your dashboard before sending it again"
    else:
        message, hint = "interrupted", ""
    if OUT.json:
        OUT.emit(
            {
                "ok": False,
                **_public(OUT.context),
                "error": {
                    "type": "Interrupted",
                    "message": message,
                    "hint": hint,
                    "exit_code": EXIT_INTERRUPTED,
                },
            }
        )
    else:
        OUT.info(f"error: {message}")
        if hint:
            OUT.info(f"hint: {hint}")
    return EXIT_INTERRUPTED


def human_size(size: int | None) -> str:
    """Bytes as a short human figure."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"
