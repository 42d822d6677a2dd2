"""`seedance gallery`: write an offline HTML page of the journal's videos, and optionally serve it locally."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from seedance.cli.common import json_option
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
@json_option
def gallery(out: Path, limit: int | None, serve: bool, port: int, as_json: bool) -> None:
    """Build an HTML gallery of generated videos from the journal (posters, players, prompts, settings).

    The page works offline and from disk; filter by status and model in the page. With --serve, only the
    page, its posters and the videos listed in the journal are served, on 127.0.0.1.
    """
    from seedance.gallery import GalleryServer, build_gallery

    built = build_gallery(out, limit=limit)
    missing = sum(1 for e in built.entries if e.poster.note)
    data: dict[str, object] = {
        "ok": True,
        "page": str(built.page),
        "files": str(built.files_dir),
        "jobs": len(built.entries),
        "posters": len(built.posters),
        "notes": missing,
    }
    human = f"wrote {built.page} ({len(built.entries)} jobs, {len(built.posters)} posters)"
    if missing:
        human += f"; {missing} card(s) note a missing file or poster"
    if not serve:
        OUT.result(data, human)
        return
    server = GalleryServer(built, port=port)
    data["url"] = server.url
    OUT.result(data, f"{human}\nserving at {server.url} (Ctrl-C to stop)")
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a served gallery is meant to end
            server.serve_forever()
    finally:
        server.server_close()
