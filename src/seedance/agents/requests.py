"""The inputs of `generate_video` and `estimate_cost`, built from `VideoRequest` itself (names, types, docs).

One model describes a request everywhere: the CLI's flags, the batch file's fields and these tool schemas.
Adding a field to `VideoRequest` adds it here too, with its attribute docstring as the description.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import textwrap
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field

from seedance.catalog import Kind
from seedance.request import FIELD_NAMES, VideoRequest, field_types

MAX_WAIT_SECONDS = 600
"""The longest a tool waits for a job in one call when nothing is known of the job (the skill caps a video
wait at about 10 minutes); a known job's limit follows it (`wait_limit`: a 30 s 2.5 clip needs more)."""
DEFAULT_WAIT_SECONDS = 50
"""Below the 60 s request timeout many MCP clients use; a longer job is picked up with `wait_for_job`."""


@cache
def field_docs() -> dict[str, str]:
    """The attribute docstrings of VideoRequest's fields, read from its source."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(VideoRequest)))
    body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = " ".join(following.value.value.split())
    return docs


def _annotation(spec: dataclasses.Field[Any]) -> Any:
    """A field's type for the tool schema: enums inlined as literals, lists optional."""
    if spec.name == "operation":
        kinds: Any = Literal  # built from the catalog's table, so mypy cannot see the values
        return kinds[tuple(k.value for k in Kind)] | None
    annotation: Any = field_types()[spec.name]
    return annotation | None if spec.default_factory is not dataclasses.MISSING else annotation


def request_parameters() -> list[inspect.Parameter]:
    """One keyword parameter per VideoRequest field, with its default and its docstring as description."""
    docs = field_docs()
    params = []
    for spec in dataclasses.fields(VideoRequest):
        default = None if spec.default is dataclasses.MISSING else spec.default
        params.append(
            inspect.Parameter(
                spec.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=default,
                annotation=Annotated[_annotation(spec), Field(description=docs.get(spec.name, ""))],
            )
        )
    return params


OUTPUT_PARAMETERS = [
    inspect.Parameter(
        "output",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None,
            Field(
                description="File name for the video in the server's output folder (default: a stamped name)."
            ),
        ],
    ),
    inspect.Parameter(
        "wait_seconds",
        inspect.Parameter.KEYWORD_ONLY,
        default=DEFAULT_WAIT_SECONDS,
        annotation=Annotated[
            int,
            Field(
                description=f"Seconds to wait for the video (0-{MAX_WAIT_SECONDS}); if it is not ready by "
                "then, the answer says 'still running' with the job id for wait_for_job."
            ),
        ],
    ),
    inspect.Parameter(
        "download",
        inspect.Parameter.KEYWORD_ONLY,
        default=True,
        annotation=Annotated[
            bool, Field(description="Save the video in the output folder (false: only return its URL).")
        ],
    ),
    inspect.Parameter(
        "again",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool,
            Field(
                description="Submit even when an identical job of the last hour is still running or its "
                "submit got no answer (refused otherwise, naming that job: a call that timed out is not a "
                "reason to pay twice). True pays for a second video."
            ),
        ],
    ),
]
"""The generate_video inputs that are not part of the request: where to save, how long to wait, repeats."""


def bounded_wait(seconds: float, limit: float = MAX_WAIT_SECONDS) -> float:
    """A wait clamped to 0..limit (an agent's huge value must not hold a call for hours)."""
    return float(min(max(seconds, 0), limit))


def wait_limit(model: str | None, duration: int | None) -> float:
    """The longest one call waits for a job of `model` and `duration`: as long as `seedance generate` would
    by default (`polling.default_timeout`), never less than MAX_WAIT_SECONDS."""
    from seedance import catalog
    from seedance.polling import timeout_for

    row = catalog.current().models.get(model or "")
    if row is None:
        return MAX_WAIT_SECONDS
    seconds = duration if duration is not None else row.default_duration
    return max(float(MAX_WAIT_SECONDS), timeout_for(row, seconds))


def request_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The request part of a tool call's arguments, without the unset (None) values."""
    return {k: v for k, v in values.items() if k in FIELD_NAMES and v is not None}
