"""One batch run by N workers on one shared (PostgreSQL) journal, against one rate-limited emulator.

Each worker is a real `seedance batch` subprocess with a user folder of its own (as on its own machine);
they share the journal (`SEEDANCE_JOURNAL`), the output folder and the key. The ideal wall time is what the
limit allows for the whole batch, as `benchmarks/batch.py` counts it: (N - B) / R + T for a token bucket of
burst B, N / R + T for a sliding one-second window. Printed: each worker's wall time and ratio to the ideal,
the lines each submitted, the 429s, and the paid submits (one per line is the target).

The journal: `--journal URL` (a fresh schema is made in it), else $SEEDANCE_TEST_POSTGRES, else a throwaway
server started as the tests start theirs (`tests/postgres.py`: Debian's initdb and pg_ctl).

Run: .venv/bin/python benchmarks/batch_shared.py [--workers 3] [--jobs 60] [--rate 5] [--limiter sliding_window]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from batch import write_batch  # benchmarks/batch.py (scripts run from their folder)
from seedance.emulator import EmulatorOptions, start

ROOT = Path(__file__).resolve().parent.parent


def journal_server(given: str | None) -> tuple[str, Any]:
    """A server URL and what stops it (None when it was given)."""
    url = given or os.environ.get("SEEDANCE_TEST_POSTGRES", "").strip()
    if url:
        return url, None
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres import _start_server  # the tests' throwaway server

    url, _folder, pg_ctl = _start_server()
    return url, pg_ctl


def fresh_schema(server: str) -> str:
    """A journal URL in a schema of its own on `server`."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in server else "?"
    return f"{server}{sep}options=-csearch_path%3D{schema}"


def worker(env: dict[str, str], path: Path, out: Path, concurrency: int) -> tuple[dict[str, Any], float]:
    """Run one worker to its end; return its summary and wall time."""
    home = Path(tempfile.mkdtemp(prefix="seedance-bench-worker-"))
    args = [sys.executable, "-m", "seedance", "batch", str(path), "--out", str(out), "--yes", "--json",
            "--concurrency", str(concurrency)]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(args, env={**env, "SEEDANCE_HOME": str(home)}, capture_output=True, text=True)
    wall = time.monotonic() - started
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    summary = next((r for r in rows if r.get("type") == "summary"), None)
    if summary is None:
        raise SystemExit(f"a worker failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return summary, wall


def main() -> None:
    """Run the workers and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument("--limiter", choices=["token_bucket", "sliding_window"], default="sliding_window")
    parser.add_argument("--job-seconds", type=float, default=40.0)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--poll", type=float, default=0.25, help="poll interval (s): a real 5 s, scaled")
    parser.add_argument("--journal", help="a PostgreSQL server URL (a fresh schema is made in it)")
    args = parser.parse_args()
    server, stop = journal_server(args.journal)
    folder = Path(tempfile.mkdtemp(prefix="seedance-bench-shared-"))
    options = EmulatorOptions(
        job_seconds=args.job_seconds, time_scale=args.scale, submit_rate_per_second=args.rate,
        submit_burst=args.burst, submit_limiter=args.limiter, cache_dir=folder / "cache", audio=False,
    )  # fmt: skip
    job_time = args.job_seconds * args.scale
    try:
        with start(options) as emulator:
            env = {**os.environ, "SEEDANCE_BASE_URL": emulator.base_url, "PIXAZO_API_KEY": emulator.api_key,
                   "SEEDANCE_POLL_INTERVAL": str(args.poll)}  # fmt: skip
            warm = {**env, "SEEDANCE_JOURNAL": fresh_schema(server)}
            worker(warm, write_batch(folder, 1, "-warm"), folder / "warm", 1)  # encode the video once
            emulator.reset()
            limits = {"submit_rate_per_second", "submit_burst", "submit_limiter"}
            emulator.handle.configure(**options.model_dump(include=limits))
            env["SEEDANCE_JOURNAL"] = fresh_schema(server)
            path, out = write_batch(folder, args.jobs), folder / "videos"
            with ThreadPoolExecutor(args.workers) as pool:
                results = list(
                    pool.map(lambda _: worker(env, path, out, args.concurrency), range(args.workers))
                )
            paid = len(emulator.handle.submits)
            limited = sum(1 for r in emulator.handle.requests if r.status == 429)
    finally:
        if stop is not None:
            subprocess.run(
                [*stop, "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60, check=False
            )
    if args.limiter == "sliding_window":
        ideal, shape = args.jobs / args.rate + job_time, "sliding 1 s window"
    else:
        ideal, shape = (args.jobs - args.burst) / args.rate + job_time, f"token bucket, burst B={args.burst}"
    print(f"{args.workers} workers, one PostgreSQL journal: {args.jobs} jobs, rate limit R={args.rate}/s ({shape}), "
          f"job time T={job_time:.2f} s, concurrency {args.concurrency} each")  # fmt: skip
    print(f"  ideal                  {ideal:7.2f} s")
    for k, (summary, wall) in enumerate(results):
        elapsed = float(summary["elapsed_s"])
        print(f"  worker {k + 1}: measured {elapsed:7.2f} s  ratio {elapsed / ideal:.3f} (with start {wall:.2f} s); "
              f"lines it submitted {summary['submitted_here']}, 429s it saw {summary['rate_limited']}, "
              f"counts {summary['counts']}")  # fmt: skip
    slowest = max(float(s["elapsed_s"]) for s, _ in results)
    print(f"  batch done in {slowest:.2f} s = {slowest / ideal:.3f} x ideal; paid submits {paid} for {args.jobs} "
          f"lines; 429 answers (all workers) {limited}")  # fmt: skip


if __name__ == "__main__":
    main()
