"""Batch throughput against a rate limit, and the batch process's memory for 50 vs 500 jobs.

An emulator runs in this process with a submit rate limit R (token bucket, burst B) and job time T (given
in emulated seconds, shrunk by --scale). `seedance batch` runs as a real subprocess against it. The ideal
wall time of N jobs is what the limit allows: the first B submits go at once, the other N - B at R per
second, and the last one then runs T (scaled) seconds: ideal = (N - B) / R + T. The ratio is measured /
ideal (target: within 15 %, i.e. <= 1.15). Measured time is the batch's own elapsed time (from its summary
line: reading and pricing the file through the last download; not Python's start-up). Peak RSS is the
batch subprocess's maximum resident set (GNU time's %M, else os.wait4), for 50 and for 500 jobs (target: flat, < 150 MB).

Run: .venv/bin/python benchmarks/batch.py [--jobs 200] [--rate 10] [--burst 10] [--job-seconds 60] [--scale 0.05]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import gnu_time  # benchmarks/common.py (scripts run from their folder)

from seedance.emulator import EmulatorOptions, start

GNU_TIME = gnu_time()


def write_batch(folder: Path, n: int) -> Path:
    """N identical-looking small jobs (the emulator encodes one video and serves it N times)."""
    path = folder / f"jobs-{n}.jsonl"
    line = {
        "prompt": "A cat walking on the beach",
        "duration": 4,
        "resolution": "480p",
        "generate_audio": False,
    }
    path.write_text("".join(json.dumps(line) + "\n" for _ in range(n)))
    return path


def run_batch(
    url: str, key: str, path: Path, concurrency: int, poll: float
) -> tuple[dict[str, object], float, float]:
    """Run `seedance batch` on a file; return its summary, the wall time seen from here, and its peak RSS (MB)."""
    home = Path(tempfile.mkdtemp(prefix="seedance-bench-home-"))
    env = {**os.environ, "SEEDANCE_BASE_URL": url, "PIXAZO_API_KEY": key, "SEEDANCE_HOME": str(home),
           "SEEDANCE_POLL_INTERVAL": str(poll)}  # fmt: skip
    args = [sys.executable, "-m", "seedance", "batch", str(path), "--out", str(home / "out"), "--yes",
            "--json", "--concurrency", str(concurrency)]  # fmt: skip
    # GNU time forks the batch from its own small process: a child forked straight from this one (which holds
    # the emulator) would report this process's resident set at the fork as its own peak.
    stats = home / "time.txt"
    wrapped = [GNU_TIME, "-f", "%M", "-o", str(stats), *args] if GNU_TIME else args
    started = time.monotonic()
    proc = subprocess.Popen(wrapped, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    peak_kb = int(stats.read_text().split()[-1]) if GNU_TIME else usage.ru_maxrss  # KB on Linux
    summary = json.loads(out.decode().strip().splitlines()[-1])
    if status != 0 or summary.get("counts") != {"downloaded": int(path.stem.split("-")[1])}:
        raise SystemExit(f"batch failed: status {status}, summary {summary}")
    return summary, wall, peak_kb / 1024


def main() -> None:
    """Run the throughput case, then the memory cases, and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--job-seconds", type=float, default=60.0)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--poll", type=float, default=0.25, help="poll interval (s): a real 5 s, scaled")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="seedance-bench-batch-"))
    cache = folder / "cache"
    options = EmulatorOptions(
        job_seconds=args.job_seconds, time_scale=args.scale, submit_rate_per_second=args.rate,
        submit_burst=args.burst, cache_dir=cache, audio=False,
    )  # fmt: skip
    job_time = args.job_seconds * args.scale
    with start(options) as emulator:
        run_batch(emulator.base_url, emulator.api_key, write_batch(folder, 2), 2, args.poll)  # warm the cache
        emulator.reset()
        emulator.handle.configure(**options.model_dump(include={"submit_rate_per_second", "submit_burst"}))
        summary, wall, rss = run_batch(
            emulator.base_url, emulator.api_key, write_batch(folder, args.jobs), args.concurrency, args.poll
        )
        submits = len(emulator.handle.submits)
        limited = sum(1 for r in emulator.handle.requests if r.status == 429)
    ideal = (args.jobs - args.burst) / args.rate + job_time
    measured = float(summary["elapsed_s"])  # type: ignore[arg-type]
    print(f"throughput: {args.jobs} jobs, rate limit R={args.rate}/s burst B={args.burst}, "
          f"job time T={job_time:.2f} s ({args.job_seconds} s x {args.scale}), concurrency {args.concurrency}")  # fmt: skip
    print(f"  ideal (N-B)/R + T      {ideal:7.2f} s")
    print(f"  measured (batch)       {measured:7.2f} s   ratio {measured / ideal:.3f} (target <= 1.15)")
    print(f"  measured (with start)  {wall:7.2f} s   ratio {wall / ideal:.3f}")
    print(
        f"  submits {submits} (one per job), 429 answers {limited}, status checks {summary['status_checks']}"
    )
    print(f"  peak RSS {rss:.0f} MB")
    if args.skip_memory:
        return
    fast = EmulatorOptions(job_seconds=args.job_seconds, time_scale=args.scale, cache_dir=cache, audio=False)
    with start(fast) as emulator:
        for n in (50, 500):
            summary, wall, rss = run_batch(
                emulator.base_url, emulator.api_key, write_batch(folder, n), args.concurrency, args.poll
            )
            print(f"memory: {n:3d} jobs (no rate limit): peak RSS {rss:6.1f} MB, {summary['elapsed_s']} s")


if __name__ == "__main__":
    main()
