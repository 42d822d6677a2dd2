"""What the benchmark scripts share: finding GNU time, which measures a child's own peak memory."""

from __future__ import annotations

import subprocess


def gnu_time() -> str | None:
    """/usr/bin/time if it is GNU time (BSD's and BusyBox's lack `-o` and `%M`), else None.

    A child forked straight from a benchmark would report the benchmark's own resident set at the fork as
    its peak (through `os.wait4`); under GNU time it is forked from a small process instead.
    """
    try:
        version = subprocess.run(["/usr/bin/time", "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return "/usr/bin/time" if "GNU" in version.stdout + version.stderr else None
