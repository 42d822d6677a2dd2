"""One racing process for the cross-process tests: load everything, say ready, wait for the go-file, then
submit at once (so every racer's submit starts within a millisecond or two of the others').

    python racer.py READY GO cli ARGS...            `seedance ARGS` once; exits with its code
    python racer.py READY GO cli-until-refused N ARGS...
                                                    `seedance ARGS` ({k} in an argument: 0, 1, ...) until it
                                                    fails, at most N times; exits with the failing code
    python racer.py READY GO library-until-refused N PROMPT
                                                    `Client.submit` of PROMPT {k} with the user's journal
                                                    until it raises, at most N times; exits 2 on
                                                    BudgetExceeded, 1 on anything else

The number of submits that went through is printed last on stdout as `sent=N`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import seedance.client
import seedance.jobs
import seedance.journal
from seedance.cli.main import main


def _run_cli(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def _cli_until_refused(limit: int, args: list[str]) -> tuple[int, int]:
    for k in range(limit):
        code = _run_cli([arg.replace("{k}", str(k)) for arg in args])
        if code != 0:
            return k, code
    return limit, 0


def _library(limit: int, prompt: str) -> tuple[int, int]:
    from seedance.errors import BudgetExceeded, SeedanceError

    sent = 0
    with seedance.client.Client(journal=seedance.journal.Journal()) as client:
        for k in range(limit):
            try:
                client.submit({"prompt": f"{prompt} {k}"})
            except BudgetExceeded as exc:
                print(f"error: {exc.message}", file=sys.stderr)
                return sent, 2
            except SeedanceError as exc:
                print(f"error: {type(exc).__name__}: {exc.message}", file=sys.stderr)
                return sent, 1
            sent += 1
    return sent, 0


def run(argv: list[str]) -> int:
    ready, go, mode, *rest = argv
    Path(ready).touch()
    while not Path(go).exists():  # the test makes it once every racer is ready
        time.sleep(0.001)
    if mode == "cli":
        code, sent = _run_cli(rest), None
    elif mode == "cli-until-refused":
        sent, code = _cli_until_refused(int(rest[0]), rest[1:])
    elif mode == "library-until-refused":
        sent, code = _library(int(rest[0]), rest[1])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    sys.stdout.flush()
    if sent is not None:
        print(f"sent={sent}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
