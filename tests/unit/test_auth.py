"""Key resolution follows the skill: flag, PIXAZO_API_KEY, ~/.pixazo/api-key, then ask once and save it 600."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

import pytest

from seedance import auth
from seedance.errors import KEY_PROMPT, InputError, KeyMissingError


def write_key_file(home: Path, key: str, mode: int = 0o600) -> Path:
    path = home / ".pixazo" / "api-key"
    path.parent.mkdir(mode=0o700)
    path.write_text(key + "\n")
    path.chmod(mode)
    return path


def test_key_order_is_flag_then_env_then_file(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each source is used only when the ones before it are empty."""
    write_key_file(isolated_env, "file-key-0001")
    assert auth.resolve_key(None, interactive=False).source == "file"
    monkeypatch.setenv("PIXAZO_API_KEY", "env-key-0002")
    assert auth.resolve_key(None, interactive=False).key == "env-key-0002"
    assert auth.resolve_key("flag-key-0003", interactive=False).key == "flag-key-0003"


def test_no_key_without_a_terminal_fails_with_the_skill_sentence() -> None:
    """Without a terminal nothing is asked: KeyMissingError carries the verbatim sentence, exit 3."""
    with pytest.raises(KeyMissingError) as caught:
        auth.resolve_key(None, interactive=False)
    assert caught.value.message == KEY_PROMPT
    assert caught.value.exit_code == 3


def test_asks_once_saves_600_in_a_700_folder_and_never_asks_again(isolated_env: Path) -> None:
    """The sentence is said verbatim, the answer saved with safe modes, and the next call reads the file."""
    said: list[str] = []
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return "  pasted-key-0004\n"

    found = auth.resolve_key(None, interactive=True, ask=ask, say=said.append)
    path = isolated_env / ".pixazo" / "api-key"
    assert said == [
        KEY_PROMPT,
        f"saved the key to {path} (only you can read it); seedance will not ask again",
    ]
    assert found.key == "pasted-key-0004"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text() == "pasted-key-0004\n"
    again = auth.resolve_key(None, interactive=True, ask=ask, say=said.append)
    assert again.source == "file"
    assert len(asked) == 1


_WATCHED: list[Path | None] = []
"""The folder the audit hook watches while a test saves a key (empty: the hook does nothing)."""
_MODES_SEEN: list[tuple[str, str, int]] = []


def _watch_key_folder(event: str, args: tuple[object, ...]) -> None:
    # At every audited operation (an open, the rename, a chmod: each raised before it happens), note the
    # mode of every file in the key folder. A file written then chmod-ed shows its loose mode here.
    if not _WATCHED or _WATCHED[-1] is None:  # idle, or inside our own scandir (itself an audited event)
        return
    folder = _WATCHED[-1]
    _WATCHED.append(None)
    try:
        for entry in os.scandir(folder):
            with contextlib.suppress(FileNotFoundError):
                _MODES_SEEN.append(
                    (event, entry.name, stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode))
                )
    finally:
        _WATCHED.pop()


sys.addaudithook(_watch_key_folder)  # a hook cannot be removed: it stays idle outside the test below


def test_key_file_is_never_world_readable_even_briefly(isolated_env: Path) -> None:
    """Under a permissive umask, at every audited step of saving (the temporary file's creation, its
    rename into place), every file in the key folder is already 600: never readable by others, even for
    the moment between a write and a chmod."""
    folder = isolated_env / ".pixazo"
    folder.mkdir(mode=0o700)
    old = os.umask(0)
    _WATCHED.append(folder)
    try:
        path = auth.save_key("umask-key-0005")
    finally:
        _WATCHED.clear()
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert any(event == "os.rename" for event, _, _ in _MODES_SEEN), _MODES_SEEN  # the file was watched
    assert {mode for _, _, mode in _MODES_SEEN} == {0o600}, _MODES_SEEN


def test_a_symlinked_key_file_is_refused(isolated_env: Path, tmp_path: Path) -> None:
    """A key file that is a symlink (e.g. to another user's file) is neither read nor written through."""
    target = tmp_path / "elsewhere"
    target.write_text("stolen-key-0006\n")
    link = isolated_env / ".pixazo" / "api-key"
    link.parent.mkdir()
    link.symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        auth.resolve_key(None, interactive=False)
    with pytest.raises(InputError, match="symbolic link"):
        auth.save_key("new-key-0007")
    assert target.read_text() == "stolen-key-0006\n"


def test_a_key_file_readable_by_others_warns(isolated_env: Path) -> None:
    """A 644 key file still works, with a warning that says how to fix it."""
    write_key_file(isolated_env, "loose-key-0008", mode=0o644)
    with pytest.warns(auth.KeyFileWarning, match="chmod 600"):
        assert auth.resolve_key(None, interactive=False).key == "loose-key-0008"


BAD_PASTES = ["", "   ", "two words", "a\tb", "true", "null", "YOUR_API_KEY", "<paste-key-here>", "xxxxxxxxxx",
              "PIXAZO_API_KEY=k123456789", "https://api-console.pixazo.ai/api_keys", "abc"]  # fmt: skip


@pytest.mark.parametrize("bad", BAD_PASTES)
def test_pasted_garbage_is_not_saved(isolated_env: Path, bad: str) -> None:
    """An empty, spaced, placeholder, URL, NAME=value or too short answer is refused, and no key file is
    left behind."""
    with pytest.raises(InputError):
        auth.save_key(bad)
    assert not (isolated_env / ".pixazo" / "api-key").exists()


def test_garbage_never_replaces_a_saved_key(isolated_env: Path) -> None:
    auth.save_key("good-key-0123456789")
    for bad in BAD_PASTES:
        with pytest.raises(InputError):
            auth.save_key(bad)
    assert auth.resolve_key(None, interactive=False).key == "good-key-0123456789"


def test_resolved_key_repr_hides_the_key() -> None:
    """The key never shows in a repr; masked() shows only its last four characters."""
    found = auth.ResolvedKey("sk-very-secret-123456", "env")
    assert "secret" not in repr(found)
    assert found.masked() == "***3456"


def test_a_file_where_the_key_folder_should_be_is_one_line_with_the_fix(isolated_env: Path) -> None:
    """~/.pixazo is a file: saving the key says which path is in the way (not a bare FileExistsError)."""
    (isolated_env / ".pixazo").write_text("not a folder")
    with pytest.raises(InputError, match=r"cannot make the key folder .*\.pixazo") as caught:
        auth.save_key("pk-0123456789abcdef")
    assert "out of the way" in caught.value.remedy


def test_an_agent_is_told_what_is_wrong_with_an_unreadable_key_file(isolated_env: Path) -> None:
    """The key file is a folder: account_setup_instructions names the problem and its fix, besides the
    sentence to relay (before, `problem` was null and the agent could only relay the sentence)."""
    import asyncio

    from seedance.agents.safety import Sandbox
    from seedance.agents.tools import AgentTools, Gateway

    (isolated_env / ".pixazo" / "api-key").mkdir(parents=True)
    tools = AgentTools(Gateway(), Sandbox.create((), None))
    data = asyncio.run(tools.account_setup_instructions())
    assert data["has_key"] is False
    assert "not a regular file" in data["problem"]
    assert "rm -r" in data["fix"]
    assert data["say_to_user"] == KEY_PROMPT


def test_a_base64_key_with_padding_is_saved(isolated_env: Path) -> None:
    """`...xyz==` is base64 padding, not a NAME=value setting."""
    auth.save_key("AbC123xyz0Q==")
    assert auth.resolve_key(None, interactive=False).key == "AbC123xyz0Q=="
