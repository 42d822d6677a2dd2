"""What an operation does, independent of the model that does it: the closed list of operation kinds.

Apart from `catalog.py` (which re-exports it) so that naming the kinds (the CLI's `--operation` choices) does
not load the catalog's rows.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What an operation does, independent of the model that does it."""

    TEXT_TO_VIDEO = "text-to-video"
    IMAGE_TO_VIDEO = "image-to-video"
    FIRST_LAST_FRAME = "first-last-frame"
    REFERENCE = "reference"
    EDIT = "edit"
    EXTEND = "extend"
