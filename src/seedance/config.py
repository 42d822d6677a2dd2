"""Where things are: the user's seedance folder and the gateway URL, read when a client is made (not at import)."""

from __future__ import annotations

import os
from pathlib import Path

from seedance.catalog import DEFAULT_BASE_URL
from seedance.errors import InputError


def expand_home(value: str | Path) -> Path:
    """`value` as a path with `~` / `~user` expanded; InputError when that home folder cannot be found."""
    try:
        return Path(value).expanduser()
    except RuntimeError:
        head = str(value).split("/")[0]
        raise InputError(
            f"{value}: cannot tell which home folder {head} is", hint="give the path in full"
        ) from None


def seedance_home() -> Path:
    """The folder for user state (journal, prices): $SEEDANCE_HOME, else the platform's user data folder."""
    env = os.environ.get("SEEDANCE_HOME", "").strip()
    if env:
        return expand_home(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("seedance", appauthor=False))


JOURNAL_ENV = "SEEDANCE_JOURNAL"
"""The journal to use: a file path, or a postgresql:// URL a team shares (also `seedance --journal`)."""
SETTINGS_FILE = "config.toml"
"""Settings in the user's seedance folder; `journal = "postgresql://..."` is the one read today."""


def journal_location() -> str | Path:
    """The journal: $SEEDANCE_JOURNAL > the `journal` setting > jobs.db in the user's seedance folder."""
    chosen = os.environ.get(JOURNAL_ENV, "").strip() or str(_setting("journal") or "").strip()
    if not chosen:
        return seedance_home() / "jobs.db"
    if chosen.startswith(("postgresql://", "postgres://")):
        return chosen
    return expand_home(chosen)


def _setting(name: str) -> object:
    """One value of the settings file (None when absent); a file that is not TOML is an InputError."""
    import tomllib

    from seedance.bounded import KIB, read_file

    path = seedance_home() / SETTINGS_FILE
    if not path.is_file():
        return None
    try:
        text = read_file(path, 64 * KIB, "the settings file").decode("utf-8", errors="replace")
        return tomllib.loads(text).get(name)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path} is not TOML: {exc}", hint=f"fix or remove {path}") from None


def base_url(flag: str | None = None) -> str:
    """The gateway URL: flag > $SEEDANCE_BASE_URL > the Pixazo gateway. Must be http(s)."""
    from urllib.parse import urlsplit

    url = (flag or os.environ.get("SEEDANCE_BASE_URL", "").strip() or DEFAULT_BASE_URL).rstrip("/")
    if not url.lower().startswith(("https://", "http://")):
        raise InputError(f"gateway URL {url!r} must start with https:// (or http:// for a local emulator)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError as exc:
        raise InputError(
            f"gateway URL {url!r} is not usable: {exc}", hint="check the --base-url value"
        ) from None
    if not parts.hostname:
        raise InputError(f"gateway URL {url!r} names no host", hint="write it like https://gateway.pixazo.ai")
    if parts.scheme.lower() == "http" and not is_local_gateway(url) and os.environ.get(ALLOW_HTTP_ENV) != "1":
        raise InputError(
            f"gateway URL {url!r} is plain http:// on another machine: the API key would travel unencrypted",
            hint=f"use https://; for an emulator on another machine (a test container), set {ALLOW_HTTP_ENV}=1",
        )
    return url


LOCAL_EMULATOR = "emulator://local"
"""How the journal names the shared local emulator (`--emulator`): one gateway whatever port each command's
emulator has, its jobs kept under the user state folder, free."""

SHARED_EMULATORS: set[str] = set()
"""Base URLs of shared local emulators running inside this process (each is `LOCAL_EMULATOR`)."""

EMULATOR_ENV = "SEEDANCE_EMULATOR"
"""Set to 1 to use the shared local emulator in every command, as `--emulator` does."""


def journal_gateway(url: str) -> str:
    """The gateway as the journal names it: `LOCAL_EMULATOR` for the shared emulator, else its URL."""
    return LOCAL_EMULATOR if url in SHARED_EMULATORS or url == LOCAL_EMULATOR else url


def is_emulated(gateway: str | None) -> bool:
    """Whether a journal's gateway is the shared local emulator (free work, nothing charged)."""
    return gateway is not None and journal_gateway(gateway) == LOCAL_EMULATOR


def gateway_option(gateway: str) -> str:
    """The option that talks to a journal's gateway, for hints: `--emulator`, or `--base-url URL`."""
    return "--emulator" if is_emulated(gateway) else f"--base-url {gateway}"


ALLOW_HTTP_ENV = "SEEDANCE_ALLOW_HTTP"
"""Set to 1 to allow a plain http:// gateway that is not on this machine (an emulator in a container)."""


def gateway_key(url: str) -> str:
    """A gateway URL as compared: scheme and host in lower case, the default port dropped, no path slash."""
    from urllib.parse import urlsplit

    if is_emulated(url.strip()):
        return LOCAL_EMULATOR
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, {"http": 80, "https": 443}.get(scheme)) else None
    netloc = f"[{host}]" if ":" in host else host
    return f"{scheme}://{netloc}{f':{port}' if port else ''}{parts.path.rstrip('/')}"


def is_local_gateway(url: str) -> bool:
    """Whether a gateway URL is on this machine (the emulator, usually): nothing sent there is paid for."""
    import ipaddress
    from urllib.parse import urlsplit

    if is_emulated(url):
        return True
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name, e.g. 127.example.com: not this machine as far as we can tell
        return False


def poll_interval(flag: float | None = None) -> float | None:
    """A fixed polling interval: flag > $SEEDANCE_POLL_INTERVAL > None (adaptive schedule)."""
    if flag is not None:
        return flag
    env = os.environ.get("SEEDANCE_POLL_INTERVAL", "").strip()
    if not env:
        return None
    try:
        return max(float(env), 0.0)
    except ValueError:
        raise InputError(f"SEEDANCE_POLL_INTERVAL={env!r} is not a number of seconds") from None
