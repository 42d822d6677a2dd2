"""Find the Pixazo API key the way the skill prescribes: flag, PIXAZO_API_KEY, ~/.pixazo/api-key, ask once.

The key file is created with mode 600 from the first byte (`os.open(..., O_CREAT | O_EXCL, 0o600)`, never
write-then-chmod) in a 700 folder; a symlinked key file is refused; a key file others can read is used with a
warning. The key is registered with `errors.register_secret` so no message can show it.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from seedance import errors
from seedance.bounded import KIB, read_file
from seedance.errors import KEY_PROMPT, InputError, KeyMissingError

ENV_VAR = "PIXAZO_API_KEY"
KeySource = Literal["flag", "env", "file", "prompt"]


class KeyFileWarning(UserWarning):
    """The key file can be read by other users of this machine."""


@dataclass(frozen=True)
class ResolvedKey:
    """An API key and where it came from; the key never shows in repr."""

    key: str = field(repr=False)
    source: KeySource
    path: Path | None = None

    def masked(self) -> str:
        """The key as it may be shown: its last four characters only."""
        return "***" + self.key[-4:] if len(self.key) > 12 else "***"


def key_path() -> Path:
    """`~/.pixazo/api-key`, from $HOME (the Pixazo convention fixes this path)."""
    return Path(os.environ.get("HOME") or Path.home()) / ".pixazo" / "api-key"


def clean_key(raw: str) -> str:
    """Strip a pasted key; refuse values that cannot be a key (spaces inside, control characters, empty)."""
    key = raw.strip().strip("'\"").strip()
    # HTTP headers are ASCII: a key with other characters cannot be sent (httpx would fail deep inside).
    if not key or not key.isascii() or any(c.isspace() or ord(c) < 32 for c in key) or len(key) > 512:
        raise InputError(
            "that does not look like an API key (empty, with spaces inside, or not plain ASCII)",
            hint="copy the key again from https://api-console.pixazo.ai/api_keys",
        )
    return key


PLACEHOLDERS = {"null", "none", "true", "false", "undefined", "key", "api_key", "apikey", "your_api_key",
                "your-api-key", "yourapikey", "your_key", "xxx", "changeme", "pixazo_api_key"}  # fmt: skip
MIN_SAVED_KEY_LENGTH = 8


def _check_savable(key: str) -> None:
    """Refuse a value that is plainly not a Pixazo key before it replaces the saved one."""
    fix = "paste only the key itself, copied from https://api-console.pixazo.ai/api_keys"
    lowered = key.lower()
    if "://" in key:
        raise InputError("that is a web address, not an API key", hint=fix)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=[^=].*", key):  # not base64 padding (`...xyz==`)
        raise InputError(f"that is a setting ({key.split('=', 1)[0]}=...), not an API key", hint=fix)
    if lowered in PLACEHOLDERS or (key.startswith("<") and key.endswith(">")) or set(key) <= set("x*.-_"):
        raise InputError("that is a placeholder, not an API key", hint=fix)
    if len(key) < MIN_SAVED_KEY_LENGTH:
        raise InputError(f"that is too short for an API key ({len(key)} characters)", hint=fix)


def read_key_file(path: Path) -> str | None:
    """Return the key stored at `path`, or None when there is no file; refuse a symlink."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        raise InputError(
            f"{path} is a symbolic link; refusing to read a key through it",
            hint=f"replace it with a regular file: rm {path} && seedance auth login",
        )
    remove = f"rm -r {path}" if stat.S_ISDIR(info.st_mode) else f"rm {path}"
    fix = f"write the key in it as plain text, or run: {remove} && seedance auth login"
    if not stat.S_ISREG(info.st_mode):
        raise KeyMissingError(f"cannot read the key file {path}: it is not a regular file", hint=fix)
    if info.st_mode & 0o077:
        warnings.warn(
            f"{path} can be read by other users; run: chmod 600 {path}", KeyFileWarning, stacklevel=3
        )
    try:
        # utf-8-sig drops the byte order mark Windows Notepad writes first; CR/LF go with strip/splitlines.
        text = read_file(path, 64 * KIB, "the key file", follow_symlinks=False).decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise KeyMissingError(f"cannot read the key file {path}: it is not UTF-8 text", hint=fix) from exc
    except InputError as exc:  # unreadable, or far too big to be a key
        raise KeyMissingError(exc.message, hint=fix) from exc
    return clean_key(text.splitlines()[0]) if text else None


def save_key(key: str, path: Path | None = None) -> Path:
    """Save a key to the key file (folder 700, file 600 from creation) and return the path.

    What cannot be a key (a placeholder, a URL, `NAME=value`, a few characters) is refused, so a good saved
    key is never replaced by a slip of the paste.
    """
    key = clean_key(key)
    _check_savable(key)
    path = path or key_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
    except OSError as exc:  # e.g. a file named ~/.pixazo where the folder should be
        raise InputError(
            f"cannot make the key folder {path.parent}: {exc.strerror or exc}",
            hint=f"move what is at {path.parent} out of the way, then save the key again",
        ) from None
    if path.is_symlink():
        raise InputError(
            f"{path} is a symbolic link; refusing to write a key through it",
            hint=f"remove the link (rm {path}), then save the key again",
        )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key + "\n")
        os.replace(tmp, path)
    except OSError as exc:  # e.g. a folder where the key file should be
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"cannot save the key to {path}: {exc.strerror or exc}",
            hint=f"remove what is there: rm -r {path}",
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    errors.register_secret(key)
    return path


def delete_key(path: Path | None = None) -> bool:
    """Remove the key file; return whether there was one."""
    path = path or key_path()
    if path.is_symlink() or path.exists():
        try:
            path.unlink()
        except OSError as exc:  # a folder in its place, or no permission: say so instead of a traceback
            raise InputError(
                f"cannot remove the key file {path}: {exc.strerror or exc}",
                hint=f"remove it by hand: rm -r {path}",
            ) from exc
        return True
    return False


def resolve_key(
    flag: str | None = None,
    *,
    interactive: bool | None = None,
    ask: Callable[[str], str] | None = None,
    say: Callable[[str], None] | None = None,
) -> ResolvedKey:
    """Find the key: flag > PIXAZO_API_KEY > ~/.pixazo/api-key > ask once on a terminal (and save it).

    `interactive` defaults to whether stdin is a terminal. Without one, raise KeyMissingError carrying the
    skill's sentence, so the person (or the agent relaying it) knows exactly what to do.
    """
    if flag:
        resolved = ResolvedKey(clean_key(flag), "flag")
    elif os.environ.get(ENV_VAR, "").strip():
        resolved = ResolvedKey(clean_key(os.environ[ENV_VAR]), "env")
    elif (stored := read_key_file(key_path())) is not None:
        resolved = ResolvedKey(stored, "file", key_path())
    else:
        if interactive is None:
            interactive = sys.stdin.isatty()
        if not interactive:
            raise KeyMissingError(KEY_PROMPT)
        tell = say or (lambda text: print(text, file=sys.stderr))
        tell(KEY_PROMPT)
        answer = (ask or _ask_hidden)("API key: ")
        path = save_key(answer)
        tell(f"saved the key to {path} (only you can read it); seedance will not ask again")
        resolved = ResolvedKey(clean_key(answer), "prompt", path)
    errors.register_secret(resolved.key)
    return resolved


def _ask_hidden(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)
