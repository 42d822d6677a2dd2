"""Start-up cost: wall time of `seedance --help`, `seedance models`, `generate --dry-run` and `import seedance`.

Each command runs 20 times in a fresh process; the median is compared with `python -c pass` on the same
machine. The last row stands in for the peer CLI's dry run (shared/reference/library-notes.md: it imports
click, httpx, rich and pydantic at start): those four imports, one pydantic request model built and
validated, its body printed with rich. Issue 8 asks our dry run for at most half of it. Prints a table and a
final line of figures.
Run: .venv/bin/python benchmarks/startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 20
PEER_DRY_RUN = """
import click, httpx, rich, pydantic
from rich.console import Console
class Request(pydantic.BaseModel):
    prompt: str
    model: str = "2.0"
    duration: int | None = None
    ratio: str | None = None
    resolution: str | None = None
    ref_images: list[str] = []
request = Request.model_validate({"prompt": "A cat"})
Console().print_json(data={"content": [{"type": "text", "text": request.prompt}]})
"""


def median_seconds(argv: list[str], env: dict[str, str], runs: int = RUNS) -> float:
    """The median wall time of running argv `runs` times (after one warm-up run)."""
    subprocess.run(argv, env=env, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--runs", type=positive, default=RUNS, help="runs per command (the median is reported)"
    )
    runs = parser.parse_args().runs
    home = tempfile.mkdtemp(prefix="seedance-bench-")
    # Bytecode is cached as after any install (the warm-up run writes it, outside the source tree): a shell
    # with PYTHONDONTWRITEBYTECODE would otherwise time the compiler, not the start-up.
    env = {
        **os.environ,
        "HOME": home,
        "SEEDANCE_HOME": home,
        "PYTHONPYCACHEPREFIX": os.path.join(home, "pyc"),
    }
    env.pop("PIXAZO_API_KEY", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    script = shutil.which("seedance", path=os.path.dirname(sys.executable)) or "seedance"
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import seedance'": [sys.executable, "-c", "import seedance"],
        "seedance --help": [script, "--help"],
        "seedance models": [script, "models"],
        "seedance generate --dry-run": [script, "generate", "A cat", "--dry-run", "--json"],
        # The peer's dry run as the reference describes that CLI (the measured peer is not installed here).
        "peer-style dry run": [sys.executable, "-c", PEER_DRY_RUN],
    }
    results = {name: median_seconds(argv, env, runs) for name, argv in cases.items()}
    base = results["python -c pass"]
    print(f"{'command':<32} {'median ms':>10} {'x python':>9}")
    for name, seconds in results.items():
        print(f"{name:<32} {seconds * 1000:>10.1f} {seconds / base:>9.2f}")
    shutil.rmtree(home, ignore_errors=True)
    figures = ", ".join(
        f"{name}={seconds / base:.2f}x" for name, seconds in results.items() if name != "python -c pass"
    )
    versus_peer = results["seedance generate --dry-run"] / results["peer-style dry run"]
    print(f"startup: python={base * 1000:.1f} ms; {figures}; dry-run/peer-style={versus_peer:.2f}")


if __name__ == "__main__":
    main()
