"""Which journal a command uses: `--journal`, then $SEEDANCE_JOURNAL, then `journal` in config.toml, then
jobs.db in the user's folder; and a journal that cannot be used is one line that names it (never the
server's password)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_inprocess import run_seedance_here
from seedance.journal import Journal

SMALL = ["--duration", "4", "--resolution", "480p", "--emulator", "--json"]


def made_in(location: str | Path) -> list[str]:
    return [r.prompt or "" for r in Journal(location).jobs()]


def test_the_option_beats_the_variable_which_beats_the_setting(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    home = Path(cli_env["SEEDANCE_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'journal = "{tmp_path / "set.db"}"\n', encoding="utf-8")
    by_setting = run_seedance_here(["generate", "A set fox", *SMALL, "-o", "a.mp4"], cli_env)
    env = {**cli_env, "SEEDANCE_JOURNAL": str(tmp_path / "env.db")}
    by_env = run_seedance_here(["generate", "An env fox", *SMALL, "-o", "b.mp4"], env)
    flag = ["--journal", str(tmp_path / "flag.db"), "generate", "A flag fox", *SMALL, "-o", "c.mp4"]
    by_flag = run_seedance_here(flag, env)
    assert [by_setting.returncode, by_env.returncode, by_flag.returncode] == [0, 0, 0], by_flag.stderr
    assert made_in(tmp_path / "set.db") == ["A set fox"]
    assert made_in(tmp_path / "env.db") == ["An env fox"]
    assert made_in(tmp_path / "flag.db") == ["A flag fox"]
    assert not (home / "jobs.db").exists()
    listed = run_seedance_here(["--journal", str(tmp_path / "flag.db"), "jobs", "--json"], env)
    assert [job["prompt"] for job in json.loads(listed.stdout)["jobs"]] == ["A flag fox"]


def test_a_journal_that_cannot_be_used_is_one_line_without_the_password(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A server that does not answer: exit 2, the URL shown with *** for the password, nothing sent."""
    url = "postgresql://team:s3cret-pass@127.0.0.1:9/seedance?connect_timeout=2"
    done = run_seedance_here(["--journal", url, "generate", "A fox", *SMALL[:-1], "-o", "x.mp4"], cli_env)
    assert done.returncode == 2, done.stderr
    assert "s3cret-pass" not in done.stderr + done.stdout
    assert "postgresql://team:***@127.0.0.1:9/seedance" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.mp4").exists()
    home = Path(cli_env["SEEDANCE_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("journal = [unclosed\n", encoding="utf-8")
    bad = run_seedance_here(["jobs"], cli_env)
    assert bad.returncode == 2
    assert "config.toml is not TOML" in bad.stderr
