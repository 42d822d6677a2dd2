"""Detection lag and status requests per job: our adaptive schedule against the skill's fixed 8 s loop.

Six kinds of job (different settings) take 20-120 s each (±10 %), run against real emulators over HTTP with
time scaled down (SCALE). Each round submits one job of every kind for each strategy; the adaptive strategy
learns each kind's run time from the earlier rounds, as the journal lets it do for a user; a third runs the
adaptive schedule without history every time (as for a user's first job of each kind). All run the library's
own wait flow and driver; only the schedule differs. Lag = when the client saw the job
done minus when the emulator completed it, reported in real (unscaled) seconds.

Run: .venv/bin/python benchmarks/polling.py [--rounds 8] [--scale 0.05]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx

from seedance import protocol
from seedance.emulator import EmulatorOptions, start
from seedance.polling import PollSchedule, schedule_from_history
from seedance.transport import SyncDriver

KINDS = [20.0, 40.0, 60.0, 80.0, 100.0, 120.0]
BODY = {"content": [{"type": "text", "text": "benchmark"}], "duration": 4, "resolution": "480p"}
PATH = "/seedance-2-0/v1/text-to-video"


def run_job(
    url: str, schedule: PollSchedule | None, fixed: float | None, results: list[tuple[float, int, float]]
) -> None:
    """Submit one job, wait with the given strategy; append (lag s, status requests, run time s)."""
    settings = protocol.Settings(url, "bench-key-000000")
    counter = {"polls": 0}

    def count(request: httpx.Request) -> None:
        if request.method == "GET":
            counter["polls"] += 1

    with httpx.Client(event_hooks={"request": [count]}) as http:
        driver = SyncDriver(http, time.sleep)
        sub = driver.run(protocol.submit_flow(settings, PATH, BODY))
        next_delay = schedule if schedule is not None else (lambda elapsed, polls: fixed)
        first = schedule.first_delay(0.0) if schedule is not None else 0.0
        status = driver.run(
            protocol.wait_flow(
                settings,
                sub.request_id,
                timeout=3600,
                next_delay=next_delay,
                clock=time.monotonic,
                first_delay=first,
            )
        )
        seen = time.time()
    done = datetime.fromisoformat(status.raw["completed_at"].replace("Z", "+00:00")).timestamp()
    results.append((seen - done, counter["polls"], status.run_seconds or 0.0))


def main() -> None:
    """Run the rounds and print the table and the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--scale", type=float, default=0.05)
    args = parser.parse_args()
    scale = args.scale
    cache = Path(tempfile.mkdtemp(prefix="seedance-bench-cache-"))
    emulators = [
        start(
            EmulatorOptions(job_seconds_range=(t * 0.9, t * 1.1), time_scale=scale, seed=n, cache_dir=cache)
        )
        for n, t in enumerate(KINDS)
    ]
    try:
        run_job(emulators[0].base_url, None, 0.01, [])  # warm the video cache so synthesis never adds time
        history: dict[int, list[float]] = {n: [] for n in range(len(KINDS))}
        outcome: dict[str, list[tuple[float, int, float]]] = {
            "skill loop (8 s)": [],
            "adaptive": [],
            "adaptive, first job": [],
            "adaptive, learnt": [],
            "adaptive, never learns": [],
        }
        for round_number in range(args.rounds):
            threads, fresh = [], {n: [] for n in range(len(KINDS))}  # type: ignore[var-annotated]
            for n, emu in enumerate(emulators):
                threads.append(
                    threading.Thread(
                        target=run_job, args=(emu.base_url, None, 8.0 * scale, outcome["skill loop (8 s)"])
                    )
                )
                schedule = schedule_from_history(list(reversed(history[n])), time_scale=scale)
                threads.append(
                    threading.Thread(target=run_job, args=(emu.base_url, schedule, None, fresh[n]))
                )
                cold = schedule_from_history([], time_scale=scale)  # every job as if it were the first
                threads.append(
                    threading.Thread(
                        target=run_job, args=(emu.base_url, cold, None, outcome["adaptive, never learns"])
                    )
                )
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            for n, runs in fresh.items():
                outcome["adaptive"].extend(runs)
                outcome["adaptive, first job" if round_number == 0 else "adaptive, learnt"].extend(runs)
                history[n].extend(run for _, _, run in runs)
    finally:
        for emu in emulators:
            emu.stop()
    print(f"{'strategy':<24} {'jobs':>5} {'mean lag s':>11} {'p95 lag s':>10} {'polls/job':>10}")
    figures = {}
    for name, rows in outcome.items():
        lags = sorted(lag / scale for lag, _, _ in rows)
        polls = statistics.mean(p for _, p, _ in rows)
        p95 = lags[min(len(lags) - 1, int(0.95 * len(lags)))]
        figures[name] = (statistics.mean(lags), p95, polls)
        print(f"{name:<24} {len(rows):>5} {statistics.mean(lags):>11.2f} {p95:>10.2f} {polls:>10.2f}")
    base, ours, learnt = figures["skill loop (8 s)"], figures["adaptive"], figures["adaptive, learnt"]
    cold = figures["adaptive, never learns"]
    print(
        f"polling: mean lag {ours[0]:.2f} s vs {base[0]:.2f} s ({ours[0] / base[0]:.2f}x; learnt "
        f"{learnt[0]:.2f} s, {learnt[0] / base[0]:.2f}x; no history {cold[0]:.2f} s, {cold[0] / base[0]:.2f}x), "
        f"p95 {ours[1]:.2f} s vs {base[1]:.2f} s (learnt {learnt[1]:.2f} s), polls/job {ours[2]:.2f} vs "
        f"{base[2]:.2f} (learnt {learnt[2]:.2f}, no history {cold[2]:.2f})"
    )


if __name__ == "__main__":
    main()
