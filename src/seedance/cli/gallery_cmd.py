"""`seedance gallery`: write an offline HTML page of the journal's videos, and optionally serve it locally."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from seedance.cli.common import json_option
from seedance.cli.journal_cmd import who_options
from seedance.cli.output import OUT


@click.command("gallery")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("gallery.html"),
    show_default=True,
    help="The page to write; posters go in a folder beside it (gallery_files/).",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show only the N newest jobs.")
@click.option("--serve", is_flag=True, help="Also serve the page and its videos on 127.0.0.1 until Ctrl-C.")
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=0,
    show_default=True,
    help="Port for --serve (0 picks a free one).",
)
@who_options
@json_option
def gallery(
    out: Path, limit: int | None, serve: bool, port: int, user: str | None, host: str | None, as_json: bool
) -> None:
    """Build an HTML gallery of generated videos from the journal (posters, players, prompts, settings).

    The page works offline and from disk; filter by status, model and who submitted (user@host) in the page. With --serve, only the
    page, its posters and the videos listed in the journal are served, on 127.0.0.1.
    """
    from seedance.errors import InputError
    from seedance.gallery import GalleryServer, build_gallery

    try:
        built = build_gallery(out, limit=limit, user=user, host=host)
    except OSError as exc:  # e.g. a read-only folder: one line, not a traceback
        raise InputError(
            f"cannot write the gallery to {out}: {exc.strerror or exc}", hint="choose another --out"
        ) from None
    missing = sum(1 for e in built.entries if e.poster.note)
    data: dict[str, object] = {
        "ok": True,
        "page": str(built.page),
        "files": str(built.files_dir),
        "jobs": len(built.entries),
        "posters": len(built.posters),
        "notes": missing,
    }
    jobs, posters = len(built.entries), len(built.posters)
    human = f"wrote {built.page} ({jobs} job{'s' * (jobs != 1)}, {posters} poster{'s' * (posters != 1)})"
    if missing:
        human += f"; {missing} card(s) note a missing file or poster"
    if not serve:
        OUT.result(data, human)
        return
    try:
        server = GalleryServer(built, port=port)
    except OSError as exc:  # the port is taken (or privileged)
        raise InputError(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}",
            hint="pick another --port, or --port 0 for a free one",
        ) from None
    data["url"] = server.url
    OUT.result(data, f"{human}\nserving at {server.url} (Ctrl-C to stop)")
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a served gallery is meant to end
            server.serve_forever()
    finally:
        server.server_close()
