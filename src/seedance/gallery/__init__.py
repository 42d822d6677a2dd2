"""An HTML gallery of the journal's videos: posters, players, prompts and settings, on one offline page.

`build_gallery(out)` writes the page and its posters; `GalleryServer(gallery).start()` serves them on
127.0.0.1 (only the page, its posters and the videos the journal lists).
"""

from __future__ import annotations

from seedance.gallery.build import Entry, Gallery, build_gallery
from seedance.gallery.posters import Poster, make_poster
from seedance.gallery.serve import GalleryServer

__all__ = ["Entry", "Gallery", "GalleryServer", "Poster", "build_gallery", "make_poster"]
