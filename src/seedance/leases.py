"""Who follows a job now, and whether that process still lives.

Every journal row names the process following it (`follower`: host and pid). On one machine a pid says
whether it lives. Across machines (a shared journal) it cannot: the follower holds a lease that a heartbeat
thread renews every `RENEW_EVERY` seconds; a lease not renewed for `LEASE_SECONDS` is the mark of a dead
process, and another machine may take the job over. A clean exit gives its leases back at once.
Times are wall-clock UTC (ISO text): machines of a team keep their clocks in sync to well under the lease.
"""

from __future__ import annotations

import atexit
import getpass
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seedance.job_record import JobRecord
    from seedance.journal import Journal

LEASE_SECONDS = 90.0
RENEW_EVERY = 20.0


@dataclass(frozen=True)
class Me:
    """This process as the journal names it."""

    user: str
    host: str
    pid: int

    @property
    def follower(self) -> str:
        return f"{self.host}:{self.pid}"


def me() -> Me:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return Me(user=user, host=socket.gethostname(), pid=os.getpid())


def now_iso(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).isoformat(timespec="milliseconds")


def lease_until(now: datetime | None = None) -> str:
    return now_iso((now or datetime.now(UTC)) + timedelta(seconds=LEASE_SECONDS))


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (ours always does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_followed(record: JobRecord, now: datetime | None = None) -> bool:
    """Whether a live process follows the job: by its pid on this machine, by its lease elsewhere."""
    if record.follower is None:  # nobody (let go); or a row from before followers: its pid is on this machine
        return record.host is None and record.pid is not None and pid_alive(record.pid)
    host, _, pid = record.follower.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return pid_alive(int(pid))
    return record.lease_until is not None and record.lease_until > now_iso(now)


def following(record: JobRecord) -> str:
    """The process following a job, in words (`process 123 on this machine`, `process 9 on render-02`)."""
    host, _, pid = (record.follower or "").rpartition(":")
    if not host:
        return f"process {record.pid} on this machine"
    return f"process {pid} on " + ("this machine" if host == socket.gethostname() else host)


def submitter_alive(record: JobRecord) -> bool:
    """Whether the process that submitted the job still runs (only knowable on its own machine)."""
    here = record.host is None or record.host == socket.gethostname()
    return here and record.pid is not None and pid_alive(record.pid)


class Heartbeat:
    """Renews this process's leases on every shared journal it follows jobs in, until the process ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fresh()

    def _fresh(self) -> None:
        self._journals: dict[str, Journal] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._pid = os.getpid()

    def keep(self, journal: Journal) -> None:
        """Keep this process's leases in `journal` alive (from now until exit)."""
        if not journal.shared:
            return  # one machine: pids say who lives
        with self._lock:
            if self._pid != os.getpid():  # a forked child: its parent's thread is not here
                self._fresh()
            self._journals.setdefault(journal.where, journal)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="seedance-leases", daemon=True)
                self._thread.start()
                atexit.register(self.release)

    def _run(self) -> None:
        while not self._stop.wait(RENEW_EVERY):
            self.renew()

    def renew(self) -> None:
        """One beat: this process's leases run `LEASE_SECONDS` from now."""
        from seedance import journal_leases

        self._each(lambda journal: journal_leases.renew(journal, me().follower, lease_until()))

    def release(self) -> None:
        """Give the leases back (a clean exit): another machine may follow these jobs at once."""
        from seedance import journal_leases

        self._stop.set()
        self._each(lambda journal: journal_leases.let_go(journal, [], me().follower))

    def _each(self, action: Callable[[Journal], None]) -> None:
        for journal in list(self._journals.values()):
            try:
                action(journal)
            except Exception:  # a server gone for a moment: the next beat tries again (or the lease runs out)
                continue


LEASES = Heartbeat()
"""The process's heartbeat."""
