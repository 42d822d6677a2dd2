"""Output paths cannot escape the output folder: file names made from prompts and from the gateway's answers
(request ids, media URLs like `../../evil.mp4`) are sanitised before they touch the disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faults.harness import Answer, Run, Seen, mp4_bytes, serve
from seedance import Client
from seedance.client import safe_filename
from seedance.jobs.naming import choose_target
from seedance.models import parse_request

HOSTILE_ID = "../../../evil"


def hostile_gateway(base: list[str]) -> Callable[[Seen], Answer]:
    """A gateway whose request id and media URL both try to climb out of the output folder."""

    def respond(seen: Seen) -> Answer:
        if seen.method == "POST":
            return Answer(202, {"request_id": HOSTILE_ID, "status": "QUEUED"})
        if seen.path.endswith(".mp4"):
            return Answer(200, mp4_bytes(), {"Content-Disposition": 'attachment; filename="../../evil.mp4"'})
        return Answer(
            200, {"status": "COMPLETED", "output": {"media_url": [base[0] + "/media/../../evil.mp4"]}}
        )

    return respond


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_names_from_a_hostile_gateway_stay_in_the_folder(tmp_path: Path) -> None:
    """The library names a file after the gateway's request id only through safe_filename: with no path the
    video lands in the current folder, with a folder path inside that folder; `evil.mp4` is written nowhere."""
    work = tmp_path / "a" / "b" / "work"
    (work / "out").mkdir(parents=True)
    base: list[str] = []
    with serve(hostile_gateway(base)) as gateway:
        base.append(gateway.url)
        with Client(api_key="sk-paths-0001", base_url=gateway.url, sleep=lambda s: None) as client:
            into_cwd = client.generate({"prompt": "A cat"}, None)
            into_folder = client.generate({"prompt": "A cat"}, work / "out")
    assert into_cwd.path is not None
    assert into_cwd.path.parent == tmp_path
    assert into_folder.path is not None
    assert into_folder.path.parent == work / "out"
    assert files_under(tmp_path) == {into_cwd.path, into_folder.path}
    assert not list(tmp_path.parent.rglob("evil*"))
    assert into_folder.path.name == safe_filename(f"seedance-{HOSTILE_ID}")


def test_the_cli_keeps_a_hostile_gateways_names_in_the_folder(
    seedance: Callable[..., Run], cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`generate -o FOLDER` and `download ../../../evil` against the hostile gateway save inside the folder."""
    out = tmp_path / "out"
    out.mkdir()
    base: list[str] = []
    with serve(hostile_gateway(base)) as gateway:
        base.append(gateway.url)
        env = {**cli_env, "SEEDANCE_BASE_URL": gateway.url, "PIXAZO_API_KEY": "sk-paths-0002"}
        generated = seedance("generate", "../../etc/passwd", "-o", str(out), "--json", env=env)
        downloaded = seedance("download", HOSTILE_ID, "-o", str(out), "--json", env=env)
    assert generated.code == 0, generated.stderr
    assert downloaded.code == 0, downloaded.stderr
    saved = {Path(generated.json()["file"]), Path(downloaded.json()["file"])}
    assert {p.parent for p in saved} == {out}
    assert files_under(tmp_path) - {p for p in files_under(tmp_path) if "seedance-home" in p.parts} == saved


names = st.text(max_size=80)


@given(names)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a busy CI machine
def test_any_gateway_id_becomes_a_plain_file_name(name: str) -> None:
    """safe_filename never yields a separator, a parent reference, or a hidden or empty name."""
    made = safe_filename(name)
    assert "/" not in made
    assert "\\" not in made
    assert "\x00" not in made
    assert Path(made).name == made
    assert not made.startswith(".")
    assert made.endswith(".mp4")


@given(names)
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_prompt_names_a_file_inside_the_output_folder(tmp_path: Path, name: str) -> None:
    """The default file name made from a prompt always sits directly in the folder given with -o."""
    request = parse_request({"prompt": name if name.strip() else "x"})
    assert choose_target(str(tmp_path), request, None).parent == tmp_path
