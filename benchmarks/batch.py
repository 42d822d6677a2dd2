"""Batch throughput against a rate limit, and the batch process's memory for 50 vs 500 jobs.

An emulator runs in this process with a submit rate limit R and job time T (given in emulated seconds,
shrunk by --scale). `seedance batch` runs as a real subprocess against it. The ideal wall time of N jobs is
what the limit allows, and the last job then runs T (scaled) seconds:
- token bucket (burst B; the default case): the first B submits go at once, the other N - B at R per
  second: ideal = (N - B) / R + T.
- sliding one-second window (`--limiter sliding_window`, API management's per-key rate): ideal = N / R + T,
  as issue 20 counts it.
`--parallel K` runs K batches of N jobs at once on the one account (one SEEDANCE_HOME, one emulator, other
prompts): the ideal is then that of K x N jobs, and each batch's time is compared with it.
The ratio is measured / ideal (target: <= 1.15; 1.25 for parallel batches). It also prints when each 429
came and to which batch (the ramp's come in the first second; a probe's after 15 quiet seconds; the rest
are jitter), accepted submits per 2 s, and the ceiling the shared pace record holds at the end.
Measured time is the batch's own elapsed time (from its summary line: reading and pricing the file through
the last download; not Python's start-up). Peak RSS is the batch subprocess's maximum resident set (GNU time's %M, else
os.wait4), for 50 and for 500 jobs (target: flat, < 150 MB).

Run: .venv/bin/python benchmarks/batch.py [--jobs 200] [--rate 10] [--burst 10] [--job-seconds 60] [--scale 0.05]
The sliding-window case of issue 20 (60 jobs, 5/s, 2 s jobs, concurrency 20), alone and two at once:
  .venv/bin/python benchmarks/batch.py --limiter sliding_window --jobs 60 --rate 5 --job-seconds 40 \
      --concurrency 20 --skip-memory [--parallel 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import gnu_time  # benchmarks/common.py (scripts run from their folder)

from seedance.emulator import EmulatorOptions, start
from seedance.emulator.records import RequestRecord

GNU_TIME = gnu_time()


def write_batch(folder: Path, n: int, tag: str = "") -> Path:
    """N identical-looking small jobs (the emulator encodes one video and serves it N times)."""
    path = folder / f"jobs{tag}-{n}.jsonl"
    line = {
        "prompt": f"A cat walking on the beach{tag}",
        "duration": 4,
        "resolution": "480p",
        "generate_audio": False,
    }
    path.write_text("".join(json.dumps(line) + "\n" for _ in range(n)))
    return path


class BatchRun:
    """One `seedance batch` subprocess; `finish` waits for it and returns its summary and peak RSS (MB)."""

    def __init__(self, url: str, key: str, path: Path, concurrency: int, poll: float, home: Path) -> None:
        self.path = path
        env = {**os.environ, "SEEDANCE_BASE_URL": url, "PIXAZO_API_KEY": key, "SEEDANCE_HOME": str(home),
               "SEEDANCE_POLL_INTERVAL": str(poll)}  # fmt: skip
        args = [sys.executable, "-m", "seedance", "batch", str(path), "--out", str(home / f"out-{path.stem}"),
                "--yes", "--json", "--concurrency", str(concurrency)]  # fmt: skip
        # GNU time forks the batch from its own small process: a child forked straight from this one (which
        # holds the emulator) would report this process's resident set at the fork as its own peak.
        self.stats = home / f"time-{path.stem}.txt"
        wrapped = [GNU_TIME, "-f", "%M", "-o", str(self.stats), *args] if GNU_TIME else args
        self.started = time.monotonic()
        self.proc = subprocess.Popen(wrapped, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def finish(self) -> tuple[dict[str, object], float, float]:
        """Wait for the batch; return its summary, the wall time seen from here, and its peak RSS (MB)."""
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        _, status, usage = os.wait4(self.proc.pid, 0)
        wall = time.monotonic() - self.started
        peak_kb = int(self.stats.read_text().split()[-1]) if GNU_TIME else usage.ru_maxrss  # KB on Linux
        summary = json.loads(out.decode().strip().splitlines()[-1])
        if status != 0 or summary.get("counts") != {"downloaded": int(self.path.stem.split("-")[-1])}:
            raise SystemExit(f"batch failed: status {status}, summary {summary}")
        return summary, wall, peak_kb / 1024


def run_batch(
    url: str, key: str, path: Path, concurrency: int, poll: float
) -> tuple[dict[str, object], float, float]:
    """Run `seedance batch` on a file in a fresh SEEDANCE_HOME; return its summary, wall time and peak RSS."""
    home = Path(tempfile.mkdtemp(prefix="seedance-bench-home-"))
    return BatchRun(url, key, path, concurrency, poll, home).finish()


def _refusal(record: RequestRecord, start: float) -> str:
    """`12.34/b2`: a 429's time after the first submit and the batch it answered (by its prompt's tag)."""
    tag = re.search(r"beach-(\d+)", json.dumps(record.json))
    batch = int(tag.group(1)) + 1 if tag else 1
    return f"{record.received_at - start:.2f}/b{batch}"


def main() -> None:
    """Run the throughput case, then the memory cases, and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--limiter", choices=["token_bucket", "sliding_window"], default="token_bucket")
    parser.add_argument("--parallel", type=int, default=1, help="batches of --jobs at once on one account")
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
        submit_burst=args.burst, submit_limiter=args.limiter, cache_dir=cache, audio=False,
    )  # fmt: skip
    job_time = args.job_seconds * args.scale
    total = args.jobs * args.parallel
    with start(options) as emulator:
        run_batch(emulator.base_url, emulator.api_key, write_batch(folder, 2), 2, args.poll)  # warm the cache
        emulator.reset()
        limits = {"submit_rate_per_second", "submit_burst", "submit_limiter"}
        emulator.handle.configure(**options.model_dump(include=limits))
        home = Path(tempfile.mkdtemp(prefix="seedance-bench-home-"))  # one account, one user folder
        runs = [
            BatchRun(emulator.base_url, emulator.api_key, write_batch(folder, args.jobs, f"-{k}"),
                     args.concurrency, args.poll, home)
            for k in range(args.parallel)
        ]  # fmt: skip
        with ThreadPoolExecutor(len(runs)) as pool:  # each run's wall time ends when it ends
            results = list(pool.map(BatchRun.finish, runs))
        submits = emulator.handle.submits
        limited = sum(1 for r in emulator.handle.requests if r.status == 429)
        posts = [r.received_at for r in emulator.handle.requests if r.route == "submit"]
        # The submit phase alone (first submit to last accepted one), steadier than wall times on a busy
        # machine: the rest is job time, polling and downloads, which the pacer does not decide.
        span = max(r.received_at for r in submits) - min(posts)
        refusals = [_refusal(r, min(posts)) for r in emulator.handle.requests if r.status == 429]
        per_2s = Counter(int((r.received_at - min(posts)) // 2) for r in submits)
        pace = sqlite3.connect(home / "pace.db").execute("SELECT state FROM pace").fetchone()
    if args.limiter == "sliding_window":
        ideal, shape = total / args.rate + job_time, "sliding 1 s window"
    else:
        ideal, shape = (total - args.burst) / args.rate + job_time, f"token bucket, burst B={args.burst}"
    print(f"throughput: {args.parallel} x {args.jobs} jobs, rate limit R={args.rate}/s ({shape}), "
          f"job time T={job_time:.2f} s ({args.job_seconds} s x {args.scale}), concurrency {args.concurrency}")  # fmt: skip
    print(f"  ideal                  {ideal:7.2f} s   ({total} jobs)")
    target = 1.15 if args.parallel == 1 else 1.25
    for k, (summary, wall, rss) in enumerate(results):
        measured = float(summary["elapsed_s"])  # type: ignore[arg-type]
        print(f"  batch {k + 1}: measured       {measured:7.2f} s   ratio {measured / ideal:.3f} "
              f"(target <= {target}); with start {wall:.2f} s = {wall / ideal:.3f}; "
              f"429s it saw {summary['rate_limited']}, status checks {summary['status_checks']}, "
              f"peak RSS {rss:.0f} MB")  # fmt: skip
    # Every batch downloaded all its jobs (else finish() stopped), so as many jobs created as jobs means one
    # paid submit per job.
    print(f"  jobs created {len(submits)} for {total} jobs; 429 answers (all batches) {limited}")
    if refusals:  # when each 429 came and to which batch: the ramp's, a probe's, or jitter
        print(f"  429s at (s after the first submit, batch): {' '.join(refusals)}")
    print(f"  accepted per 2 s: {' '.join(str(per_2s[k]) for k in range(max(per_2s) + 1))}")
    if pace:  # what the runs learnt, as the shared record holds it at the end
        state = json.loads(pace[0])
        print(f"  pace record: ceiling {state['ceiling']:.3f}/s, pace {state['pace']:.3f}/s, "
              f"probe gap {state['probe_gap']:.0f} s, probe step {state['probe_step']:.2f}")  # fmt: skip
    print(
        f"  submit phase {span:.2f} s for {total} jobs: {total / span:.2f} accepted per second (limit {args.rate})"
    )
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
