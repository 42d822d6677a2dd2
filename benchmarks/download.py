"""Download throughput and peak memory: a 200 MB result over loopback, ours against `curl -o`.

One emulator (its result padded to the size asked with an MP4 `free` box) serves the same finished job to
every contender; each download runs in its own child process, one after another, alternating contenders
so that machine load hits all alike. Contenders:

- `curl -o`: the reference, timed by curl itself (`time_total`);
- `Client.download`: the library, timed inside the child around the call (the job is already known to be
  done, so this is the transfer: stream, hash, write, fsync, checks, atomic rename);
- `seedance download`: the CLI, wall time of the whole process (start-up, one status call, the transfer).

Peak RSS is each child's own high-water mark (`os.wait4` rusage, the kernel's figure), so the parent's
memory is never counted. The CPU column is the child's user + system time: if loopback is bound by the
emulator's own speed, it still shows what each client spends per byte.

Run: .venv/bin/python benchmarks/download.py [--size-mb 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import gnu_time  # benchmarks/common.py (scripts run from their folder)

from seedance.emulator import EmulatorOptions, start

KEY = "bench-key-000000"
BODY = {"content": [{"type": "text", "text": "download benchmark"}], "duration": 4, "resolution": "480p"}
PATH = "/seedance-2-0/v1/text-to-video"

GNU_TIME = gnu_time()

LIBRARY_CHILD = f"""
import json, sys, time
from seedance import Client
base_url, request_id, target = sys.argv[1:4]
with Client(base_url=base_url, api_key="{KEY}") as client:
    result = client.wait(request_id, timeout=30)  # one status call: the job is done
    start = time.perf_counter()
    saved = client.download(result, target)
    seconds = time.perf_counter() - start
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"seconds": seconds, "size": saved.size_bytes, "vmhwm_kb": int(hwm.split()[1])}}))
"""

HTTPX_CHILD = """
import hashlib, json, os, sys, time, httpx
url, target = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
with httpx.Client() as http:
    start = time.perf_counter()
    with http.stream("GET", url, headers={"Accept-Encoding": "identity"}) as resp:
        if target is None:
            size = sum(len(chunk) for chunk in resp.iter_raw())
        else:  # the bare minimum of what a durable, hashed download does: one loop, no checks
            digest, size = hashlib.sha256(), 0
            with open(target, "wb") as fh:
                for chunk in resp.iter_raw():
                    fh.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "size": size}))
"""

CONTENDERS = {
    "curl -o": "curl's time_total",
    "curl -o, then fsync": "plus `sync FILE` (the durability our download pays for)",
    "httpx stream, no file": "httpx iter_raw, bytes dropped (the ceiling for any httpx client)",
    "httpx + write + sha256 + fsync": "a bare loop doing what a durable, hashed download must (its floor)",
    "Client.download": "the call, timed inside the child",
    "seedance download (CLI)": "whole process",
}


def finished_job(base_url: str) -> str:
    """Submit one job to the emulator and wait until it is done; return its request id."""
    headers = {"Ocp-Apim-Subscription-Key": KEY}
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as http:
        request_id = http.post(PATH, json=BODY).raise_for_status().json()["request_id"]
        while True:
            status = http.get(f"/v2/requests/status/{request_id}").raise_for_status().json()
            if status["status"] == "COMPLETED":
                return str(request_id)
            if status["status"] in ("FAILED", "ERROR"):
                raise SystemExit(f"the benchmark job failed: {status}")
            time.sleep(0.2)


def media_url(base_url: str, request_id: str) -> str:
    """A result URL of the finished job (each status call hands out a fresh one); it needs no key."""
    headers = {"Ocp-Apim-Subscription-Key": KEY}
    status = httpx.get(f"{base_url}/v2/requests/status/{request_id}", headers=headers, timeout=30)
    return str(status.json()["output"]["media_url"][0])


def run_child(argv: list[str], env: dict[str, str]) -> tuple[str, float, float, float]:
    """Run one child to its end; return (its stdout, wall seconds, peak RSS in MB, CPU seconds).

    The child runs under GNU time when there is one: a child forked straight from this (large) process
    would report this process's RSS at the fork as its own peak. Without it, `os.wait4` gives that figure.
    """
    with tempfile.NamedTemporaryFile() as out, tempfile.NamedTemporaryFile("r") as stats:
        wrapped = [GNU_TIME, "-f", "%M %U %S", "-o", stats.name, *argv] if GNU_TIME else argv
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, env=env, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {stderr.strip()}")
        if GNU_TIME:
            peak_kb, user, system = stats.read().split()[-3:]
            rss, cpu = int(peak_kb) / 1024, float(user) + float(system)
        else:
            rss, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        out.seek(0)
        return out.read().decode(), wall, rss, cpu


def main() -> None:
    """Run the contenders in turn and print the table and the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    size = args.size_mb * 1000 * 1000
    curl = shutil.which("curl")
    if curl is None:
        raise SystemExit("curl is not on PATH; install it to compare against it")
    work = Path(tempfile.mkdtemp(prefix="seedance-bench-dl-"))
    emulator = start(
        EmulatorOptions(api_key=KEY, job_seconds=0.2, min_result_bytes=size, cache_dir=work / "cache")
    )
    env = {**os.environ, "HOME": str(work), "SEEDANCE_HOME": str(work), "PIXAZO_API_KEY": KEY}
    env.pop(
        "PYTHONDONTWRITEBYTECODE", None
    )  # start-up as after an install: bytecode cached (outside the tree)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pyc")
    script = shutil.which("seedance", path=os.path.dirname(sys.executable)) or "seedance"
    rows: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in CONTENDERS}
    target = work / "out.mp4"
    try:
        request_id = finished_job(emulator.base_url)
        for _ in range(args.runs):
            url = media_url(emulator.base_url, request_id)
            out, wall, rss, cpu = run_child(
                [curl, "-sS", "-o", str(target), "-w", "%{time_total} %{size_download}", url], env
            )
            seconds, got = float(out.split()[0]), int(out.split()[1])
            assert got >= size, f"curl got {got} bytes"
            rows["curl -o"].append((seconds, wall, rss, cpu))
            synced = time.perf_counter()
            subprocess.run(["sync", str(target)], check=True)  # what our fsync before the rename costs curl
            rows["curl -o, then fsync"].append((seconds + time.perf_counter() - synced, wall, rss, cpu))
            target.unlink()
            out, wall, rss, cpu = run_child([sys.executable, "-c", HTTPX_CHILD, url], env)
            figures = json.loads(out)
            assert figures["size"] >= size, f"httpx read {figures['size']} bytes"
            rows["httpx stream, no file"].append((figures["seconds"], wall, rss, cpu))
            out, wall, rss, cpu = run_child([sys.executable, "-c", HTTPX_CHILD, url, str(target)], env)
            figures = json.loads(out)
            assert figures["size"] >= size, f"the bare loop saved {figures['size']} bytes"
            rows["httpx + write + sha256 + fsync"].append((figures["seconds"], wall, rss, cpu))
            target.unlink()
            out, wall, rss, cpu = run_child(
                [sys.executable, "-c", LIBRARY_CHILD, emulator.base_url, request_id, str(target)], env
            )
            figures = json.loads(out)
            assert figures["size"] >= size, f"the library saved {figures['size']} bytes"
            rows["Client.download"].append((figures["seconds"], wall, rss, cpu))
            target.unlink()
            argv = [
                script,
                "download",
                request_id,
                "-o",
                str(target),
                "--json",
                "--base-url",
                emulator.base_url,
            ]
            out, wall, rss, cpu = run_child(argv, env)
            assert target.stat().st_size >= size
            rows["seedance download (CLI)"].append((wall, wall, rss, cpu))
            target.unlink()
    finally:
        emulator.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(rows, size, args.runs)


def report(rows: dict[str, list[tuple[float, float, float, float]]], size: int, runs: int) -> None:
    """Print the table (medians; peak RSS is the largest seen) and the final line of figures."""
    mb = size / 1e6
    print(f"{mb:.0f} MB over loopback, median of {runs} runs each. Transfer time:")
    for name, meaning in CONTENDERS.items():
        print(f"  {name}: {meaning}")
    print(
        f"{'contender':<26} {'transfer s':>10} {'MB/s':>7} {'vs curl':>8} {'wall s':>7} {'peak RSS MB':>12} {'CPU s':>6}"
    )
    curl_seconds = statistics.median(sample[0] for sample in rows["curl -o"])
    rate, peak = {}, {}
    for name, samples in rows.items():
        seconds, wall, _, cpu = (statistics.median(column) for column in zip(*samples, strict=True))
        rate[name], peak[name] = mb / seconds, max(sample[2] for sample in samples)
        print(
            f"{name:<26} {seconds:>10.3f} {mb / seconds:>7.0f} {curl_seconds / seconds:>8.0%} {wall:>7.3f}"
            f" {peak[name]:>12.1f} {cpu:>6.2f}"
        )
    if not GNU_TIME:
        print("(no /usr/bin/time: peak RSS includes this process's own size at each fork)")
    curl_rate = rate["curl -o"]
    print(
        f"download: Client.download {rate['Client.download']:.0f} MB/s = "
        f"{rate['Client.download'] / curl_rate:.0%} of curl -o ({curl_rate:.0f} MB/s), "
        f"{rate['Client.download'] / rate['curl -o, then fsync']:.0%} of curl + fsync, "
        f"{rate['Client.download'] / rate['httpx + write + sha256 + fsync']:.0%} of the bare durable loop, httpx alone "
        f"{rate['httpx stream, no file'] / curl_rate:.0%}; CLI incl. start-up {rate['seedance download (CLI)'] / curl_rate:.0%}; "
        f"peak RSS {peak['Client.download']:.1f} MB library, {peak['seedance download (CLI)']:.1f} MB CLI"
    )


if __name__ == "__main__":
    main()
