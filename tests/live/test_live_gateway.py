"""Against the real Pixazo gateway: skipped unless PIXAZO_API_KEY is set and SEEDANCE_LIVE=1 (it needs the
internet and a real key; the paid test spends about $0.20 of credits on one 1.0 Pro video)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cli_process import run_seedance

LIVE_KEY = os.environ.get("PIXAZO_API_KEY") if os.environ.get("SEEDANCE_LIVE") == "1" else None

pytestmark = pytest.mark.skipif(
    not LIVE_KEY, reason="live gateway tests need PIXAZO_API_KEY and SEEDANCE_LIVE=1"
)


def seedance(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIXAZO_API_KEY": LIVE_KEY or ""}
    env.pop("SEEDANCE_BASE_URL", None)
    return run_seedance(list(args), env, timeout=900)


def test_the_real_gateway_accepts_the_key_and_answers_an_unknown_id() -> None:
    """Free: a status check of an id that does not exist is refused by the gateway, not by the key check."""
    run = seedance("status", "seedance-2-0_00000000-0000-0000-0000-000000000000", "--json")
    assert run.returncode not in (0, 3), run.stdout + run.stderr
    assert (LIVE_KEY or "") not in run.stdout + run.stderr


def test_one_real_video_end_to_end(tmp_path: Path) -> None:
    """Paid (about $0.20): one 1.0 Pro text-to-video job, waited for and downloaded as a real MP4."""
    target = tmp_path / "live.mp4"
    run = seedance(
        "generate", "A paper boat on a pond", "-m", "1.0-pro", "--duration", "5", "-o", str(target), "--json"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert target.read_bytes()[4:8] == b"ftyp"
    assert (LIVE_KEY or "") not in run.stdout + run.stderr
