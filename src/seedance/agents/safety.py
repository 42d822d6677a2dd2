"""What an agent may touch: local media only under the allowed folders, videos written only in the output folder.

An MCP client is a program acting for a person, so the server never reads or writes outside what that person
chose when starting it. Paths are checked after resolving symlinks and `..`, so a link inside an allowed
folder that points elsewhere is refused too.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from seedance.client import safe_filename
from seedance.config import expand_home
from seedance.errors import InputError
from seedance.media import is_url

MEDIA_FIELDS = (
    "first_frame",
    "last_frame",
    "edit_video",
    "extend_video",
    "ref_images",
    "ref_videos",
    "ref_audios",
)
"""The request fields that may name a local file."""


@dataclass(frozen=True)
class Sandbox:
    """The folders an agent's tools may read media from, and the one folder they write videos to."""

    allowed: tuple[Path, ...]
    """Resolved folders whose files (at any depth) may be sent as media."""
    out_dir: Path
    """The resolved folder downloads are written to (never below or beside it)."""

    @classmethod
    def create(cls, allow_dirs: Iterable[str | Path], out_dir: str | Path | None) -> Sandbox:
        """Check and resolve the folders; default both to the working directory. Create the output folder."""
        allowed = tuple(Path(d).expanduser().resolve() for d in allow_dirs) or (Path.cwd().resolve(),)
        for folder in allowed:
            if not folder.is_dir():
                raise InputError(f"--allow-dir {folder}: no such folder")
        out = Path(out_dir).expanduser().resolve() if out_dir else Path.cwd().resolve()
        if out.exists() and not out.is_dir():
            raise InputError(f"--out-dir {out}: exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        return cls(allowed, out)

    def is_allowed(self, path: Path) -> bool:
        """Whether a resolved path lies inside one of the allowed folders."""
        return any(path.is_relative_to(folder) for folder in self.allowed)

    def media(self, value: str, field: str) -> str:
        """A media reference the request may carry: URLs unchanged, local paths resolved and checked."""
        if is_url(value):
            return value
        if "\0" in value:
            raise InputError(f"{field}: a file path cannot contain a NUL character")
        path = expand_home(value)
        try:
            real = (path if path.is_absolute() else self._relative(path)).resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
            raise InputError(f"{field}: {value} cannot be resolved ({exc})") from None
        if not self.is_allowed(real):
            folders = ", ".join(str(f) for f in self.allowed)
            raise InputError(
                f"{field}: {value} is outside the folders this server may read ({folders})",
                hint="copy the file into an allowed folder, pass an https:// URL, or restart the server "
                "with --allow-dir FOLDER",
            )
        return str(real)

    def _relative(self, path: Path) -> Path:
        """A relative path: from the working directory, or else from the first allowed folder that has it
        (an agent told `--allow-dir media` naturally says `a.png` for media/a.png)."""
        here = Path.cwd() / path
        if here.exists():
            return here
        return next((folder / path for folder in self.allowed if (folder / path).exists()), here)

    def check_request_media(self, fields: dict[str, object]) -> dict[str, object]:
        """Return the request fields with every local media path resolved and checked."""
        checked = dict(fields)
        for name in MEDIA_FIELDS:
            value = checked.get(name)
            if isinstance(value, str):
                checked[name] = self.media(value, name)
            elif isinstance(value, list):
                checked[name] = [self.media(str(item), name) for item in value]
        return checked

    def extend_source(self, value: Any) -> str | None:
        """`extend_video`: a URL, a file in the allowed folders, or the id of a job whose video this server
        saved (in its output folder): chaining extensions by id."""
        if not isinstance(value, str) or is_url(value):
            return value if value is None or isinstance(value, str) else str(value)
        with contextlib.suppress(InputError):
            checked = self.media(value, "extend_video")
            if Path(checked).is_file():
                return checked
        from seedance.extension import resolve_source

        real = Path(resolve_source(value, self.out_dir).send).resolve()
        if not (self.is_allowed(real) or real.is_relative_to(self.out_dir)):
            raise InputError(
                f"extend_video: {value} is outside the folders this server may read",
                hint="pass a file in an allowed folder, an https:// URL, or the id of a job saved by this server",
            )
        return str(real)

    def output(self, name: str | None, *, prompt: str | None = None) -> Path:
        """Where a video goes: `name` made safe (no folders), or a fresh stamped name, in the output folder."""
        if name:
            stem = name.strip()
            stem = stem[:-4] if stem.lower().endswith(".mp4") else stem
            if not stem.strip(". "):  # "..", " ", ".mp4": nothing of a name would be left
                raise InputError(
                    f"output: {name!r} is not a usable file name", hint="give a name such as clip.mp4"
                )
            target = self.out_dir / safe_filename(stem)
        else:
            words = "-".join(re.findall(r"[A-Za-z0-9]+", (prompt or "video").lower())[:6])[:60] or "video"
            stamp = f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
            target = self.out_dir / safe_filename(f"seedance-{stamp}-{words}")
        if target.parent != self.out_dir:  # safe_filename cannot make a folder; keep it that way
            raise InputError(f"output: {name!r} is not a plain file name")
        return target

    def check_out_dir(self) -> None:
        """The output folder must take files before a paid job is sent (it may have changed since start)."""
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            usable = self.out_dir.is_dir() and os.access(self.out_dir, os.W_OK | os.X_OK)
            reason = "it is not a writable folder"
        except OSError as exc:
            usable, reason = False, exc.strerror or str(exc)
        if not usable:
            raise InputError(
                f"the output folder {self.out_dir} cannot take the video: {reason}; nothing was sent",
                hint="make it a writable folder again, or restart the server with another --out-dir",
            )

    def recorded_output(self, path: str | None) -> Path | None:
        """A journal's output path, if it lies directly in the output folder (else the agent may not write it)."""
        if not path:
            return None
        target = Path(path).expanduser().absolute()
        return target if target.parent.resolve() == self.out_dir else None
