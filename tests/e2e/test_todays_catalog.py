"""Issue 18's bar: the 9 operations of Seedance 2.5 and 2.0 Mini through the CLI against the emulator with the
reference's bodies; refusals before paying; an extension joined into one playable MP4; a user's own row."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contract import reference as ref

from .conftest import Media, Run, probe

FLAGS = {"first_frame": "--first-frame", "last_frame": "--last-frame", "edit_video": "--edit",
         "extend_video": "--extend", "duration": "--duration", "ratio": "--ratio",
         "resolution": "--resolution"}  # fmt: skip
LISTS = {"ref_images": "--ref-image", "ref_videos": "--ref-video", "ref_audios": "--ref-audio"}


def cli_args(model: str, fields: dict[str, Any]) -> list[str]:
    """The `seedance generate` arguments that ask for the request `fields`."""
    args = [fields["prompt"], "-m", model]
    for name, value in fields.items():
        if name in FLAGS:
            args += [FLAGS[name], str(value)]
        elif name in LISTS:
            for item in value:
                args += [LISTS[name], item]
        elif name == "generate_audio":
            args.append("--audio" if value else "--no-audio")
    return args


@pytest.fixture
def run_cli(
    emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Run]:
    """Run `seedance ARGS` in this process (the real entry point and error handling) against the emulator."""
    from seedance.cli.main import main

    emulator.configure(job_seconds=0.05, fps=4)
    monkeypatch.setenv("SEEDANCE_BASE_URL", emulator.base_url)
    monkeypatch.setenv("PIXAZO_API_KEY", emulator.api_key)
    monkeypatch.setenv("SEEDANCE_POLL_INTERVAL", "0.02")

    def run(*args: str) -> Run:
        capsys.readouterr()
        with pytest.raises(SystemExit) as done:
            main(list(args))
        out, err = capsys.readouterr()
        return Run(int(done.value.code or 0), out, err)

    return run


@pytest.mark.parametrize("key", ref.NEW_OPERATIONS, ids="/".join)
def test_new_operation_end_to_end_with_the_reference_body(
    key: tuple[str, str], run_cli: Callable[..., Run], emulator: Any, tmp_path: Path
) -> None:
    """Exit 0; one submit, at the reference's path, with exactly its sample body; a playable MP4 of the
    requested length at -o."""
    model, _ = key
    fields, body = ref.SAMPLES[key]
    target = tmp_path / "out.mp4"
    run = run_cli("generate", *cli_args(model, fields), "-o", str(target), "--json")
    assert run.code == 0, run.stderr
    (submit,) = [r for r in emulator.requests if r.route == "submit"]
    assert (submit.path, submit.json) == (ref.PATHS[key], body)
    assert run.json()["file"] == str(target)
    seconds, _, _ = probe(target)
    assert abs(seconds - fields["duration"]) < 0.3


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-m", "2.0-mini", "--duration", "20"], "Seedance 2.0 Mini takes 4-15 seconds"),
        (["-m", "2.5", "--duration", "31"], "Seedance 2.5 takes 4-30 seconds"),
        (["-m", "2.0", "--extend", ref.VID], "model 2.0 does not offer extend"),
        (["-m", "1.0-lite", "--first-frame", ref.IMG, "--last-frame", ref.IMG2], "retired by the gateway on 2026-07-29"),
        (["-m", "2.5", "--extend", ref.VID, "--ratio", "16:9"], "leave the ratio out"),
    ],
)  # fmt: skip
def test_refused_before_paying(
    args: list[str], words: str, run_cli: Callable[..., Run], emulator: Any, tmp_path: Path
) -> None:
    """Exit 2, one line saying what to change, nothing sent to the gateway, no file."""
    run = run_cli("generate", "A cat", *args, "-o", str(tmp_path / "x.mp4"))
    assert run.code == 2
    first = run.stderr.splitlines()[0]
    assert first.startswith("error: ")
    assert words in first
    assert emulator.requests == []
    assert not (tmp_path / "x.mp4").exists()


def test_retired_model_is_refused_by_the_real_process_too(
    seedance: Callable[..., Run], emulator: Any
) -> None:
    """The installed command: exit 2 and the line naming the date and what to use instead."""
    run = seedance("generate", "Morph", "-m", "1.0-lite", "--first-frame", ref.IMG, "--last-frame", ref.IMG2)
    assert run.code == 2
    assert (
        "Seedance 1.0 Lite was retired by the gateway on 2026-07-29; "
        "use -m 2.0-mini --first-frame A --last-frame B instead" in run.stderr
    )
    assert emulator.requests == []


def test_extend_and_join_writes_one_playable_video_of_both_lengths(
    run_cli: Callable[..., Run], emulator: Any, media: Media, tmp_path: Path
) -> None:
    """`--extend clip.mp4 --join -o long.mp4`: long.mp4 lasts the clip plus the new segment, the bare segment
    stays beside it; extending that job by its id (chaining) joins the next segment onto long.mp4."""
    long = tmp_path / "long.mp4"
    run = run_cli("generate", "It flies away", "--extend", str(media.mp4), "-m", "2.5", "--duration", "4",
                  "--resolution", "480p", "--join", "-o", str(long), "--json")  # fmt: skip
    assert run.code == 0, run.stderr
    (submit,) = emulator.submits
    assert submit.path == ref.PATHS[("2.5", "extend")]
    assert [item["type"] for item in submit.json["content"]] == ["text", "video_url"]
    assert submit.json["content"][1]["video_url"]["url"].startswith("data:video/mp4;base64,")
    source, segment = probe(media.mp4)[0], probe(tmp_path / "long.segment.mp4")[0]
    assert abs(segment - 4) < 0.3
    assert abs(probe(long)[0] - (source + segment)) < 0.3
    result = run.json()
    assert (result["joined_file"], result["file"]) == (str(long), str(tmp_path / "long.segment.mp4"))

    longer = tmp_path / "longer.mp4"
    again = run_cli("generate", "It lands", "--extend", result["request_id"], "-m", "2.5", "--duration", "4",
                    "--resolution", "480p", "--join", "-o", str(longer), "--json")  # fmt: skip
    assert again.code == 0, again.stderr
    assert again.json()["joined_from"] == str(long)
    assert abs(probe(longer)[0] - (source + 8)) < 0.4


def test_join_without_extend_and_unknown_job_are_refused(run_cli: Callable[..., Run], emulator: Any) -> None:
    """--join alone, or --extend naming neither a file, a URL nor a job: exit 2, nothing sent."""
    assert run_cli("generate", "x", "-m", "2.5", "--join").code == 2
    run = run_cli("generate", "x", "-m", "2.5", "--extend", "no-such-job")
    assert run.code == 2
    assert "not a file, a URL or the id of a job" in run.stderr
    assert emulator.requests == []


USER_ROWS = [
    {"row": "model", "name": "9.9-test", "title": "Seedance 9.9 Test", "api_id": "seedance-9-9",
     "request_prefix": "seedance-9-9", "resolutions": ["480p"], "default_resolution": "480p", "min_duration": 2,
     "max_duration": 6, "default_duration": 3, "auto_duration": False, "default_ratio": "1:1", "has_audio": False},
    {"row": "operation", "model": "9.9-test", "kind": "text-to-video", "operation_id": "t2v",
     "path": "/seedance-9-9/v1/text-to-video", "body_style": "content", "ratios": ["1:1", "16:9"],
     "inputs": {"prompt": "required"}},
    {"row": "model", "name": "2.0-mini", "max_duration": 12},
]  # fmt: skip


@pytest.fixture
def user_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user catalog file adding a made-up model and correcting a limit, named by $SEEDANCE_CATALOG."""
    path = tmp_path / "catalog.jsonl"
    path.write_text("# my rows\n" + "\n".join(json.dumps(row) for row in USER_ROWS) + "\n")
    monkeypatch.setenv("SEEDANCE_CATALOG", str(path))
    return path


@pytest.fixture
def told_emulator(user_catalog: Path) -> Iterator[Any]:
    """An emulator of its own, told about the user's rows (`catalog_file`)."""
    from seedance.emulator import EmulatorOptions, start

    with start(EmulatorOptions(api_key="k", job_seconds=0.05, fps=4, catalog_file=user_catalog)) as running:
        yield running


def test_a_user_row_adds_a_model_that_works_end_to_end(
    told_emulator: Any, user_catalog: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A made-up model from the user's file: listed as the user's row, its limits checked before sending,
    and a video made through an emulator that knows the row; the corrected Mini limit applies."""
    from cli_inprocess import run_seedance_here as run_seedance

    env = {**cli_env, "SEEDANCE_CATALOG": str(user_catalog), "SEEDANCE_BASE_URL": told_emulator.base_url,
           "PIXAZO_API_KEY": "k"}  # fmt: skip
    listed = json.loads(run_seedance(["models", "--json"], env).stdout)
    (row,) = [op for op in listed["operations"] if op["model"] == "9.9-test"]
    assert (row["source"], row["price"]) == (str(user_catalog), None)
    assert "your row" in run_seedance(["models"], env).stdout
    too_long = run_seedance(["generate", "A cube", "-m", "9.9-test", "--duration", "7"], env)
    assert (too_long.returncode, told_emulator.handle.requests) == (2, [])
    mini = run_seedance(["generate", "A cube", "-m", "2.0-mini", "--duration", "13"], env)
    assert mini.returncode == 2
    assert "4-12 seconds" in mini.stderr
    target = tmp_path / "cube.mp4"
    made = run_seedance(["generate", "A cube", "-m", "9.9-test", "--ratio", "16:9", "-o", str(target)], env)
    assert made.returncode == 0, made.stderr
    (submit,) = told_emulator.handle.submits
    assert (submit.path, submit.json) == ("/seedance-9-9/v1/text-to-video", {"content": [ref.text("A cube")], "ratio": "16:9"})  # fmt: skip
    seconds, width, height = probe(target)
    assert (round(seconds), width, height) == (3, 852, 480)


def test_a_bad_user_row_is_one_line_naming_it(user_catalog: Path, cli_env: dict[str, str]) -> None:
    """A typo in the user's file: exit 2, one line with the file and line number, for every command."""
    from cli_inprocess import run_seedance_here as run_seedance

    user_catalog.write_text(
        user_catalog.read_text() + '{"row": "model", "name": "2.5", "max_durration": 40}\n'
    )
    env = {**cli_env, "SEEDANCE_CATALOG": str(user_catalog)}
    for args in (["models"], ["generate", "x", "--dry-run"]):
        run = run_seedance(args, env)
        assert run.returncode == 2, run.stderr
        assert f"{user_catalog} line 5: 'max_durration' is not a field of a model row" in run.stderr
        assert "Traceback" not in run.stderr


def test_old_journal_rows_of_the_retired_model_still_list_and_show(run_cli: Callable[..., Run]) -> None:
    """A 1.0 Lite job paid for before the retirement stays readable: `jobs` and `jobs show` know it."""
    from seedance.journal import Journal

    journal = Journal()
    local_id = journal.record_submission(
        operation="1.0-lite/first-last-frame", model="1.0-lite", prompt="Morph", body={"model": "x"},
        settings={"prompt": "Morph", "model": "1.0-lite", "first_frame": ref.IMG, "last_frame": ref.IMG2},
    )  # fmt: skip
    journal.mark_submitted(local_id, request_id="byteplus_old", polling_url=None, attempts=1, warnings=[])
    listed = run_cli("jobs", "--json")
    assert listed.code == 0, listed.stderr
    assert "byteplus_old" in listed.stdout
    shown = run_cli("jobs", "show", local_id, "--json")
    assert shown.code == 0, shown.stderr
    assert "1.0-lite/first-last-frame" in shown.stdout


def test_models_shows_each_price_with_its_source_and_the_retired_row(
    run_cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """19 served and 1 retired; published prices say Pixazo, unpublished ones say so, the user's file wins."""
    home = tmp_path / "prices-home"
    home.mkdir()
    (home / "prices.json").write_text(json.dumps({"2.5/extend": {"unit": "second", "usd": 0.4}}))
    monkeypatch.setenv("SEEDANCE_HOME", str(home))
    run = run_cli("models")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "19 operations served, 1 retired." in lines

    def row(model: str, operation: str) -> str:
        (found,) = [line for line in lines if line.split()[:2] == [model, operation]]
        return found

    assert "$0.29/s (Pixazo)" in row("2.0", "edit")
    assert "price unknown (unpublished)" in row("2.0-mini", "reference")
    assert "$0.40/s (your prices.json)" in row("2.5", "extend")
    assert "ratio adaptive" in row("2.5", "extend")
    assert "RETIRED 2026-07-29: use -m 2.0-mini --first-frame A --last-frame B" in row(
        "1.0-lite", "first-last-frame"
    )
